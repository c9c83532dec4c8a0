"""The flow of obligations through a case, with the clock moved: written report, return
and resubmission, acceptance, status-report cadence, revised completion date, final
summary and closing."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from compliance.canonical import sha256_of
from compliance.errors import Conflict
from compliance.models import (
    AuditEvent,
    DeadlinePolicy,
    Obligation,
    ObligationKind,
    ObligationState,
)
from compliance.services import grant_extension, open_obligation, request_extension
from incidents.models import IncidentStatus
from notifications.sweep import sweep
from reports import services
from reports.models import ReportReview, ReportState
from tests.factories import committed

from .factories import (
    NOW,
    STATUS,
    WRITTEN,
    case_under_review,
    file_report_at,
    investigating,
    written_duty,
)

pytestmark = pytest.mark.django_db
DAY = timedelta(days=1)
# 23:59:59 of September 30 in the provider's zone (New York, EDT: UTC-4).
END_OF_SEPT_30 = datetime(2026, 10, 1, 3, 59, 59, tzinfo=UTC)


def duties(incident, kind):
    return list(Obligation.objects.filter(incident_id=incident.pk, kind=kind).order_by("id"))


def at(moment):
    return time_machine.travel(moment, tick=False)


def test_the_whole_case_runs_from_written_report_to_closing(officer_a, reviewer):
    incident = case_under_review(officer_a, at=NOW, interval=14)

    # The written report is filed on day 2 and returned on day 3 with a resubmission due.
    report, v1 = file_report_at(officer_a, incident, "written", at=NOW + 2 * DAY)
    assert written_duty(incident).state == ObligationState.MET
    with at(NOW + 3 * DAY):
        review = services.return_report(actor=reviewer, report=report,
                                        comment="Name the firmware versions.",
                                        resubmission_due_at=NOW + 5 * DAY)
    resubmission = review.resubmission_obligation
    assert resubmission.kind == "written_report" and resubmission.state == "open"
    assert resubmission.subject == f"{report.reference} (resubmission)"
    assert resubmission.due_at == NOW + 5 * DAY

    # The corrected version is filed late, on day 6: version 2, chained to version 1.
    report, v2 = file_report_at(officer_a, incident, "written", at=NOW + 6 * DAY,
                                circumstances="Meter M-1 firmware 4.2 accepts forged resets.")
    assert (report.pk, v2.number, report.state) == (report.pk, 2, ReportState.SUBMITTED)
    assert v2.document["previous_sha256"] == v1.sha256
    assert v2.changes == {"circumstances": [WRITTEN["circumstances"],
                                            "Meter M-1 firmware 4.2 accepts forged resets."]}
    resubmission.refresh_from_db()
    assert resubmission.state == ObligationState.LATE and v2.obligation == resubmission
    v1.refresh_from_db()
    assert v1.sha256 == sha256_of(v1.canonical_json)  # the first version is untouched

    # Accepted on day 7: the investigation starts.
    accepted_at = NOW + 7 * DAY
    with at(accepted_at):
        services.accept_report(actor=reviewer, report=report, comment="Thank you.")
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.INVESTIGATING
    [first_status] = duties(incident, "status_report")
    [final] = duties(incident, "final_summary")
    assert first_status.due_at == accepted_at + 14 * DAY
    assert final.due_at == END_OF_SEPT_30 and final.state == "open"

    # A status report on day 20 meets the first and opens the next, one interval later.
    _, status_v1 = file_report_at(officer_a, incident, "status", at=NOW + 20 * DAY)
    first_status.refresh_from_db()
    assert first_status.state == ObligationState.MET and status_v1.obligation == first_status
    second_status = duties(incident, "status_report")[1]
    assert second_status.due_at == NOW + 20 * DAY + 14 * DAY

    # A status report that revises the completion date moves the final summary's due time.
    file_report_at(officer_a, incident, "status", at=NOW + 30 * DAY,
                   anticipated_completion_date=date(2026, 10, 15))
    final.refresh_from_db()
    assert final.due_at == datetime(2026, 10, 16, 3, 59, 59, tzinfo=UTC)
    assert final.original_due_at == END_OF_SEPT_30
    moved = AuditEvent.objects.for_object(final).get(action="obligation.due_revised")
    assert moved.changes["due_at"][0] == END_OF_SEPT_30.isoformat()
    assert "2026-10-15" in moved.reason

    # The final summary is filed on time and accepted: the case closes with its duties.
    final_report, final_v1 = file_report_at(officer_a, incident, "final", at=NOW + 40 * DAY)
    final.refresh_from_db()
    assert final.state == ObligationState.MET and final_v1.obligation == final
    closed_at = NOW + 41 * DAY
    with at(closed_at):
        services.accept_report(actor=reviewer, report=final_report)
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.CLOSED and incident.closed_at == closed_at
    outstanding = Obligation.objects.filter(incident_id=incident.pk,
                                            state__in=["open", "missed"])
    assert not outstanding.provider_duties().exists()
    # The status reports were never reviewed: they still wait on USPS.
    assert {t.kind for t in outstanding.usps_targets()} == {ObligationKind.USPS_REPORT_REVIEW}
    waived = Obligation.objects.get(incident_id=incident.pk, state="waived")
    assert waived.kind == "status_report" and final_report.reference in waived.waived_reason
    assert AuditEvent.objects.for_object(incident).filter(action="incident.closed").exists()

    with pytest.raises(Conflict):
        file_report_at(officer_a, incident, "status", at=closed_at + DAY)


def test_nothing_more_is_filed_on_a_closed_case(officer_a, reviewer, api_for, client,
                                               settings, tmp_path):
    """Its final summary was accepted on what the case holds: no amendment of the
    notification, no attachment, and the page offers neither (comments go on)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from incidents.models import Attachment, Incident, IncidentVersion

    settings.MEDIA_ROOT = tmp_path
    incident = investigating(officer_a, reviewer)
    final_report, _ = file_report_at(officer_a, incident, "final", at=NOW + DAY)
    with at(NOW + 2 * DAY):
        services.accept_report(actor=reviewer, report=final_report)
    api = api_for(officer_a)

    with at(NOW + 3 * DAY):
        amended = api.post(f"/api/v1/incidents/{incident.pk}/amend/",
                           {"title": "Meter accepts forged resets (4.2)",
                            "amendment_reason": "Clearer title"})
        attached = api.post(f"/api/v1/incidents/{incident.pk}/attachments/",
                            {"file": SimpleUploadedFile("a.pdf", b"%PDF-1.7\n%%EOF\n")},
                            format="multipart")
        client.force_login(officer_a)
        page = client.get(f"/incidents/{incident.pk}/").content.decode()
        amend_page = client.get(f"/incidents/{incident.pk}/amend/")

    assert (amended.status_code, attached.status_code) == (409, 409)
    assert "The case is closed" in amended.json()["detail"]
    assert Incident.objects.get(pk=incident.pk).current_version == 1
    assert IncidentVersion.objects.filter(incident=incident).count() == 1
    assert not Attachment.objects.filter(incident=incident).exists()
    assert f"/incidents/{incident.pk}/amend/" not in page and 'id="attach"' not in page
    assert amend_page.status_code == 302


