from allauth.usersessions.models import UserSession


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
