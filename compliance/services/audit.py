from datetime import UTC, datetime

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django_countries.fields import Country

from compliance.models import AuditEvent, Provider

from .chain import append_or_hold


def iso_time(value):
    """A time as an event records it: ISO 8601 in UTC (a time typed in another zone is
    recorded as the same instant in UTC), a date as it is; None stays None."""
    if value is None:
        return None
    if isinstance(value, datetime) and value.utcoffset() is not None:
        value = value.astimezone(UTC)
    return value.isoformat()


def _json_value(value):
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, Country):
        return value.code
    if hasattr(value, "isoformat"):
        return iso_time(value)
    if isinstance(value, (list, tuple, set)):
        return [_json_value(v) for v in value]
    return value


def diff_fields(instance, new_values: dict) -> dict:
    """{field: [old, new]} for each value in `new_values` that differs from the instance's."""
    changes = {}
    for field, new in new_values.items():
        old = getattr(instance, field)
        if old != new:
            changes[field] = [_json_value(old), _json_value(new)]
    return changes


def record_event(*, actor, obj, action, changes=None, reason="", usps_only=False, at=None,
                 case_id=None):
    """Write one audit event for `obj`. Call inside the transaction that makes the change,
    after the object's new state is set.

    The event joins the timeline of case `case_id`: by default the object's own
    `audit_case_id` (an incident) or its `incident_id` (an obligation, a report, ...).
    It belongs to the drafting stage (never shown to USPS) when the object says so through
    `audit_drafting_stage` (a draft incident or report, a duty USPS cannot see yet); the
    flag is fixed here, once, like `usps_only`.

    Inside `chain.appended_at_end` the event joins the chain when the block ends and is
    returned unsaved.
    """
    provider_id = obj.pk if isinstance(obj, Provider) else getattr(obj, "provider_id", None)
    if case_id is None:
        case_id = getattr(obj, "audit_case_id", None) or getattr(obj, "incident_id", None)
    event = AuditEvent(
        at=at or timezone.now(),
        actor=actor if actor is not None and actor.is_authenticated else None,
        provider_id=provider_id,
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
        object_id=str(obj.pk),
        object_repr=str(obj)[:300],
        case_id=case_id,
        action=action,
        changes=changes or {},
        reason=reason,
        usps_only=usps_only,
        drafting_stage=bool(getattr(obj, "audit_drafting_stage", False)),
    )
    return append_or_hold(event)