def test_a_status_report_after_its_due_time_is_late_and_the_next_still_follows(
        officer_a, reviewer):
    incident = investigating(officer_a, reviewer, interval=7)
    [first] = duties(incident, "status_report")
    filed_at = first.due_at + timedelta(hours=3)
    file_report_at(officer_a, incident, "status", at=filed_at)
    first.refresh_from_db()
    assert first.state == ObligationState.LATE
    assert duties(incident, "status_report")[1].due_at == filed_at + 7 * DAY


def test_a_missed_status_report_is_met_late(officer_a, reviewer):
    incident = investigating(officer_a, reviewer)
    [first] = duties(incident, "status_report")
    Obligation.objects.filter(pk=first.pk).update(state=ObligationState.MISSED)
    file_report_at(officer_a, incident, "status", at=first.due_at + DAY)
    first.refresh_from_db()
    assert first.state == ObligationState.LATE


def test_the_interval_falls_back_to_the_policy_for_the_risk(officer_a, reviewer):
    incident = investigating(officer_a, reviewer, interval=None, risk="high")
    [first] = duties(incident, "status_report")
    days = DeadlinePolicy.in_force().risk_windows["high"]["status_report_interval_days"]
    assert first.due_at == NOW + timedelta(days=days)


def test_the_interval_falls_back_to_30_days_without_a_risk(officer_a, reviewer):
    incident = investigating(officer_a, reviewer, interval=None, risk=None)
    [first] = duties(incident, "status_report")
    assert first.due_at == NOW + 30 * DAY


def test_a_status_report_keeping_the_date_leaves_the_final_summary_alone(officer_a, reviewer):
    incident = investigating(officer_a, reviewer)
    file_report_at(officer_a, incident, "status", at=NOW + DAY)
    [final] = duties(incident, "final_summary")
    assert final.due_at == final.original_due_at == END_OF_SEPT_30
    assert not AuditEvent.objects.for_object(final).filter(
        action="obligation.due_revised").exists()


