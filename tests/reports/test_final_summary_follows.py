"""The final summary whose anticipated completion date passed while USPS held the written
report is due at the first status report's day, where the provider reports a new date
(flow.start_investigation): when that day moves (USPS grants the report more time, or
waives it and the next is due later) the final summary moves with it, never missed before
the report that would give its new date is due."""

from datetime import date, timedelta

import pytest
import time_machine

from compliance.models import Obligation, ObligationState
from compliance.services import grant_extension, request_extension
from compliance.services.waivers import waive_obligation
from notifications.sweep import sweep
from reports import services
from tests.factories import committed
from tests.reports.factories import NOW, STATUS, WRITTEN, case_under_review, file_report_at

pytestmark = pytest.mark.django_db
DAY = timedelta(days=1)


def _one(incident, kind):
    [duty] = Obligation.objects.filter(incident_id=incident.pk, kind=kind).order_by("id")[:1]
    return duty


def _accepted_with_passed_date(officer, reviewer):
    incident = case_under_review(officer, at=NOW)
    report, _ = file_report_at(officer, incident, "written", at=NOW + DAY,
                               **{**WRITTEN, "anticipated_completion_date": date(2026, 6, 12)})
    accepted = NOW + 5 * DAY
    with time_machine.travel(accepted, tick=False), committed():
        services.accept_report(actor=reviewer, report=report)
    return incident, accepted


def test_an_extension_on_the_first_status_report_keeps_the_final_summary_in_time(
        officer_a, reviewer):
    incident, accepted = _accepted_with_passed_date(officer_a, reviewer)
    status = _one(incident, "status_report")
    final = _one(incident, "final_summary")
    # Pegged to the first status report's day.
    assert final.due_at > status.due_at and final.due_at - status.due_at < DAY

    with time_machine.travel(accepted + DAY, tick=False), committed():
        ext = request_extension(actor=officer_a, obligation=status,
                                requested_due_at=status.due_at + 10 * DAY,
                                justification="The lab is booked.")
        grant_extension(actor=reviewer, extension=ext)

    # Five days into the extension the provider files its first status report, on time,
    # with the new completion date; the sweep has run meanwhile.
    filed_at = status.due_at + 5 * DAY
    with time_machine.travel(filed_at, tick=False), committed():
        sweep(filed_at)
    file_report_at(officer_a, incident, "status", at=filed_at,
                   **{**STATUS, "anticipated_completion_date": date(2026, 9, 30)})

    status.refresh_from_db()
    final.refresh_from_db()
    assert status.state == ObligationState.MET
    assert final.state == ObligationState.OPEN, (
        f"final summary {final.state}, due {final.due_at}: pegged to the first status "
        f"report's original day, not to the day USPS granted it ({status.due_at})")


def test_a_waived_first_status_report_keeps_the_final_summary_with_the_next_one(
        officer_a, reviewer):
    incident, accepted = _accepted_with_passed_date(officer_a, reviewer)
    status = _one(incident, "status_report")
    with time_machine.travel(accepted + DAY, tick=False), committed():
        waive_obligation(actor=reviewer, obligation=status, reason="Not needed this time.")
    nxt = Obligation.objects.filter(incident_id=incident.pk, kind="status_report",
                                    state="open").get()
    final = _one(incident, "final_summary")
    assert final.due_at >= nxt.due_at, (
        f"final summary due {final.due_at}, before the status report where the new date is "
        f"reported ({nxt.due_at})")
