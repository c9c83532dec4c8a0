"""Incidents for tests: drafts and filings made through the services, like the product does."""

from datetime import UTC, datetime, timedelta

import factory
import time_machine
from django.utils import timezone

from incidents import services
from incidents.models import Category, Incident, IncidentStatus, Subtype
from tests import factories

# A fixed instant the tests travel to; discoveries happen shortly before it.
NOW = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)


class IncidentFactory(factory.django.DjangoModelFactory):
    """A draft row without its obligation: for list and visibility tests only."""

    class Meta:
        model = Incident

    provider = factory.SubFactory(factories.ProviderFactory)
    category = Category.SECURITY_WEAKNESS
    subtype = Subtype.EQUIPMENT_DEFECT
    title = factory.Sequence(lambda n: f"Weakness {n}")
    description = "A meter accepts a reset without a valid descending register."
    discovered_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=2))
    discovery_timezone = "America/New_York"
    discovered_by_name = "Dana Discoverer"
    status = IncidentStatus.DRAFT
    notification_due_at = factory.LazyAttribute(lambda o: o.discovered_at + timedelta(hours=24))
    created_by = factory.SubFactory(factories.OfficerFactory,
                                    provider=factory.SelfAttribute("..provider"))
    created_at = factory.LazyFunction(timezone.now)
    updated_at = factory.LazyFunction(timezone.now)


def draft_values(provider, **overrides):
    """Valid content for a security weakness of `provider` with one new PES model."""
    values = {
        "category": Category.SECURITY_WEAKNESS,
        "subtype": Subtype.EQUIPMENT_DEFECT,
        "title": "Meter accepts forged resets",
        "description": "Resets without a valid descending register are accepted.",
        "discovered_at": timezone.now() - timedelta(hours=2),
        "discovery_timezone": "America/New_York",
        "discovered_by_name": "Dana Discoverer",
    }
    if "pes_models" not in overrides:
        values["pes_models"] = [factories.PESModelFactory(provider=provider)]
    values.update(overrides)
    return values


def make_draft(officer, **overrides):
    with factories.committed():
        return services.create_draft(actor=officer,
                                     **draft_values(officer.provider, **overrides))


def make_filed(officer, at=None, late_reason="", **overrides):
    """A submitted incident; `at` is when it is filed (discovery 2 hours before, unless
    given)."""
    at = at or timezone.now()
    with time_machine.travel(at - timedelta(hours=1), tick=False):
        overrides.setdefault("discovered_at", at - timedelta(hours=2))
        incident = make_draft(officer, **overrides)
    with time_machine.travel(at, tick=False), factories.committed():
        services.submit_incident(actor=officer, incident=incident, late_reason=late_reason)
    incident.refresh_from_db()
    return incident