def test_a_date_reported_after_the_final_summary_fell_due_leaves_it_as_it_was_unswept(
        officer_a, reviewer):
    """A minute past the final summary's due time, before any sweep: a status report's new
    date does not move the passed due time out of the miss (held against the filing's
    time, as the sweep holds it); within its last second it still would."""
    incident = investigating(officer_a, reviewer)
    [final] = duties(incident, "final_summary")
    assert final.due_at == END_OF_SEPT_30

    file_report_at(officer_a, incident, "status", at=END_OF_SEPT_30 + timedelta(minutes=1),
                   **{**STATUS, "anticipated_completion_date": date(2026, 11, 30)})

    final.refresh_from_db()
    assert final.due_at == END_OF_SEPT_30
    assert not AuditEvent.objects.for_object(final).filter(
        action="obligation.due_revised").exists()
    sweep(END_OF_SEPT_30 + timedelta(minutes=2))
    final.refresh_from_db()
    assert final.state == "missed"


def test_a_date_reported_within_the_final_summarys_last_second_still_moves_it(officer_a,
                                                                             reviewer):
    incident = investigating(officer_a, reviewer)
    [final] = duties(incident, "final_summary")

    file_report_at(officer_a, incident, "status",
                   at=END_OF_SEPT_30 + timedelta(microseconds=500_000),
                   **{**STATUS, "anticipated_completion_date": date(2026, 11, 30)})

    final.refresh_from_db()
    assert final.due_at > END_OF_SEPT_30 and final.state == "open"


def test_a_date_reported_after_the_final_summary_was_missed_leaves_it_missed(officer_a,
                                                                             reviewer):
    """The record that it was missed is permanent: a provider's later date does not reopen
    it; it stays owed, and its filing is late."""
    incident = investigating(officer_a, reviewer)
    [final] = duties(incident, "final_summary")
    after = END_OF_SEPT_30 + DAY
    with at(after), committed():
        sweep(after)

    file_report_at(officer_a, incident, "status", at=after + DAY,
                   **{**STATUS, "anticipated_completion_date": date(2026, 11, 30)})

    final.refresh_from_db()
    assert (final.state, final.due_at) == (ObligationState.MISSED, END_OF_SEPT_30)
    assert not AuditEvent.objects.for_object(final).filter(
        action="obligation.due_revised").exists()
    file_report_at(officer_a, incident, "final", at=after + 2 * DAY)
    final.refresh_from_db()
    assert final.state == ObligationState.LATE


def test_a_completion_date_passed_while_usps_held_the_report_gives_way_to_the_first_status(
        officer_a, reviewer):
    """Filed June 11 expecting to finish June 12, accepted June 15: the provider could not
    revise the date meanwhile, so the final summary is due with the first status report's
    day, not overdue from the start."""
    incident = case_under_review(officer_a, at=NOW)
    report, _ = file_report_at(officer_a, incident, "written", at=NOW + DAY,
                               **{**WRITTEN, "anticipated_completion_date": date(2026, 6, 12)})
    accepted = NOW + 5 * DAY
    with at(accepted), committed():
        services.accept_report(actor=reviewer, report=report)
        sweep(accepted + DAY)

    [status] = duties(incident, "status_report")
    [final] = duties(incident, "final_summary")
    assert status.due_at == accepted + 14 * DAY
    # 23:59:59 of that day in New York (EDT, UTC-4)
    day = (status.due_at - timedelta(hours=4)).date()
    assert final.due_at == datetime(day.year, day.month, day.day, 3, 59, 59,
                                    tzinfo=UTC) + DAY
    assert final.state == ObligationState.OPEN


def test_a_returned_status_report_is_corrected_without_opening_another_cadence_duty(
        officer_a, reviewer):
    incident = investigating(officer_a, reviewer)
    report, _ = file_report_at(officer_a, incident, "status", at=NOW + DAY)
    assert len(duties(incident, "status_report")) == 2
    with at(NOW + 2 * DAY):
        review = services.return_report(actor=reviewer, report=report, comment="More detail.")
    assert len(duties(incident, "status_report")) == 3
    corrected, v2 = file_report_at(officer_a, incident, "status", at=NOW + 3 * DAY,
                                   progress="Much more detail.")
    assert corrected.pk == report.pk and v2.number == 2
    review.resubmission_obligation.refresh_from_db()
    assert review.resubmission_obligation.state == ObligationState.MET
    cadence = duties(incident, "status_report")[1]
    assert cadence.state == ObligationState.OPEN  # the cadence duty is still owed
    assert len(duties(incident, "status_report")) == 3


