from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from compliance.errors import Conflict
from compliance.services import record_event
from notifications.services import queue_email

from .people import locked_with_actor
from .rules import mfa_required
from .sessions import end_sessions

# Recovery codes alone are no factor: they only stand in for a lost one.
FACTOR_TYPES = [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]


def has_factor(user) -> bool:
    """Whether `user` has enrolled an authenticator app or a security key."""
    return Authenticator.objects.filter(user_id=user.pk, type__in=FACTOR_TYPES).exists()


def lacks_required_factor(user) -> bool:
    """Whether `user`'s role needs a second factor they do not hold (a viewer made officer
    since, a factor reset by a manager): until they enrol one, no page, API token or
    calendar feed of theirs answers."""
    return bool(settings.MFA_REQUIRED_ROLES) and mfa_required(user) and not has_factor(user)


def verify_code(user, code) -> bool:
    """Whether `code` is a current TOTP code or an unused recovery code of `user`.

    allauth marks it used: the same code cannot be played twice.
    """
    for authenticator in (Authenticator.objects.filter(user_id=user.pk)
                          .exclude(type=Authenticator.Type.WEBAUTHN)):
        if authenticator.wrap().validate_code(code):
            return True
    return False


def reset_own_factor(*, actor, password, code):
    """Remove `actor`'s second factors and recovery codes so they can enrol a new one,
    on their password and a current code. A wrong code is recorded."""
    if not get_account_adapter().reauthenticate(actor, password):
        raise ValidationError({"password": "That is not your password."})
    if not verify_code(actor, code):
        with transaction.atomic():
            record_event(actor=actor, obj=actor, action="user.mfa_code_rejected",
                         reason="A wrong or used code, to reset the second factor.")
        raise ValidationError({"code": "That code is wrong or was already used."})
    with transaction.atomic():
        removed = _remove_factors(actor)
        record_event(actor=actor, obj=actor, action="user.factor_reset",
                     changes={"second_factor": [removed, None]})


# What the person whose second factor a USPS manager removed is told (the e-mail every
# change to how they sign in sends).
RESET_NOTICE = ("A USPS manager removed your second factor, as you asked (a lost or "
                "replaced device): you set up a new one at your next sign-in.")


@transaction.atomic
def reset_user_factor(*, actor, user, reason):
    """A USPS manager removes another person's second factors (they lost their device):
    their sessions end, they are told by e-mail, and they enrol again at their next
    sign-in. Nothing to remove (the form sent twice) is refused, nothing recorded."""
    if not (actor.is_active and actor.is_usps_manager):
        raise PermissionDenied("Only USPS managers reset another person's second factor.")
    if user.pk == actor.pk:
        raise ValidationError("Reset your own second factor from your profile.")
    user = locked_with_actor(actor, user)
    if not (actor.is_active and actor.is_usps_manager):  # as they are now
        raise PermissionDenied("Only USPS managers reset another person's second factor.")
    if not reason.strip():
        raise ValidationError({"reason": "Say why, e.g. how you confirmed who asked."})
    removed = _remove_factors(user)
    if not removed:
        raise Conflict(f"{user.username} has no second factor to reset: they set one up at "
                       "their next sign-in.")
    ended = end_sessions(user)
    now = timezone.now()
    record_event(actor=actor, obj=user, action="user.factor_reset", reason=reason, at=now,
                 changes={"second_factor": [removed, None], "sessions_ended": [None, ended]})
    queue_email(recipients=[user], template="security_notice",
                context={"notice": RESET_NOTICE, "at": now, "address": ""})
    return user


def _remove_factors(user):
    removed = ", ".join(Authenticator.objects.filter(user_id=user.pk)
                        .values_list("type", flat=True).order_by("type"))
    Authenticator.objects.filter(user_id=user.pk).delete()
    return removed
