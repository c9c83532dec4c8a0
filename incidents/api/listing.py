"""The incident list as rows: the JSON of `IncidentSerializer`, field for field, read from
the page's columns instead of model instances. On PostgreSQL each row brings its PES models
and risk statements as arrays; elsewhere they come in one query each for the page."""

from collections import defaultdict
from functools import cache

from django.contrib.postgres.fields import ArrayField
from django.db import connections
from django.db.models import IntegerField, TextField
from django.db.models.expressions import RawSQL
from rest_framework.settings import api_settings

from compliance.api.fields import AwareDateTimeField
from compliance.models import PESModel
from incidents.models import Incident, RiskStatement

# The columns a list row is made of, as `IncidentSerializer` reads them.
COLUMNS = (
    "id", "reference", "provider_id", "category", "subtype", "title", "description",
    "discovered_at", "discovery_timezone", "discovered_by_affiliate_id", "discovered_by_name",
    "status", "notification_due_at", "submitted_at", "is_late", "late_reason",
    "revenue_risk", "current_version", "created_at", "updated_at",
)
RISK_COLUMNS = ("pes_model_id", "nature_of_risk", "effect_on_pes")


def _pes_models():
    # In PESModel's own ordering, as the incident's `pes_models` reads them.
    return Incident.pes_models.through.objects.order_by(
        "pesmodel__provider_id", "pesmodel__name", "pesmodel_id")


def _risk_statements():
    return RiskStatement.objects.order_by("position", "id")


@cache
def _array_sql():
    """SQL of the arrays a PostgreSQL row brings: its PES models' ids (in PESModel's
    ordering) and its risk statements' columns (in their order)."""
    incident = f'"{Incident._meta.db_table}"."id"'
    through = Incident.pes_models.through._meta.db_table
    model = PESModel._meta.db_table
    risk = RiskStatement._meta.db_table
    arrays = {"listed_pes_models": (
        f"ARRAY(SELECT t.pesmodel_id FROM {through} t JOIN {model} m ON m.id = t.pesmodel_id "
        f"WHERE t.incident_id = {incident} ORDER BY m.provider_id, m.name, m.id)",
        IntegerField())}
    for column, field in zip(RISK_COLUMNS, (IntegerField(), TextField(), TextField()),
                             strict=True):
        arrays[f"listed_risk_{column}"] = (
            f"ARRAY(SELECT r.{column} FROM {risk} r WHERE r.incident_id = {incident} "
            f"ORDER BY r.position, r.id)", field)
    return arrays


def list_rows(queryset):
    """`queryset` of incidents as the values `rows` reads."""
    found = queryset.values(*COLUMNS)
    if connections[queryset.db].vendor != "postgresql":
        return found
    return found.annotate(**{
        name: RawSQL(sql, (), output_field=ArrayField(field))
        for name, (sql, field) in _array_sql().items()})


def _time_format():
    """How `AwareDateTimeField` writes a time (UTC, in the API's format)."""
    field = AwareDateTimeField()
    output_format = getattr(field, "format", api_settings.DATETIME_FORMAT)
    if output_format is None or output_format.lower() == "iso-8601":
        return field.to_representation
    utc = field.timezone
    return lambda value: value.astimezone(utc).strftime(output_format)


def _relations(page):
    """{incident id: PES model ids} and {incident id: risk statements} of `page`."""
    models = defaultdict(list)
    statements = defaultdict(list)
    if page and "listed_pes_models" in page[0]:
        for row in page:
            models[row["id"]] = row["listed_pes_models"]
            statements[row["id"]] = [
                {"pes_model": model_id, "nature_of_risk": nature, "effect_on_pes": effect}
                for model_id, nature, effect in zip(
                    *(row[f"listed_risk_{column}"] for column in RISK_COLUMNS), strict=True)]
        return models, statements
    ids = [row["id"] for row in page]
    if not ids:
        return models, statements
    for incident_id, model_id in _pes_models().filter(incident_id__in=ids).values_list(
            "incident_id", "pesmodel_id"):
        models[incident_id].append(model_id)
    for incident_id, model_id, nature, effect in _risk_statements().filter(
            incident_id__in=ids).values_list("incident_id", *RISK_COLUMNS):
        statements[incident_id].append(
            {"pes_model": model_id, "nature_of_risk": nature, "effect_on_pes": effect})
    return models, statements


def rows(page):
    """The serialized incidents of `page` (values of `list_rows`), in its order."""
    page = list(page)
    models, statements = _relations(page)
    time = _time_format()

    def when(value):
        return None if value is None else time(value)

    return [{
        "id": row["id"],
        "reference": row["reference"],
        "provider": row["provider_id"],
        "category": row["category"],
        "subtype": row["subtype"],
        "title": row["title"],
        "description": row["description"],
        "discovered_at": when(row["discovered_at"]),
        "discovery_timezone": row["discovery_timezone"],
        "discovered_by_affiliate": row["discovered_by_affiliate_id"],
        "discovered_by_name": row["discovered_by_name"],
        "pes_models": models[row["id"]],
        "risk_statements": statements[row["id"]],
        "status": row["status"],
        "notification_due_at": when(row["notification_due_at"]),
        "submitted_at": when(row["submitted_at"]),
        "is_late": row["is_late"],
        "late_reason": row["late_reason"],
        "revenue_risk": row["revenue_risk"],
        "version": row["current_version"],
        "created_at": when(row["created_at"]),
        "updated_at": when(row["updated_at"]),
    } for row in page]
