"""Uploads are refused as early as possible, for every upload of the product (incident
attachments, internal reporting procedures, by page or API):

- a request whose `Content-Length` is over the limit is answered 413 before its body is
  read;
- a multipart body is parsed through `LimitedUploadHandler`, which stops reading as soon
  as the files received pass the limit (a body that is larger than it said, or streamed),
  and the partial files are closed and removed.

The limit is `settings.ATTACHMENT_MAX_BYTES` for the files of one request; the body may
carry `FORM_OVERHEAD_BYTES` more for the multipart framing and the other form fields.
"""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpResponse, JsonResponse

from compliance.errors import TooLarge

DEFAULT_MAX_BYTES = 25 * 1024 * 1024
FORM_OVERHEAD_BYTES = 256 * 1024
API_PREFIX = "/api/"


def max_upload_bytes():
    """The most file bytes one request may carry."""
    return getattr(settings, "ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES)


def max_body_bytes():
    """The largest request body read at all."""
    return max_upload_bytes() + FORM_OVERHEAD_BYTES


class LimitedUploadHandler(FileUploadHandler):
    """Counts the file bytes of a multipart body and stops the upload (without reading
    the rest) once they pass the limit; `exceeded` then says so."""

    # Small chunks, so the count stops the read soon after the limit.
    chunk_size = 16 * 1024

    def __init__(self, request=None):
        super().__init__(request)
        self.received = 0
        self.exceeded = False

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > max_upload_bytes():
            self.exceeded = True
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size):
        return None


def too_large_response(request, message):
    if request.path_info.startswith(API_PREFIX):
        return JsonResponse({"detail": message}, status=413)
    return HttpResponse(f"<!doctype html><title>Too large</title><p>{message}</p>",
                        status=413)


class UploadLimitMiddleware:
    """Refuses oversized bodies before any other middleware (CSRF reads the body) or view
    touches them. Goes first in `MIDDLEWARE`, after the security middleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > max_body_bytes():
            return too_large_response(request, TooLarge.upload(length, max_upload_bytes()).message)
        if request.method == "POST" and request.content_type == "multipart/form-data":
            limiter = LimitedUploadHandler(request)
            request.upload_handlers.insert(0, limiter)
            request.POST  # noqa: B018 - parse now, through the limiter
            if limiter.exceeded:
                return too_large_response(
                    request, TooLarge.upload(None, max_upload_bytes()).message)
        return self.get_response(request)
