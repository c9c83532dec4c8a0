"""Forms that act once: a page gives each of its forms a key; sent again with the same key
and the same content (a double click, a retry after a lost answer), the form is told it
was sent, and what it does is not done twice. The key is claimed in the transaction that
acts, so a refusal (nothing done) leaves it free for the corrected form, and a second
sending while the first is still at work waits for it."""

import hashlib
import json
import secrets

from django import forms
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from .models import SentForm

ALREADY_SENT = "This form was already sent: what it asked was done once, as shown here."


class SentOnceMixin:
    """A hidden `submission_key`, new each time the page is shown."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["submission_key"] = forms.CharField(
            widget=forms.HiddenInput, required=False, max_length=64,
            initial=secrets.token_urlsafe(24))


def _claimed_key(key, content):
    return f"{key[:64]}:{digest_of(*content)}"


def digest_of(*content):
    """A short digest of what a form or a request says (`_text` of each part)."""
    return hashlib.sha256("\n".join(map(_text, content)).encode()).hexdigest()[:16]


def _text(part):
    """One part of what a form says, as text the same way each time: a form's values (a
    dict) with the objects they name by id, and a set of them (a queryset) as its ids."""
    if isinstance(part, dict | list | tuple):
        return json.dumps(part, sort_keys=True, default=_plain)
    return str(part)


def _plain(value):
    if hasattr(value, "pk"):
        return value.pk
    if isinstance(value, QuerySet | set | frozenset):
        return sorted(item.pk if hasattr(item, "pk") else str(item) for item in value)
    return str(value)


def sent_before(user, key, *content):
    """The record of this form (its key, with `content`) sent and acted on before, with
    where it led (`answer`), or None."""
    if not key:
        return None
    return SentForm.objects.filter(user=user, key=_claimed_key(key, content)).first()


def answered(user, key, answer, *content):
    """Keep where the first sending of this form led (a path): sent again, it leads
    there. Inside the transaction that claimed it."""
    if key:
        SentForm.objects.filter(user=user, key=_claimed_key(key, content)).update(
            answer=answer[:200])


def first_sending(user, key, *content, kept=False):
    """Claim the form's `key` (with a digest of `content`, what it says: a form edited
    after going back is another sending) inside the caller's transaction: True the first
    time, False when it was sent and acted on before. Without a key, True. `kept`: the
    key is never forgotten (an API request's, whose retry may come however late)."""
    if not key:
        return True
    try:
        with transaction.atomic():
            SentForm.objects.create(user=user, key=_claimed_key(key, content),
                                    sent_at=timezone.now(), kept=kept)
    except IntegrityError:
        return False
    return True
