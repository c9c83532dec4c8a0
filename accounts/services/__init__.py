"""Every change to people and their sign-in: one function each, taking the actor."""

from .factors import has_factor, reset_own_factor, reset_user_factor, verify_code
from .invitations import (
    InvitationUnusable,
    accept_invitation,
    check_invitation,
    invitation_link,
    invite_user,
    require_may_invite,
    revoke_invitation,
)
from .lockouts import clear_lockout, current_lockouts, record_lockout
from .people import change_role, deactivate_user, may_reactivate, reactivate_user
from .rules import may_manage, mfa_required
from .sessions import end_sessions

__all__ = [
    "InvitationUnusable", "accept_invitation", "change_role", "check_invitation",
    "clear_lockout", "current_lockouts", "deactivate_user", "end_sessions", "has_factor",
    "invitation_link", "invite_user", "may_manage", "may_reactivate", "mfa_required",
    "require_may_invite",
    "reactivate_user",
    "record_lockout", "reset_own_factor", "reset_user_factor", "revoke_invitation",
    "verify_code",
]
