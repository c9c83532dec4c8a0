from django.db.models import Prefetch
from django.shortcuts import get_object_or_404

from compliance.models import AuditEvent
from incidents.models import Incident, RiskStatement

# Work on a draft before filing stays the provider's: USPS sees the filed record.
# Events of the drafting stage: the provider's own, never shown to USPS.
PROVIDER_ONLY_ACTIONS = ("incident.draft_updated", "obligation.due_corrected",
                         "report.draft_created", "report.draft_updated")


def load_incident(request, pk):
    """The incident if the user may see it, else 404."""
    return get_object_or_404(
        Incident.objects.visible_to(request.user)
        .select_related("provider", "discovered_by_affiliate", "submitted_by", "created_by")
        .prefetch_related("pes_models", Prefetch(
            "risk_statements",
            queryset=RiskStatement.objects.select_related("pes_model").order_by("position"))),
        pk=pk)


def timeline(user, incident):
    """Every event of the case the user may see (the incident, its obligations, reports,
    attachments and comments), oldest first."""
    events = AuditEvent.objects.visible_to(user).for_case(incident.pk)
    if user.is_usps:
        events = events.exclude(action__in=PROVIDER_ONLY_ACTIONS)
    return events.select_related("actor").order_by("at", "id")