def test_a_return_without_a_due_time_takes_the_policy_window(officer_a, reviewer):
    incident = case_under_review(officer_a, risk="critical")
    report, _ = file_report_at(officer_a, incident, "written", at=NOW)
    with at(NOW + DAY):
        review = services.return_report(actor=reviewer, report=report, comment="Fix it.")
    days = DeadlinePolicy.in_force().risk_windows["critical"]["written_report_days"]
    # Three days after the return's day, by the end of that day in the provider's zone.
    assert days == 3
    assert review.resubmission_due_at == datetime(2026, 6, 15, 3, 59, 59, tzinfo=UTC)


def test_a_return_needs_a_comment_and_a_future_due_time(officer_a, reviewer):
    incident = case_under_review(officer_a)
    report, _ = file_report_at(officer_a, incident, "written", at=NOW)
    with at(NOW + DAY), pytest.raises(ValidationError) as exc:
        services.return_report(actor=reviewer, report=report, comment=" ",
                               resubmission_due_at=NOW)
    assert set(exc.value.message_dict) == {"comment", "resubmission_due_at"}
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED and not ReportReview.objects.exists()


def test_a_resubmission_must_change_something(officer_a, reviewer):
    incident = case_under_review(officer_a)
    report, _ = file_report_at(officer_a, incident, "written", at=NOW)
    with at(NOW + DAY):
        services.return_report(actor=reviewer, report=report, comment="Fix it.")
    with pytest.raises(ValidationError):
        file_report_at(officer_a, incident, "written", at=NOW + 2 * DAY)


def test_only_a_report_awaiting_review_is_accepted_or_returned(officer_a, reviewer):
    incident = case_under_review(officer_a)
    report, _ = file_report_at(officer_a, incident, "written", at=NOW)
    with at(NOW + DAY):
        services.return_report(actor=reviewer, report=report, comment="Fix it.")
        with pytest.raises(Conflict):
            services.accept_report(actor=reviewer, report=report)
        with pytest.raises(Conflict):
            services.return_report(actor=reviewer, report=report, comment="Again.")


@pytest.mark.parametrize("who", ["officer_a", "viewer_a", "officer_b"])
def test_only_usps_accepts_or_returns(request, who, officer_a):
    incident = case_under_review(officer_a)
    report, _ = file_report_at(officer_a, incident, "written", at=NOW)
    actor = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        services.accept_report(actor=actor, report=report)
    with pytest.raises(PermissionDenied):
        services.return_report(actor=actor, report=report, comment="x")


def test_a_manager_may_accept(officer_a, manager):
    incident = case_under_review(officer_a)
    report, _ = file_report_at(officer_a, incident, "written", at=NOW)
    with at(NOW + DAY):
        review = services.accept_report(actor=manager, report=report)
    assert review.decision == "accepted"


def test_closing_keeps_a_missed_duty_missed_and_owed_no_more(officer_a, reviewer):
    incident = investigating(officer_a, reviewer)
    with at(NOW):
        # Duties of a kind the filing of the final summary leaves alone (it ends the
        # status reports itself).
        missed = open_obligation(actor=None, kind="written_report", provider=incident.provider,
                                 subject="missed", due_at=NOW + DAY, incident_id=incident.pk)
        ahead = open_obligation(actor=None, kind="written_report", provider=incident.provider,
                                subject="ahead", due_at=NOW + 9 * DAY, incident_id=incident.pk)
    Obligation.objects.filter(pk=missed.pk).update(state=ObligationState.MISSED,
                                                   missed_at=NOW + DAY)
    final, _ = file_report_at(officer_a, incident, "final", at=NOW + 2 * DAY)
    with at(NOW + 3 * DAY):
        services.accept_report(actor=reviewer, report=final)

    missed.refresh_from_db()
    ahead.refresh_from_db()
    # The record of the miss is permanent; the case being closed, it is owed no more.
    assert (missed.state, missed.missed_at, missed.waived_reason) == (
        ObligationState.MISSED, NOW + DAY, "")
    assert missed.closed_at == NOW + 3 * DAY and "is closed" in missed.closed_reason
    assert missed.next_action_at is None and not missed.is_outstanding
    # What was not yet due is waived, and closed at the same time.
    assert (ahead.state, ahead.closed_at) == (ObligationState.WAIVED, NOW + 3 * DAY)
    assert "is closed" in ahead.waived_reason
    assert not Obligation.objects.outstanding().filter(incident_id=incident.pk).exists()
    incident.refresh_from_db()
    assert incident.owed_due_at is None
    event = AuditEvent.objects.for_object(missed).get(action="obligation.closed")
    assert "state" not in event.changes and event.changes["closed_at"][0] is None


