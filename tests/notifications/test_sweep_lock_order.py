"""The sweep claims a duty of a case with the case, the case's row locked first, as a filing
locks them (the case, the audit chain, then the duty): a duty whose case another
transaction holds is left to a later pass, and the sweep never holds a duty that a filing
waits for while it waits for the chain."""

from datetime import timedelta

import pytest
import time_machine

from incidents.models import Incident
from notifications.sweep import sweep
from reports import services
from tests.concurrency import HeldRow, postgresql, rendezvous, run_together  # noqa: F401
from tests.reports.factories import NOW, WRITTEN, case_under_review, written_duty

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("postgresql")]


def test_filing_as_the_sweep_marks_the_duty_missed_neither_fails(officer_a):
    """The sweep has claimed what is overdue, the filing has locked the case, then each
    goes on: both succeed, and the report is late."""
    incident = case_under_review(officer_a, at=NOW, written_due=timedelta(days=14))
    now = written_duty(incident).due_at + timedelta(minutes=1)

    with time_machine.travel(now, tick=False), \
            rendezvous("notifications.sweep.update_due", "reports.services.flow.meet_duty"):
        results = run_together(
            lambda: sweep(now),
            lambda: services.file_report(actor=officer_a, incident=incident, kind="written",
                                         **WRITTEN))

    assert [repr(exc) for _, exc in results if exc is not None] == []
    assert written_duty(incident).state == "late"


def test_the_sweep_leaves_a_duty_whose_case_another_holds_to_a_later_pass(officer_a):
    """While another transaction holds the case's row, the sweep neither waits for it nor
    claims its duty; a later pass marks the duty missed."""
    incident = case_under_review(officer_a, at=NOW, written_due=timedelta(days=14))
    now = written_duty(incident).due_at + timedelta(minutes=1)
    case = HeldRow(Incident.objects.filter(pk=incident.pk))

    with time_machine.travel(now, tick=False):
        results = run_together(case.hold, lambda: case.meanwhile(lambda: sweep(now).missed))
        assert [exc for _, exc in results] == [None, None]
        missed, waited = results[1][0]
        assert missed == 0 and waited < 5
        assert written_duty(incident).state == "open"
        assert sweep(now).missed == 1
    assert written_duty(incident).state == "missed"
