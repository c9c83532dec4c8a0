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

import hashlib
import unicodedata
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import BadRequest, ValidationError
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpResponse, JsonResponse
from django.utils.cache import add_never_cache_headers

from compliance.api.parsers import unreadable_charset
from compliance.errors import TooLarge
from compliance.middleware import API_PREFIX

from .filetypes import detect_content_type

DEFAULT_MAX_BYTES = 25 * 1024 * 1024
FORM_OVERHEAD_BYTES = 256 * 1024
# The file's kind is decided on this many first bytes.
HEAD_BYTES = 64 * 1024


def max_upload_bytes():
    """The most file bytes one request may carry."""
    return getattr(settings, "ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES)


def clean_name(name):
    """The uploader's file name, reduced to a printable base name (for display only)."""
    base = PurePath(str(name).replace("\\", "/")).name
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip()
    return base[:255] or "attachment"


def _read_head_and_hash(uploaded_file):
    digest = hashlib.sha256()
    head = b""
    uploaded_file.seek(0)
    for chunk in uploaded_file.chunks():
        if len(head) < HEAD_BYTES:
            head += chunk[: HEAD_BYTES - len(head)]
        digest.update(chunk)
    uploaded_file.seek(0)
    return head, digest.hexdigest()


def file_sha256(uploaded_file):
    """The SHA-256 of an uploaded file's content (read from its start, left at it)."""
    return _read_head_and_hash(uploaded_file)[1]


def check_upload(uploaded_file):
    """(clean name, content type decided on the content, SHA-256) of an acceptable file:
    every service that stores an upload calls this. TooLarge (413) past the limit,
    ValidationError (400, on `file`) when empty or of a kind not accepted."""
    limit = max_upload_bytes()
    if uploaded_file.size > limit:
        raise TooLarge.upload(uploaded_file.size, limit)
    if not uploaded_file.size:
        raise ValidationError({"file": ["The file is empty."]})
    name = clean_name(uploaded_file.name)
    head, sha256 = _read_head_and_hash(uploaded_file)
    return name, detect_content_type(head, name), sha256


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
    """The 413, answered before the middleware that sets the site's headers: it sets the
    ones that matter itself (not kept, not framed, nothing loaded)."""
    if request.path_info.startswith(API_PREFIX):
        response = JsonResponse({"detail": message}, status=413)
    else:
        response = HttpResponse(f"<!doctype html><title>Too large</title><p>{message}</p>",
                                status=413)
    add_never_cache_headers(response)
    response["X-Frame-Options"] = "DENY"
    response["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'none'"
    return response


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
            try:
                request.POST  # noqa: B018 - parse now, through the limiter
            except (LookupError, UnicodeError):  # a charset that is no text encoding
                raise BadRequest(unreadable_charset(request.encoding)) from None
            if limiter.exceeded:
                return too_large_response(
                    request, TooLarge.upload(None, max_upload_bytes()).message)
        return self.get_response(request)
