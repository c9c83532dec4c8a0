"""Hooks into Django's, allauth's and django-axes' signals; each calls a service or notes
a time in the session, nothing more."""

import time

from allauth.account.signals import password_changed, password_reset
from allauth.mfa.models import Authenticator
from allauth.mfa.signals import (
    authentication_failed,
    authenticator_added,
    authenticator_removed,
    authenticator_reset,
)
from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.dispatch import receiver

from compliance.services import record_event

from .services import record_lockout
from .services.sessions import after_password_change, after_password_reset

SIGNED_IN_AT = "signed_in_at"
SEEN_AT = "seen_at"


@receiver(user_logged_in)
def note_sign_in_time(sender, request, user, **kwargs):
    """The absolute session lifetime and the idle timeout count from here."""
    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[SIGNED_IN_AT] = now
        request.session[SEEN_AT] = now


@receiver(user_locked_out)
def audit_lockout(sender, request, username, ip_address, **kwargs):
    # Axes signals each refused try; the failure that locks is the one it counted.
    if getattr(request, "axes_failures_since_start", None) is not None:
        record_lockout(username=username or "", address=ip_address)


@receiver(password_changed)
def end_other_sessions_on_password_change(sender, request, user, **kwargs):
    after_password_change(user=user, keep=request.session.session_key)


@receiver(password_reset)
def end_sessions_on_password_reset(sender, request, user, **kwargs):
    after_password_reset(user=user)


@receiver(authentication_failed, sender=Authenticator)
def audit_wrong_code(sender, request, user, authenticator, reauthentication=False, **kwargs):
    """A wrong or replayed code after a right password: someone may hold the password."""
    with transaction.atomic():
        record_event(actor=None, obj=user, action="user.mfa_code_rejected",
                     reason="A wrong or used code, at "
                            + ("re-authentication." if reauthentication else "sign-in."))


@receiver(authenticator_added, sender=Authenticator)
def audit_factor_added(sender, request, user, authenticator, **kwargs):
    with transaction.atomic():
        record_event(actor=user, obj=user, action="user.factor_enrolled",
                     changes={"second_factor": [None, authenticator.type]})


@receiver(authenticator_removed, sender=Authenticator)
def audit_factor_removed(sender, request, user, authenticator, **kwargs):
    """Someone switched a factor of their own off (a role needing none may): recorded, as
    its enrolment was. Its recovery codes, removed with the last factor, are recorded too."""
    with transaction.atomic():
        record_event(actor=user, obj=user, action="user.factor_removed",
                     changes={"second_factor": [authenticator.type, None]})


@receiver(authenticator_reset, sender=Authenticator)
def audit_codes_regenerated(sender, request, user, authenticator, **kwargs):
    with transaction.atomic():
        record_event(actor=user, obj=user, action="user.recovery_codes_regenerated")
