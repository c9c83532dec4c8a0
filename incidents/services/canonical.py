"""The filed form of an incident: its document, frozen and hashed by the rules of
`compliance.canonical`."""

from compliance.canonical import utc_iso
from compliance.text import as_line, as_typed

from .content import risk_statements_of

FORMAT = "pes-incident-filing/1"


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
            for r in risk_statements_of(incident)
        ],
        "notification_due_at": utc_iso(incident.notification_due_at),
    }


def stated(content):
    """What the provider states in `content`: the register's names beside the ids left out,
    so that a rename in the register (a PES model, an affiliate, the provider) is not read
    as the provider's amendment; text read as typed (`as_typed`: a version filed from a
    page kept its CR LF line breaks, which are no change of the words; a one-line text as
    `as_line` keeps it, so that a title filed with a line break before one-line texts were
    kept so is not read as changed when sent back)."""
    affiliate = content.get("discovered_by_affiliate")
    return {
        **{k: as_typed(v) if isinstance(v, str) and k in TEXT_FIELDS else v
           for k, v in content.items()},
        **{k: as_line(content[k]) for k in LINE_FIELDS if isinstance(content.get(k), str)},
        "provider": {"id": content["provider"]["id"]},
        "discovered_by_affiliate": {"id": affiliate["id"]} if affiliate else None,
        "pes_models": [{"id": m["id"]} for m in content["pes_models"]],
        "risk_statements": [{**r, "pes_model": {"id": r["pes_model"]["id"]},
                             "nature_of_risk": as_typed(r.get("nature_of_risk")),
                             "effect_on_pes": as_typed(r.get("effect_on_pes"))}
                            for r in content["risk_statements"]],
    }


TEXT_FIELDS = ("title", "description", "discovered_by_name")
LINE_FIELDS = ("title", "discovered_by_name")


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
