"""The `Idempotency-Key` header of the API's POSTs that make something new (a report, a
draft, a comment, a file, a procedures version): sent again with the same key (a retry
after a lost answer, however late), the POST answers what the first made and makes
nothing more."""

from django.db import transaction
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError

from compliance.errors import Conflict
from compliance.sent_once import answered, first_sending, sent_before


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


def made_once(request, key, what, asked, make, find):
    """What `make()` makes, made once per Idempotency-Key `key` of the user (None: no
    key, made each time). `asked`: a digest of what the request says. Sent again with the
    key, answers `find(pk)` of what the first made (the user's scope; None once out of
    it, a 409); with another `asked`, a 409 that changes nothing. The key is claimed in
    the transaction that makes it, so a refused request leaves it free, and kept for
    good. Returns (object, made now)."""
    if key is None:
        return make(), True
    scope = f"api:{what}"
    with transaction.atomic():
        if first_sending(request.user, key, scope, kept=True):
            made = make()
            answered(request.user, key, f"{made.pk}:{asked}", scope)
            return made, True
        pk, _, first_asked = sent_before(request.user, key, scope).answer.partition(":")
    if first_asked != asked:
        raise Conflict(f"This Idempotency-Key was sent with another {what}: a new {what} "
                       "needs a new key.")
    made = find(int(pk))
    if made is None:  # made where they no longer are (moved to another provider)
        raise Conflict(f"This Idempotency-Key made a {what} you can no longer see: a new "
                       f"{what} needs a new key.")
    return made, False
