"""Writing validated content onto an incident (inside the caller's transaction)."""

from compliance.models import Obligation, ObligationKind
from incidents.models import RiskStatement

SCALAR_FIELDS = (
    "category",
    "subtype",
    "title",
    "description",
    "discovered_at",
    "discovery_timezone",
    "discovered_by_affiliate",
    "discovered_by_name",
)


def apply_scalars(incident, values):
    for field in SCALAR_FIELDS:
        setattr(incident, field, values[field])


def risk_statements_of(incident):
    """The incident's risk statements in order, with their PES models: those prefetched
    with it when they were, else read."""
    prefetched = getattr(incident, "_prefetched_objects_cache", {}).get("risk_statements")
    if prefetched is not None:
        return sorted(prefetched, key=lambda r: (r.position, r.pk))
    return list(incident.risk_statements.select_related("pes_model").order_by("position",
                                                                                "id"))


def apply_relations(incident, values, new=False):
    """Replace the affected PES models and the risk statements (`new`: of an incident just
    inserted, which has none yet)."""
    # What was prefetched with the incident no longer holds.
    getattr(incident, "_prefetched_objects_cache", {}).pop("risk_statements", None)
    if new:
        incident.pes_models.add(*values["pes_models"])
    else:
        incident.pes_models.set(values["pes_models"])
        incident.risk_statements.all().delete()
    RiskStatement.objects.bulk_create([
        RiskStatement(incident=incident, position=n, **statement)
        for n, statement in enumerate(values["risk_statements"])
    ])


def notification_obligation(incident, lock=False):
    """The incident's § 501.11(b) duty in the ledger, or None."""
    qs = Obligation.objects.filter(incident_id=incident.pk, kind=ObligationKind.NOTIFICATION)
    if lock:
        qs = qs.select_for_update(no_key=True)
    return qs.order_by("id").first()
