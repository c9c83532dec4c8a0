"""USPS returns a report in the last second before its review target is due while the
sweep marks the target missed: the return, which waited on the sweep's lock, takes its time
after it and is late, never met on time with a miss on record."""

import threading
from datetime import timedelta
from unittest import mock

import pytest
import time_machine

from compliance.models import AuditEvent, Obligation, ObligationKind
from notifications.sweep import sweep
from reports.services.review import return_report
from tests.concurrency import postgresql, run_together  # noqa: F401
from tests.reports.factories import NOW, case_under_review, file_report_at

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("postgresql")]


def test_a_report_returned_as_the_sweep_marks_its_target_missed_is_not_met_on_time(
        officer_a, reviewer):
    case = case_under_review(officer_a, at=NOW - timedelta(hours=3))
    report, _ = file_report_at(officer_a, case, "written", at=NOW - timedelta(hours=1))
    target = Obligation.objects.get(kind=ObligationKind.USPS_REPORT_REVIEW,
                                    object_id=report.pk)

    reached, go = threading.Event(), threading.Event()
    from reports.services import review as review_module
    original = review_module._lock

    def held_lock(*args, **kwargs):
        reached.set()
        go.wait(10)
        # The lock waited on the sweep: the return goes on after it, later.
        clock.move_to(target.due_at + timedelta(seconds=30))
        return original(*args, **kwargs)

    def sweeper():
        assert reached.wait(10)
        try:
            return sweep(target.due_at + timedelta(minutes=1))
        finally:
            go.set()

    with time_machine.travel(target.due_at - timedelta(seconds=1), tick=False) as clock, \
            mock.patch("reports.services.review._lock", side_effect=held_lock):
        results = run_together(
            lambda: return_report(actor=reviewer, report=report, comment="Say more."),
            sweeper)

    assert [repr(e) for _, e in results if e] == []
    target.refresh_from_db()
    missed_events = AuditEvent.objects.filter(action="usps_target.missed",
                                              object_id=str(target.pk)).count()
    # The sweep marked the target missed first: the return, which waited on it, is late,
    # never met on time with a miss on record.
    assert (target.state, missed_events) == ("late", 1), (
        target.state, missed_events, target.met_at, target.missed_at)
