"""One exception handler for the whole API: the services' refusals
(`compliance.errors`) as HTTP answers, with the body shapes the schema documents."""

from django.conf import settings
from django.core.exceptions import (
    NON_FIELD_ERRORS,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.views.defaults import bad_request as bad_request_page
from django.views.defaults import page_not_found
from rest_framework import exceptions, serializers, status
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from compliance.errors import Conflict, TooLarge
from compliance.middleware import API_PREFIX


class ConflictError(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The object's state forbids this."
    default_code = "conflict"


class TooLargeError(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request is too large."
    default_code = "too_large"


def as_drf_error(exc: DjangoValidationError) -> serializers.ValidationError:
    """A service's ValidationError as DRF's `{"field": ["message"]}` body."""
    key = api_settings.NON_FIELD_ERRORS_KEY
    if hasattr(exc, "error_dict"):
        return serializers.ValidationError(
            {key if field == NON_FIELD_ERRORS else field: messages
             for field, messages in exc.message_dict.items()}
        )
    return serializers.ValidationError({key: exc.messages})


def as_api_exception(exc):
    """The DRF exception a service refusal reads as; other exceptions unchanged."""
    if isinstance(exc, Conflict):
        return ConflictError(exc.message)
    if isinstance(exc, TooLarge):
        return TooLargeError(exc.message)
    if isinstance(exc, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return TooLargeError(f"The body's fields are larger than accepted: at most {limit:,} "
                             f"bytes ({limit / 1048576:g} MB), files aside.")
    if isinstance(exc, TooManyFieldsSent):
        return exceptions.ParseError("The body has too many fields.")
    if isinstance(exc, TooManyFilesSent):
        return exceptions.ParseError("The body has too many files.")
    if isinstance(exc, MultiPartParserError):
        return exceptions.ParseError("The multipart body could not be read.")
    if isinstance(exc, DjangoValidationError):
        return as_drf_error(exc)
    return exc


def exception_handler(exc, context):
    """DRF's handler, after mapping `compliance.errors` and Django's ValidationError."""
    return drf_exception_handler(as_api_exception(exc), context)


def bad_request(request, exception):
    """The answer to a request Django refuses before any view reads it (a multipart body
    read by the upload limit: too many fields or files, fields too large, or a body that
    cannot be parsed): under /api/ the JSON refusal a view would have answered (400, or 413
    for fields too large), as the schema documents; the usual 400 page elsewhere."""
    if not request.path_info.startswith(API_PREFIX):
        return bad_request_page(request, exception)
    refusal = as_api_exception(exception)
    if not isinstance(refusal, exceptions.APIException):
        refusal = exceptions.ParseError("The request could not be read.")
    return JsonResponse({"detail": str(refusal.detail)}, status=refusal.status_code)


def not_found(request, exception):
    """The 404 of a URL nothing answers: JSON under /api/, as the schema documents; the
    usual page elsewhere."""
    if request.path_info.startswith(API_PREFIX):
        return JsonResponse({"detail": "Not found."}, status=404)
    return page_not_found(request, exception)