def test_a_final_summary_filed_late_on_its_due_day_where_the_clocks_go_back_is_on_time(
        officer_a, reviewer):
    # Santiago's clocks go back at midnight on April 4, 2026: 23:59:59 comes twice, and a
    # final summary due by the end of that day may be filed until the second one.
    provider = officer_a.provider
    provider.timezone = "America/Santiago"
    provider.save()
    start = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
    incident = case_under_review(officer_a, at=start)
    report, _ = file_report_at(officer_a, incident, "written", at=start + DAY,
                               anticipated_completion_date=date(2026, 4, 4))
    with at(start + 2 * DAY):
        services.accept_report(actor=reviewer, report=report)
    [final] = duties(incident, "final_summary")
    assert final.due_at == datetime(2026, 4, 5, 3, 59, 59, tzinfo=UTC)
    file_report_at(officer_a, incident, "final", at=datetime(2026, 4, 5, 3, 30, tzinfo=UTC))
    final.refresh_from_db()
    assert final.state == ObligationState.MET


def extend(officer, reviewer, duty, due_at, moment):
    """The officer asks for `due_at` on `duty` and USPS grants it, at `moment`."""
    with at(moment):
        extension = request_extension(actor=officer, obligation=duty, requested_due_at=due_at,
                                      justification="The lab is booked.")
        grant_extension(actor=reviewer, extension=extension)
    duty.refresh_from_db()
    assert duty.due_at == due_at


def test_a_status_report_keeping_the_date_leaves_a_granted_extension_alone(officer_a,
                                                                           reviewer):
    incident = investigating(officer_a, reviewer)
    [final] = duties(incident, "final_summary")
    extend(officer_a, reviewer, final, END_OF_SEPT_30 + 14 * DAY, NOW + DAY)

    file_report_at(officer_a, incident, "status", at=NOW + 2 * DAY)

    final.refresh_from_db()
    assert final.due_at == END_OF_SEPT_30 + 14 * DAY
    assert not AuditEvent.objects.for_object(final).filter(
        action="obligation.due_revised").exists()


def test_a_status_report_is_compared_with_the_date_last_reported_not_the_due_time(
        officer_a, reviewer):
    incident = investigating(officer_a, reviewer)
    [final] = duties(incident, "final_summary")
    # The first status report revises the date: the final summary follows it.
    file_report_at(officer_a, incident, "status", at=NOW + DAY,
                   anticipated_completion_date=date(2026, 10, 15))
    final.refresh_from_db()
    assert final.due_at == datetime(2026, 10, 16, 3, 59, 59, tzinfo=UTC)
    extend(officer_a, reviewer, final, datetime(2026, 10, 31, 3, 59, 59, tzinfo=UTC),
           NOW + 2 * DAY)

    # The next one repeats October 15: nothing changed, the extension stands.
    file_report_at(officer_a, incident, "status", at=NOW + 3 * DAY,
                   anticipated_completion_date=date(2026, 10, 15))
    final.refresh_from_db()
    assert final.due_at == datetime(2026, 10, 31, 3, 59, 59, tzinfo=UTC)

    # A later one that does change the date moves the due time again.
    file_report_at(officer_a, incident, "status", at=NOW + 4 * DAY,
                   anticipated_completion_date=date(2026, 11, 5))
    final.refresh_from_db()
    assert final.due_at == datetime(2026, 11, 6, 4, 59, 59, tzinfo=UTC)  # EST: UTC-5
    moved = AuditEvent.objects.for_object(final).filter(
        action="obligation.due_revised").order_by("id")
    assert [e.reason for e in moved][-1].endswith("from 2026-10-15 to 2026-11-05.")
    assert moved.count() == 2


def test_a_corrected_status_report_keeping_the_date_leaves_a_granted_extension_alone(
        officer_a, reviewer):
    incident = investigating(officer_a, reviewer)
    [final] = duties(incident, "final_summary")
    report, _ = file_report_at(officer_a, incident, "status", at=NOW + DAY)
    with at(NOW + 2 * DAY):
        services.return_report(actor=reviewer, report=report, comment="More detail.")
    extend(officer_a, reviewer, final, END_OF_SEPT_30 + 14 * DAY, NOW + 3 * DAY)

    _, v2 = file_report_at(officer_a, incident, "status", at=NOW + 4 * DAY,
                           progress="Much more detail.")

    assert v2.number == 2
    final.refresh_from_db()
    assert final.due_at == END_OF_SEPT_30 + 14 * DAY


