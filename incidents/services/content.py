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


def apply_relations(incident, values):
    """Replace the affected PES models and the risk statements."""
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
        qs = qs.select_for_update()
    return qs.order_by("id").first()
