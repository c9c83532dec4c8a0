from django.http import FileResponse


def download_response(stored, name, content_type):
    """A stored file as a download: never displayed inline, never sniffed."""
    response = FileResponse(stored.open("rb"), as_attachment=True, filename=name,
                            content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def attachment_response(attachment):
    return download_response(attachment.file, attachment.name, attachment.content_type)