def test_a_corrected_status_report_changing_the_date_moves_the_final_summary(officer_a,
                                                                             reviewer):
    incident = investigating(officer_a, reviewer)
    [final] = duties(incident, "final_summary")
    report, _ = file_report_at(officer_a, incident, "status", at=NOW + DAY)
    with at(NOW + 2 * DAY):
        services.return_report(actor=reviewer, report=report, comment="Is the date right?")

    file_report_at(officer_a, incident, "status", at=NOW + 3 * DAY,
                   anticipated_completion_date=date(2026, 10, 15))

    final.refresh_from_db()
    assert final.due_at == datetime(2026, 10, 16, 3, 59, 59, tzinfo=UTC)
    assert final.original_due_at == END_OF_SEPT_30


def test_a_report_is_not_returned_once_the_case_is_closed(officer_a, reviewer):
    incident = investigating(officer_a, reviewer)
    status, _ = file_report_at(officer_a, incident, "status", at=NOW + DAY)
    final, _ = file_report_at(officer_a, incident, "final", at=NOW + 2 * DAY)
    with at(NOW + 3 * DAY):
        services.accept_report(actor=reviewer, report=final)
    obligations = list(Obligation.objects.filter(incident_id=incident.pk)
                       .order_by("id").values())
    events = AuditEvent.objects.count()

    with at(NOW + 4 * DAY), pytest.raises(Conflict) as refused:
        services.return_report(actor=reviewer, report=status, comment="Say more.")

    assert "The case is closed" in refused.value.message
    status.refresh_from_db()
    assert status.state == ReportState.SUBMITTED and not status.reviews.exists()
    assert list(Obligation.objects.filter(incident_id=incident.pk)
                .order_by("id").values()) == obligations
    assert AuditEvent.objects.count() == events


def test_usps_closes_its_review_of_a_report_on_a_closed_case_by_accepting_it(officer_a,
                                                                             reviewer):
    incident = investigating(officer_a, reviewer)
    status, _ = file_report_at(officer_a, incident, "status", at=NOW + DAY)
    final, _ = file_report_at(officer_a, incident, "final", at=NOW + 2 * DAY)
    with at(NOW + 3 * DAY):
        services.accept_report(actor=reviewer, report=final)
        services.accept_report(actor=reviewer, report=status)
    status.refresh_from_db()
    assert status.state == ReportState.ACCEPTED
    assert not Obligation.objects.filter(incident_id=incident.pk,
                                         state__in=["open", "missed"]).exists()


def test_a_filed_final_summary_ends_the_status_reports_while_usps_reviews_it(officer_a,
                                                                            reviewer):
    """The summary filed on day 1, the status report due on day 7, USPS accepting on day
    11: the provider owes no status report meanwhile, and none is missed (§ 501.11(c):
    status reports during the investigation, the summary on its completion)."""
    incident = investigating(officer_a, reviewer, interval=7)
    final, _ = file_report_at(officer_a, incident, "final", at=NOW + DAY)
    [status] = duties(incident, "status_report")
    assert status.state == ObligationState.WAIVED and status.closed_at == NOW + DAY
    assert final.reference in status.closed_reason
    with at(NOW + 10 * DAY), committed():
        sweep()
    with at(NOW + 11 * DAY), committed():
        services.accept_report(actor=reviewer, report=final)
    assert [d.state for d in duties(incident, "status_report")] == [ObligationState.WAIVED]


def test_a_status_report_filed_after_the_final_summary_opens_no_next_one(officer_a, reviewer):
    incident = investigating(officer_a, reviewer, interval=7)
    file_report_at(officer_a, incident, "final", at=NOW + DAY)
    file_report_at(officer_a, incident, "status", at=NOW + 2 * DAY)
    assert not Obligation.objects.outstanding().filter(
        incident_id=incident.pk, kind="status_report").exists()


def test_a_status_report_missed_before_the_final_summary_stays_missed(officer_a, reviewer):
    incident = investigating(officer_a, reviewer, interval=7)
    with at(NOW + 8 * DAY), committed():
        sweep()
    file_report_at(officer_a, incident, "final", at=NOW + 9 * DAY)
    [status] = duties(incident, "status_report")
    assert status.state == ObligationState.MISSED and status.closed_at == NOW + 9 * DAY


def test_waiving_a_status_report_keeps_the_cadence(officer_a, reviewer):
    """USPS releases the provider from one status report; the investigation goes on, so
    the next is due one interval after the waived one was."""
    from compliance.services.waivers import waive_obligation

    incident = investigating(officer_a, reviewer, interval=7)
    [first] = duties(incident, "status_report")
    with at(NOW + DAY), committed():
        waive_obligation(actor=reviewer, obligation=first, reason="The lab is closed.")
    first.refresh_from_db()
    [_, after] = duties(incident, "status_report")
    assert first.state == ObligationState.WAIVED
    assert (after.state, after.due_at) == (ObligationState.OPEN, first.due_at + 7 * DAY)


