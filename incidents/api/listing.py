"""The incident list as rows: the JSON of `IncidentSerializer`, field for field, read from
the page's columns and two small queries (PES models, risk statements) instead of model
instances."""

from collections import defaultdict

from compliance.api.fields import AwareDateTimeField
from incidents.models import Incident, RiskStatement

# The columns a list row is made of, as `IncidentSerializer` reads them.
COLUMNS = (
    "id", "reference", "provider_id", "category", "subtype", "title", "description",
    "discovered_at", "discovery_timezone", "discovered_by_affiliate_id", "discovered_by_name",
    "status", "notification_due_at", "submitted_at", "is_late", "late_reason",
    "revenue_risk", "current_version", "created_at", "updated_at",
)

_time = AwareDateTimeField()


def _when(value):
    return None if value is None else _time.to_representation(value)


def list_rows(queryset):
    """`queryset` of incidents as the column values `rows` reads."""
    return queryset.values(*COLUMNS)


def rows(page):
    """The serialized incidents of `page` (dicts of `COLUMNS`), in its order."""
    ids = [row["id"] for row in page]
    models = defaultdict(list)
    statements = defaultdict(list)
    if ids:
        # In the order of PESModel's own ordering, as the incident's `pes_models` reads.
        through = Incident.pes_models.through.objects.filter(incident_id__in=ids).order_by(
            "pesmodel__provider_id", "pesmodel__name", "pesmodel_id")
        for incident_id, model_id in through.values_list("incident_id", "pesmodel_id"):
            models[incident_id].append(model_id)
        for incident_id, model_id, nature, effect in (
                RiskStatement.objects.filter(incident_id__in=ids).order_by("position", "id")
                .values_list("incident_id", "pes_model_id", "nature_of_risk", "effect_on_pes")):
            statements[incident_id].append(
                {"pes_model": model_id, "nature_of_risk": nature, "effect_on_pes": effect})
    return [{
        "id": row["id"],
        "reference": row["reference"],
        "provider": row["provider_id"],
        "category": row["category"],
        "subtype": row["subtype"],
        "title": row["title"],
        "description": row["description"],
        "discovered_at": _when(row["discovered_at"]),
        "discovery_timezone": row["discovery_timezone"],
        "discovered_by_affiliate": row["discovered_by_affiliate_id"],
        "discovered_by_name": row["discovered_by_name"],
        "pes_models": models[row["id"]],
        "risk_statements": statements[row["id"]],
        "status": row["status"],
        "notification_due_at": _when(row["notification_due_at"]),
        "submitted_at": _when(row["submitted_at"]),
        "is_late": row["is_late"],
        "late_reason": row["late_reason"],
        "revenue_risk": row["revenue_risk"],
        "version": row["current_version"],
        "created_at": _when(row["created_at"]),
        "updated_at": _when(row["updated_at"]),
    } for row in page]
