"""Who may manage whom: one place for the rules the people services apply."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction

from compliance.models.users import PROVIDER_ROLES
from compliance.services import record_event


def may_manage(actor, *, role, provider_id) -> bool:
    """Whether `actor` may invite, deactivate or give a role to someone with this role and
    provider: USPS managers anyone; provider officers the officers and viewers of their own
    provider; nobody else."""
    if not (actor.is_authenticated and actor.is_active):
        return False
    if actor.is_usps_manager:
        return True
    if actor.is_provider_officer:
        return role in PROVIDER_ROLES and provider_id == actor.provider_id
    return False


def refuse(*, actor, obj, action, message, changes=None):
    """Record an attempt the pages never offer (an attack, or a forged form) and refuse it.

    The event is committed on its own: the refusal raises, and nothing else is written.
    """
    with transaction.atomic():
        record_event(actor=actor, obj=obj, action=action, changes=changes or {})
    raise PermissionDenied(message)


def mfa_required(user) -> bool:
    """Whether `user`'s role must hold a second factor (settings.MFA_REQUIRED_ROLES)."""
    return user.is_authenticated and user.role in settings.MFA_REQUIRED_ROLES