def test_waiving_a_missed_status_report_sets_the_next_from_the_waiver(officer_a, reviewer):
    from compliance.services.waivers import waive_obligation

    incident = investigating(officer_a, reviewer, interval=7)
    with at(NOW + 9 * DAY), committed():
        sweep()
    [first] = duties(incident, "status_report")
    with at(NOW + 10 * DAY), committed():
        waive_obligation(actor=reviewer, obligation=first, reason="Reported by phone.")
    [_, after] = duties(incident, "status_report")
    assert after.due_at == NOW + 17 * DAY


def test_waiving_a_status_report_after_the_final_summary_opens_none(officer_a, reviewer):
    """A correction USPS asked of a status report, waived once the summary is filed."""
    from compliance.services.waivers import waive_obligation

    incident = investigating(officer_a, reviewer, interval=7)
    status, _ = file_report_at(officer_a, incident, "status", at=NOW + DAY)
    with at(NOW + DAY + timedelta(hours=1)), committed():
        services.return_report(actor=reviewer, report=status, comment="More detail.")
    file_report_at(officer_a, incident, "final", at=NOW + 2 * DAY)
    [correction] = Obligation.objects.outstanding().filter(incident_id=incident.pk,
                                                           kind="status_report")
    with at(NOW + 3 * DAY), committed():
        waive_obligation(actor=reviewer, obligation=correction, reason="Not needed now.")
    assert not Obligation.objects.outstanding().filter(
        incident_id=incident.pk, kind="status_report").exists()


def test_a_draft_report_is_not_changed_once_the_case_is_closed(officer_a, reviewer, api_for,
                                                              client):
    from compliance.models import AuditEvent
    from reports.models import Report

    incident = investigating(officer_a, reviewer, interval=7)
    draft, _ = file_report_at(officer_a, incident, "status", at=NOW + DAY, draft=True)
    final, _ = file_report_at(officer_a, incident, "final", at=NOW + DAY)
    with at(NOW + 2 * DAY), committed():
        services.accept_report(actor=reviewer, report=final)
    before = (Report.objects.get(pk=draft.pk).progress, AuditEvent.objects.count())
    client.force_login(officer_a)
    with at(NOW + 3 * DAY):
        answer = api_for(officer_a).patch(f"/api/v1/reports/{draft.pk}/",
                                          {"progress": "Rewritten after closing."},
                                          format="json")
        page = client.get(f"/reports/{draft.pk}/").content.decode()
        edit = client.get(f"/reports/{draft.pk}/edit/")
    assert answer.status_code == 409 and "The case is closed" in answer.json()["detail"]
    assert (Report.objects.get(pk=draft.pk).progress, AuditEvent.objects.count()) == before
    assert 'data-testid="edit-report"' not in page
    assert edit.status_code == 302


def test_a_returned_report_on_a_closed_case_offers_no_correction(officer_a, reviewer, client):
    incident = investigating(officer_a, reviewer, interval=7)
    status, _ = file_report_at(officer_a, incident, "status", at=NOW + DAY)
    with at(NOW + DAY + timedelta(hours=1)), committed():
        services.return_report(actor=reviewer, report=status, comment="More detail.")
    final, _ = file_report_at(officer_a, incident, "final", at=NOW + 2 * DAY)
    with at(NOW + 3 * DAY), committed():
        services.accept_report(actor=reviewer, report=final)
    client.force_login(officer_a)
    with at(NOW + 4 * DAY):
        page = client.get(f"/reports/{status.pk}/").content.decode()
    assert 'data-testid="edit-report"' not in page


def _returned_then_given_more_time(officer, reviewer):
    """A written report returned with its correction due on day 5, then, on the officer's
    request, given until day 12."""
    incident = case_under_review(officer, at=NOW)
    report, _ = file_report_at(officer, incident, "written", at=NOW + DAY)
    with time_machine.travel(NOW + 2 * DAY, tick=False), committed():
        review = services.return_report(actor=reviewer, report=report,
                                        comment="Name the firmware versions.",
                                        resubmission_due_at=NOW + 5 * DAY)
    duty = review.resubmission_obligation
    with time_machine.travel(NOW + 3 * DAY, tick=False), committed():
        extension = request_extension(actor=officer, obligation=duty,
                                      requested_due_at=NOW + 12 * DAY,
                                      justification="The lab is booked.")
        grant_extension(actor=reviewer, extension=extension)
    return incident, report, duty


