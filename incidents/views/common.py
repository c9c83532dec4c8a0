from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404

from compliance.models import AuditEvent, Obligation
from incidents.models import Incident, RiskStatement

# Work on a draft before filing stays the provider's: USPS sees the filed record.
PROVIDER_ONLY_ACTIONS = ("incident.draft_updated", "obligation.due_corrected")


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
    """Audit events of the incident and of its obligations, oldest first."""
    obligation_ids = [str(pk) for pk in Obligation.objects.visible_to(user)
                      .filter(incident_id=incident.pk).values_list("pk", flat=True)]
    events = AuditEvent.objects.visible_to(user).filter(
        Q(content_type=ContentType.objects.get_for_model(Incident), object_id=str(incident.pk))
        | Q(content_type=ContentType.objects.get_for_model(Obligation),
            object_id__in=obligation_ids)
    )
    if user.is_usps:
        events = events.exclude(action__in=PROVIDER_ONLY_ACTIONS)
    return events.select_related("actor").order_by("at", "id")


def apply_service_errors(exc: ValidationError, form, extra_targets=None):
    """Put a service's errors next to the form's fields; others into `extra_targets`
    ({key: list}) or the form's non-field errors."""
    extra_targets = extra_targets or {}
    items = exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]
    for field, messages in items:
        if field in extra_targets:
            extra_targets[field].extend(messages)
        elif field in form.fields:
            for message in messages:
                form.add_error(field, message)
        else:
            for message in messages:
                form.add_error(None, message)
