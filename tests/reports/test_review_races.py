"""USPS's review of one case's report and the triage of another case of the same provider,
at once: both change the row counting the provider's cases, and both append to the audit
chain. Each takes the count first and the chain last, so neither waits for the other."""

from datetime import timedelta

import pytest
import time_machine

from compliance.services.chain import verify_chain
from incidents.models import Incident, IncidentStatus
from incidents.services import triage_incident
from reports import services
from tests import factories
from tests.concurrency import meet_at, postgresql, run_together  # noqa: F401
from tests.incidents.factories import NOW, make_filed
from tests.reports.factories import case_under_review, file_report_at

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("postgresql")]


def test_accepting_a_written_report_while_another_case_is_triaged(officer_a, reviewer):
    """Reviewer 1 accepts case Y's written report (Y goes from under review to
    investigating) while reviewer 2 triages case X of the same provider and category (X
    goes to under review): held where each is about to take what the other holds, both go
    through. A deadlock answered one of them with a 500."""
    other = factories.ReviewerFactory(username="reviewer_two")
    case_y = case_under_review(officer_a, at=NOW - timedelta(hours=3))
    report, _ = file_report_at(officer_a, case_y, "written", at=NOW - timedelta(hours=2))
    case_x = make_filed(officer_a, at=NOW - timedelta(hours=1), title="Seal lifts")
    assert case_x.category == case_y.category

    with time_machine.travel(NOW, tick=True), \
            meet_at(("reports.services.review._set_incident_status", 1),
                    ("incidents.services.triage.open_obligation", 1)):
        results = run_together(
            lambda: services.accept_report(actor=reviewer, report=report),
            lambda: triage_incident(actor=other, incident=case_x, revenue_risk="moderate",
                                    rationale="Repeatable on every M-1."))

    assert [repr(exc) for _, exc in results if exc is not None] == []
    assert Incident.objects.get(pk=case_y.pk).status == IncidentStatus.INVESTIGATING
    assert Incident.objects.get(pk=case_x.pk).status == IncidentStatus.UNDER_REVIEW
    assert verify_chain().ok
