"""How allauth fits the product: no self sign-up, e-mail through the outbox, and a second
factor that the roles which need one cannot simply switch off."""

import time
from urllib.parse import quote

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.urls import reverse

from compliance.models import User
from notifications.services import queue_email

from . import secrets
from .receivers import SIGNED_IN_AT
from .services import mfa_required
from .services.factors import FACTOR_TYPES

# allauth's e-mails, by its template prefix, and ours in notifications/email/.
EMAIL_TEMPLATES = {
    "account/email/password_reset_key": "password_reset_key",
    "account/email/password_changed": "security_notice",
    "account/email/password_reset": "security_notice",
    "account/email/password_set": "security_notice",
    "mfa/email/totp_activated": "security_notice",
    "mfa/email/totp_deactivated": "security_notice",
    "mfa/email/recovery_codes_generated": "security_notice",
    "mfa/email/webauthn_added": "security_notice",
    "mfa/email/webauthn_removed": "security_notice",
}
NOTICES = {
    "account/email/password_changed": "Your password was changed.",
    "account/email/password_reset": "Your password was reset.",
    "account/email/password_set": "A password was set on your account.",
    "mfa/email/totp_activated": "An authenticator app was added as your second factor.",
    "mfa/email/totp_deactivated": "Your authenticator app was removed as a second factor.",
    "mfa/email/recovery_codes_generated": "New recovery codes were made for your account; "
                                          "the old ones no longer work.",
    "mfa/email/webauthn_added": "A security key was added as your second factor.",
    "mfa/email/webauthn_removed": "A security key was removed from your account.",
}


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        """Nobody signs up: people join by invitation (or an operator's `create_user`)."""
        return False

    def is_reauthentication_required(self, *, app, **kwargs):
        """A sign-in within the re-authentication timeout counts as a recent one, so that a
        person sent to enrol a second factor just after signing in is not asked again."""
        signed_in_at = allauth_context.request.session.get(SIGNED_IN_AT)
        if (signed_in_at is not None
                and time.time() - signed_in_at < account_settings.REAUTHENTICATION_TIMEOUT):
            return False
        return super().is_reauthentication_required(app=app, **kwargs)

    def get_reset_password_from_key_url(self, key):
        """The reset link is on `SITE_URL`, as every link in an e-mail is: built from the
        request's Host header, a reset asked for with another host would send the key
        there."""
        path = reverse("account_reset_password_from_key",
                       kwargs={"uidb36": "UID", "key": "KEY"}).replace("UID-KEY", quote(key))
        return settings.SITE_URL + path

    def send_mail(self, template_prefix, email, context):
        """allauth's e-mails go through the outbox like every other e-mail; a reset link
        is kept there sealed, and opened when the e-mail is rendered."""
        reset_url = context.get("password_reset_url", "")
        template = EMAIL_TEMPLATES.get(template_prefix)
        user = context.get("user")
        if template is None or not isinstance(user, User):
            return
        queue_email(recipients=[user], template=template, context={
            "notice": NOTICES.get(template_prefix, ""),
            "reset_url": secrets.seal(reset_url) if reset_url else "",
            "reset_minutes": settings.PASSWORD_RESET_TIMEOUT // 60,
            "at": context.get("timestamp"), "address": context.get("ip", ""),
        })

    def send_notification_mail(self, template_prefix, user, context=None, email=None):
        """Security notices go to the account's one address (allauth would look for a
        verified address of its own, which this product does not keep)."""
        if account_settings.EMAIL_NOTIFICATIONS and user.email:
            super().send_notification_mail(template_prefix, user,
                                           context={**(context or {}), "user": user},
                                           email=user.email)


class MFAAdapter(DefaultMFAAdapter):
    # A code signs a person in once: one typed again (a second sign-in within its 30
    # seconds) is refused as a wrong one is, and the page says which it may be.
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "incorrect_code": "Incorrect code, or one already used: each code signs in once. "
                          "Check it, or wait for the next one.",
    }

    def encrypt(self, text):
        """Second-factor secrets are stored sealed (`accounts.secrets`)."""
        return secrets.seal(text)

    def decrypt(self, encrypted_text):
        return secrets.unseal(encrypted_text)

    def can_delete_authenticator(self, authenticator):
        """A role that needs a second factor may drop one only while it keeps another; to
        replace its only one it resets it (password and code) and enrols again."""
        if not mfa_required(authenticator.user):
            return True
        return (Authenticator.objects.filter(user_id=authenticator.user_id, type__in=FACTOR_TYPES)
                .exclude(pk=authenticator.pk).exists())

    def get_totp_label(self, user):
        return user.username
