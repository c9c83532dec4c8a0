"""The `Idempotency-Key` header of the API's POSTs that make something new (a report, a
draft, a comment): sent again with the same key (a retry after a lost answer, however
late), the POST answers what the first made and makes nothing more."""

from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError


def idempotency_key(request):
    """The request's key (up to 64 printable ASCII characters), or None without one."""
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    if not (0 < len(key) <= 64 and key.isprintable() and key.isascii()):
        raise ValidationError({"Idempotency-Key": [
            "Give up to 64 printable ASCII characters, or leave the header out."]})
    return key


def key_parameter(what):
    """The header in the schema, `what` saying what a repeat answers."""
    return OpenApiParameter(
        "Idempotency-Key", location=OpenApiParameter.HEADER, required=False,
        description=f"Optional, up to 64 printable characters: a POST sent again with the "
                    f"same key (a retry, however late) {what}")
