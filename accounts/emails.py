"""What the outbox needs to render the e-mails of accounts when it sends them."""

from datetime import timedelta

from django.conf import settings

from compliance.models import User
from notifications.rendering import NotApplicable, builder

from . import secrets
from .services.rules import mfa_required


@builder("invitation")
def _invitation(email, context, now):
    """An invitation goes to an address with no account behind it yet: it is addressed to a
    would-be user in the inviter's time zone, and only while the invitation can be used."""
    invitation = context["invitation"]
    if (invitation.accepted_at or invitation.revoked_at or invitation.expires_at <= now):
        raise NotApplicable("the invitation can no longer be used")
    inviter = context.get("invited_by")
    recipient = User(email=email.to_address, role=invitation.role,
                     provider_id=invitation.provider_id, first_name=invitation.first_name,
                     last_name=invitation.last_name,
                     timezone=getattr(inviter, "timezone", "UTC"))
    return {**context, "recipient": recipient,
            "accept_url": secrets.unseal(context["accept_url"]),
            # As sign-in will ask of them (MFA_REQUIRED_ROLES).
            "second_factor": mfa_required(recipient)}


@builder("password_reset_key")
def _password_reset_key(email, context, now):
    """The reset link waits in the outbox sealed (`accounts.secrets`), and goes only while
    it works (PASSWORD_RESET_TIMEOUT from when it was made: an e-mail the mail server
    refused, sent again later by a manager, would carry a dead link)."""
    if email.created_at + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT) <= now:
        raise NotApplicable("the reset link has expired; a new one is asked for on the "
                            "sign-in page")
    return {**context, "reset_url": secrets.unseal(context.get("reset_url", ""))}
