"""What USPS's inbox and the duties call a case after the provider amends its title: the
case page's name, on every page, CSV, reminder and calendar entry that reads a duty's
subject."""
import re
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


TYPED = "2026-06-09T22:15:00+00:00"


def _read(html):
    """What a reader sees: the page without its tags and their attributes."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize("place", ["versions", "timeline"])
def test_an_amended_title_that_looks_like_a_time_reads_as_typed(signed_in, officer_a,
                                                                api_for, place):
    """What the provider filed is shown as filed: not turned into a time in the reader's
    zone (nor into a choice's label, for a title that is some code)."""
    incident = make_filed(officer_a)
    amended = api_for(officer_a).post(f"/api/v1/incidents/{incident.pk}/amend/", {
        "title": TYPED, "amendment_reason": "The title is the log's stamp."}, format="json")
    assert amended.status_code == 201

    if place == "versions":
        page = signed_in(officer_a).get(f"/incidents/{incident.pk}/versions/").content
        shown = _read(page.decode().split('id="v2"')[1])
    else:
        page = signed_in(officer_a).get(f"/incidents/{incident.pk}/").content.decode()
        shown = _read(page[page.find("Incident amended"):])

    assert TYPED in shown
    assert "2026-06-09 18:15 EDT" not in shown
