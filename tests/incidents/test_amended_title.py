"""What USPS's inbox and the duties call a case after the provider amends its title: the
case page's name, on every page, CSV, reminder and calendar entry that reads a duty's
subject."""
from datetime import timedelta

import pytest
import time_machine

from incidents import services as inc
from tests import factories
from tests.incidents.factories import NOW, make_filed

pytestmark = pytest.mark.django_db


def test_the_inbox_names_a_case_by_its_amended_title(officer_a, reviewer, api_for):
    incident = make_filed(officer_a, at=NOW - timedelta(hours=1), title="Seal lifts on M-1")
    with time_machine.travel(NOW, tick=False), factories.committed():
        inc.amend_incident(actor=officer_a, incident=incident,
                           amendment_reason="The title named the wrong defect.",
                           title="Forged resets accepted by M-1")
    incident.refresh_from_db()
    assert incident.title == "Forged resets accepted by M-1"

    with time_machine.travel(NOW, tick=False):
        [item] = api_for(reviewer).get("/api/v1/usps-inbox/").json()["results"]

    assert item["subject"] == "PES-2026-00001: Forged resets accepted by M-1"


def test_the_written_report_duty_names_a_case_by_its_amended_title(officer_a, reviewer,
                                                                    api_for):
    from compliance.models import Obligation, ObligationKind

    incident = make_filed(officer_a, at=NOW - timedelta(hours=2), title="Seal lifts on M-1")
    with time_machine.travel(NOW - timedelta(hours=1), tick=False), factories.committed():
        inc.triage_incident(actor=reviewer, incident=incident, revenue_risk="moderate",
                            rationale="Meter fleet of 200.")
    with time_machine.travel(NOW, tick=False), factories.committed():
        inc.amend_incident(actor=officer_a, incident=incident,
                           amendment_reason="The title named the wrong defect.",
                           title="Forged resets accepted by M-1")

    duty = Obligation.objects.get(incident_id=incident.pk, kind=ObligationKind.WRITTEN_REPORT)
    assert duty.subject == "PES-2026-00001: Forged resets accepted by M-1"
