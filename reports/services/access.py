"""Who may do what to reports. Reading goes through `Report.objects.visible_to`."""

from django.core.exceptions import PermissionDenied


def require_officer(actor, provider_id):
    """Only the incident's provider's compliance officers write its reports."""
    if not (actor.is_authenticated and actor.is_provider_officer
            and actor.provider_id == provider_id):
        raise PermissionDenied("Only the provider's compliance officers file reports.")


def require_usps(actor):
    if not (actor.is_authenticated and actor.is_usps):
        raise PermissionDenied("Only USPS reviewers and managers accept or return reports.")


def may_file(user, incident):
    return (user.is_authenticated and user.is_provider_officer
            and user.provider_id == incident.provider_id)


def may_review(user):
    return user.is_authenticated and user.is_usps