def test_a_returned_reports_page_shows_the_corrections_due_time_in_force(
        client, officer_a, reviewer):
    _, report, duty = _returned_then_given_more_time(officer_a, reviewer)
    client.force_login(officer_a)
    with time_machine.travel(NOW + 4 * DAY, tick=False):
        page = client.get(f"/reports/{report.pk}/").content.decode()
    due = page[page.index('data-testid="resubmission-due"'):]
    due = due[:due.index("</p>")]

    assert due.index(f'datetime="{(NOW + 12 * DAY).isoformat()}"') \
        < due.index(f'datetime="{(NOW + 5 * DAY).isoformat()}"')
    assert "the return set" in due and "moved since" in due


def test_the_reports_api_names_the_correction_duty_and_its_due_time_in_force(
        api_for, officer_a, reviewer):
    _, report, duty = _returned_then_given_more_time(officer_a, reviewer)
    api = api_for(officer_a)
    with time_machine.travel(NOW + 4 * DAY, tick=False):
        review = api.get(f"/api/v1/reports/{report.pk}/").json()["reviews"][-1]
        ledger = api.get(f"/api/v1/obligations/{review['resubmission_obligation']}/").json()

    assert review["resubmission_obligation"] == duty.pk
    assert datetime.fromisoformat(review["resubmission_obligation_due_at"]) \
        == datetime.fromisoformat(ledger["due_at"]) == NOW + 12 * DAY
    # What the return set stays on its record.
    assert datetime.fromisoformat(review["resubmission_due_at"]) == NOW + 5 * DAY


def _status_report_returned_then_waived(officer, reviewer):
    """A case under investigation (status reports every 7 days) whose first status report
    USPS returned, then waived its correction: (the case, that report)."""
    from compliance.services.waivers import waive_obligation

    incident = investigating(officer, reviewer, interval=7)
    sr1, _ = file_report_at(officer, incident, "status", at=NOW + DAY)
    with time_machine.travel(NOW + 2 * DAY, tick=False), committed():
        review = services.return_report(actor=reviewer, report=sr1, comment="More detail.")
    with time_machine.travel(NOW + 3 * DAY, tick=False), committed():
        waive_obligation(actor=reviewer, obligation=review.resubmission_obligation,
                         reason="Not needed: the next status report will cover it.")
    return incident, sr1


def test_once_usps_waives_a_status_reports_correction_the_next_one_meets_the_cadence(
        officer_a, reviewer, client):
    """A returned status report takes the next status filing as its correction while the
    correction is owed; once USPS waived it, the next status report is a new one, meeting
    the status report owed and opening the next, and the case page offers that."""
    incident, sr1 = _status_report_returned_then_waived(officer_a, reviewer)
    cadence = (Obligation.objects.outstanding()
               .filter(incident_id=incident.pk, kind="status_report").get())
    client.force_login(officer_a)
    with time_machine.travel(NOW + 6 * DAY, tick=False):
        page = client.get(f"/incidents/{incident.pk}/").content.decode()
    assert "Correct the returned status report" not in page

    report, version = file_report_at(officer_a, incident, "status", at=NOW + 7 * DAY,
                                     progress="Week two: firmware 4.3 in test.")

    cadence.refresh_from_db()
    assert report.pk != sr1.pk and version.obligation_id == cadence.pk
    assert cadence.state == ObligationState.MET
    assert Obligation.objects.outstanding().filter(
        incident_id=incident.pk, kind="status_report").get().due_at == NOW + 14 * DAY
    sr1.refresh_from_db()
    assert sr1.state == ReportState.RETURNED and sr1.current_version == 1


def test_a_returned_status_report_whose_correction_usps_waived_is_corrected_no_more(
        officer_a, reviewer, client, api_for):
    """Its page offers no correction and refuses one (409, what was typed kept), as the
    API does: filed, it would meet nothing while the status report owed went missed."""
    incident, sr1 = _status_report_returned_then_waived(officer_a, reviewer)
    client.force_login(officer_a)
    typed = {"progress": "Week two: firmware 4.3 in test.",
             "anticipated_completion_date": "2026-09-30", "file": "1"}

    with time_machine.travel(NOW + 7 * DAY, tick=False), committed():
        detail = client.get(f"/reports/{sr1.pk}/").content.decode()
        page = client.post(f"/reports/{sr1.pk}/edit/", typed)
        api = api_for(officer_a).post(f"/api/v1/reports/{sr1.pk}/submit/",
                                      {"progress": typed["progress"]}, format="json")

    assert f'/reports/{sr1.pk}/edit/' not in detail
    assert page.status_code == 409 and "firmware 4.3" in page.content.decode()
    assert "file the next status report instead" in page.content.decode()
    assert api.status_code == 409
    sr1.refresh_from_db()
    assert (sr1.current_version, sr1.state) == (1, ReportState.RETURNED)
