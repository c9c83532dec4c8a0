from allauth.usersessions.models import UserSession
from django.db import transaction

from compliance.services import record_event


def end_sessions(user, *, keep=None) -> int:
    """Delete every session `user` holds on the server, but the one keyed `keep`.

    Sessions begun through the sign-in pages are tracked; any other session of the user
    stops working anyway once their password changes or they are deactivated.
    """
    ended = 0
    for session in UserSession.objects.filter(user_id=user.pk).exclude(session_key=keep or ""):
        session.end()
        ended += 1
    return ended


@transaction.atomic
def after_password_change(*, user, keep):
    """A person changed their password: every other session of theirs ends (audited)."""
    ended = end_sessions(user, keep=keep)
    record_event(actor=user, obj=user, action="user.password_changed",
                 changes={"other_sessions_ended": [None, ended]})


@transaction.atomic
def after_password_reset(*, user):
    """A password was reset by e-mailed link: every session of that person ends (audited)."""
    ended = end_sessions(user)
    record_event(actor=None, obj=user, action="user.password_reset",
                 changes={"sessions_ended": [None, ended]})
