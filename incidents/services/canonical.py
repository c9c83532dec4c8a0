"""The filed form of an incident: canonical JSON, its SHA-256, and field-by-field changes."""

import hashlib
import json
from datetime import UTC

FORMAT = "pes-incident-filing/1"


def utc_iso(value):
    """An aware time as UTC ISO 8601 with `Z`, or None."""
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def content_of(incident):
    """What the provider states about the incident, as plain JSON values."""
    affiliate = incident.discovered_by_affiliate
    return {
        "provider": {"id": incident.provider_id, "name": incident.provider.name},
        "category": incident.category,
        "subtype": incident.subtype,
        "title": incident.title,
        "description": incident.description,
        "discovered_at": utc_iso(incident.discovered_at),
        "discovery_timezone": incident.discovery_timezone,
        "discovered_by_affiliate": (
            {"id": affiliate.pk, "name": affiliate.name} if affiliate else None
        ),
        "discovered_by_name": incident.discovered_by_name,
        "pes_models": [
            {"id": m.pk, "name": m.name} for m in sorted(incident.pes_models.all(),
                                                          key=lambda m: m.pk)
        ],
        "risk_statements": [
            {
                "pes_model": {"id": r.pes_model_id, "name": r.pes_model.name},
                "nature_of_risk": r.nature_of_risk,
                "effect_on_pes": r.effect_on_pes,
            }
            for r in incident.risk_statements.select_related("pes_model").order_by(
                "position", "id")
        ],
        "notification_due_at": utc_iso(incident.notification_due_at),
    }


def filing_document(incident, *, number, submitted_by, submitted_at, amendment_reason=""):
    """The whole filed version: metadata of the filing plus the content."""
    return {
        "format": FORMAT,
        "reference": incident.reference,
        "version": number,
        "submitted_at": utc_iso(submitted_at),
        "submitted_by": submitted_by.username,
        "is_late": incident.is_late,
        "late_reason": incident.late_reason,
        "amendment_reason": amendment_reason,
        "content": content_of(incident),
    }


def canonical_json(document) -> str:
    """Sorted keys, no insignificant white space, UTF-8 text: the same document always
    gives the same string, and so the same hash."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def changes_between(before: dict, after: dict) -> dict:
    """{field: [before, after]} for each top-level field whose value differs."""
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }
