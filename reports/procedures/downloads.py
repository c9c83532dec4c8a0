from incidents.downloads import download_response


def procedures_response(document):
    """A version of a provider's procedures, as filed, as a download (page and API)."""
    return download_response(document.file, document.original_name, document.content_type)
