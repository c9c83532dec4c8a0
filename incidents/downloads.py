from django.http import FileResponse


def attachment_response(attachment):
    """The stored file as a download: never displayed inline, never sniffed."""
    response = FileResponse(attachment.file.open("rb"), as_attachment=True,
                            filename=attachment.name, content_type=attachment.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
