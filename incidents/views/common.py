from django.db.models import Prefetch
from django.shortcuts import get_object_or_404

from compliance.models import AuditEvent
from incidents.models import Incident, RiskStatement


def load_incident(request, pk):
    """The incident if the user may see it, else 404."""
    return get_object_or_404(
        Incident.objects.visible_to(request.user)
        .select_related("provider", "discovered_by_affiliate", "submitted_by", "created_by",
                        "assigned_reviewer")
        .prefetch_related("pes_models", Prefetch(
            "risk_statements",
            queryset=RiskStatement.objects.select_related("pes_model").order_by("position"))),
        pk=pk)


def timeline(user, incident):
    """Every event of the case the user may see (the incident, its obligations, reports,
    attachments and comments), oldest first."""
    return (AuditEvent.objects.visible_to(user).for_case(incident.pk)
            .select_related("actor").order_by("at", "id"))
