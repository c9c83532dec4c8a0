from django.shortcuts import get_object_or_404

from compliance.models import AuditEvent
from incidents.models import Incident


def load_incident(request, pk):
    """The incident if the user may see it, else 404."""
    return get_object_or_404(
        Incident.objects.visible_to(request.user).with_content()
        .select_related("submitted_by", "created_by", "assigned_reviewer"),
        pk=pk)


def timeline(user, incident):
    """Every event of the case the user may see (the incident, its obligations, reports,
    attachments and comments), oldest first."""
    return (AuditEvent.objects.visible_to(user).for_case(incident.pk)
            .select_related("actor").order_by("at", "id"))
