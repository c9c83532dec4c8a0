"""Secrets at rest: the authenticator apps' TOTP keys and the recovery codes' seeds that
allauth keeps in `Authenticator.data`, and the links of queued e-mails that work without a
password (an invitation's, a password reset's), are sealed with Fernet (`cryptography`: AES
in CBC mode with an HMAC-SHA256 tag), so a copy of the database alone does not give anyone
a second factor, an account or a new password.

The key is derived from `SECRET_KEY`, as Django derives its signing keys; after a change of
`SECRET_KEY`, the old one in `SECRET_KEY_FALLBACKS` still opens what it sealed, and
`manage.py reseal_mfa_secrets` seals everything again under the new one. A secret stored
before sealing began reads as it is until it is sealed (the migration that introduced
sealing sealed those there were).
"""

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import transaction
from django.utils.crypto import salted_hmac

PREFIX = "sealed:"
# The fields of `Authenticator.data` that hold secrets (allauth: TOTP, recovery codes).
SECRET_FIELDS = ("secret", "seed")
SECRET_LISTS = ("migrated_codes",)


class UnsealError(Exception):
    """A sealed secret that none of the keys opens."""


def _fernet(secret_key):
    digest = salted_hmac("accounts.secrets", "second factors", secret=secret_key,
                         algorithm="sha256").digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def _keys():
    """The current key first (it seals), then the fallbacks' (they only open)."""
    return MultiFernet([_fernet(key) for key in
                        (settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS)])


def seal(text):
    return PREFIX + _keys().encrypt(text.encode()).decode()


def unseal(stored):
    """The secret in `stored`; a value stored before sealing began is returned as it is."""
    if not stored.startswith(PREFIX):
        return stored
    try:
        return _keys().decrypt(stored.removeprefix(PREFIX).encode()).decode()
    except InvalidToken:
        raise UnsealError(
            "A second-factor secret could not be opened: it was sealed under a SECRET_KEY "
            "that is neither the current one nor in SECRET_KEY_FALLBACKS.") from None


def resealed(data):
    """A copy of an authenticator's `data` with every secret sealed under the current key
    (secrets stored before sealing began included)."""
    data = dict(data)
    for field in SECRET_FIELDS:
        if isinstance(data.get(field), str):
            data[field] = seal(unseal(data[field]))
    for field in SECRET_LISTS:
        if isinstance(data.get(field), list):
            data[field] = [seal(unseal(value)) for value in data[field]]
    return data


def reseal_all(authenticators):
    """Seal the secrets of every authenticator of the queryset under the current key, each
    read again and locked (a code used meanwhile is not written back unused). Returns (how
    many were written, the authenticators whose secrets no key opens: left as they are,
    and the rest resealed all the same)."""
    written, unopened = 0, []
    for pk in list(authenticators.values_list("pk", flat=True)):
        with transaction.atomic():
            authenticator = authenticators.select_for_update().filter(pk=pk).first()
            if authenticator is None:  # removed meanwhile
                continue
            try:
                data = resealed(authenticator.data or {})
            except UnsealError:
                unopened.append(authenticator)
                continue
            if data != authenticator.data:
                authenticator.data = data
                authenticator.save(update_fields=["data"])
                written += 1
    return written, unopened


# Links kept sealed in the outbox (`context`), by the template of the e-mail holding one.
SEALED_LINKS = ("accept_url", "reset_url")


def reseal_outbox():
    """Seal under the current key the links waiting in e-mails not sent yet (an invitation,
    a password reset held up by a mail server's outage): once the former key is dropped
    they would never open. Returns (how many e-mails were written, those whose links no
    key opens: left as they are)."""
    from notifications.models import EmailState, OutboundEmail

    waiting = OutboundEmail.objects.filter(
        state__in=[EmailState.PENDING, EmailState.SENDING, EmailState.FAILED])
    written, unopened = 0, []
    for pk in list(waiting.values_list("pk", flat=True)):
        with transaction.atomic():
            email = (waiting.select_for_update().filter(pk=pk)
                     .only("pk", "context", "to_address").first())
            if email is None:  # sent meanwhile
                continue
            context = dict(email.context or {})
            try:
                for name in SEALED_LINKS:
                    if isinstance(context.get(name), str) and context[name].startswith(PREFIX):
                        context[name] = seal(unseal(context[name]))
            except UnsealError:
                unopened.append(email)
                continue
            if context != email.context:
                OutboundEmail.objects.filter(pk=email.pk).update(context=context)
                written += 1
    return written, unopened
