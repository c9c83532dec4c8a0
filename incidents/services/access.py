from django.core.exceptions import PermissionDenied


def require_officer(actor, provider_id=None):
    """Only a provider's compliance officers file and change its incidents."""
    if not (actor.is_authenticated and actor.is_provider_officer):
        raise PermissionDenied("Only provider compliance officers file and change incidents.")
    if provider_id is not None and actor.provider_id != provider_id:
        raise PermissionDenied("Incidents are changed only by their provider's officers.")


def require_officer_now(actor, provider_id=None):
    """`require_officer` on the actor as they are now, read again and locked (inside the
    filing's transaction, after the case): a filing sent by a request read before its
    officer's account was closed, or made a viewer, is refused."""
    from compliance.services import hold_actor

    require_officer(hold_actor(actor), provider_id)


def may_change(user, incident):
    """Whether the user is an officer of the incident's provider (for showing actions)."""
    return (user.is_authenticated and user.is_provider_officer
            and user.provider_id == incident.provider_id)
