from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail

from compliance.models import AuditEvent, DeadlinePolicy, ObligationKind, ObligationState
from notifications.models import EmailPreference, EmailState, OutboundEmail
from notifications.schedule import reschedule_reminders
from notifications.services import send_due_emails
from notifications.sweep import sweep
from tests import factories

from .conftest import DUE

pytestmark = pytest.mark.django_db


def run_sweep_at(when):
    """A sweep at `when`, then the worker's next send of the outbox."""
    with time_machine.travel(when, tick=False):
        result = sweep()
        send_due_emails()
    return result


def recipients_of(emails):
    return sorted(e.to[0] for e in emails)


def test_it_reminds_provider_staff_twelve_hours_before_a_notification_is_due(
        obligation, officer_a, viewer_a, officer_b, reviewer):
    result = run_sweep_at(DUE - timedelta(hours=11, minutes=59))

    assert result.emails_queued == 2
    assert recipients_of(mail.outbox) == [officer_a.email, viewer_a.email]
    assert "Due in 11 hours, 59 minutes" in mail.outbox[0].subject


def test_it_sends_each_reminder_step_once_however_often_it_sweeps(
        obligation, officer_a):
    for minutes in (0, 1, 2, 30):
        run_sweep_at(DUE - timedelta(hours=12) + timedelta(minutes=minutes))
    assert len(mail.outbox) == 1

    run_sweep_at(DUE - timedelta(hours=4))
    run_sweep_at(DUE - timedelta(hours=3))
    assert len(mail.outbox) == 2


def test_it_sends_only_the_latest_step_after_an_outage(obligation, officer_a):
    run_sweep_at(DUE - timedelta(minutes=30))

    assert len(mail.outbox) == 1
    assert OutboundEmail.objects.get().step.endswith("before-1h")


def test_it_marks_an_unmet_obligation_missed_at_its_due_time_and_audits_it(
        obligation, officer_a):
    run_sweep_at(DUE - timedelta(seconds=1))
    obligation.refresh_from_db()
    assert obligation.state == ObligationState.OPEN
    # Met at its due instant it would be on time (`is_late` is strict): not missed yet.
    run_sweep_at(DUE)
    obligation.refresh_from_db()
    assert obligation.state == ObligationState.OPEN
    # Nor within its second (a day's end is 23:59:59 there, all of it still the day).
    run_sweep_at(DUE + timedelta(microseconds=999_999))
    obligation.refresh_from_db()
    assert obligation.state == ObligationState.OPEN

    run_sweep_at(DUE + timedelta(seconds=5))

    obligation.refresh_from_db()
    assert obligation.state == ObligationState.MISSED
    assert obligation.missed_at == DUE + timedelta(seconds=5)
    event = AuditEvent.objects.for_object(obligation).get(action="obligation.missed")
    assert event.changes == {"state": ["open", "missed"]}
    # Named as the duty's other events name it: which duty of the case was missed.
    assert event.object_repr == str(obligation) == "24-hour notification for PES-2026-00001 Meter"


def test_it_escalates_at_due_to_officers_and_the_assigned_reviewer_only(
        obligation, officer_a, viewer_a, reviewer, manager):
    other_reviewer = factories.ReviewerFactory()
    obligation.reviewer = reviewer
    obligation.save()

    run_sweep_at(DUE + timedelta(minutes=1))

    assert recipients_of(mail.outbox) == sorted([officer_a.email, reviewer.email])
    assert other_reviewer.email not in recipients_of(mail.outbox)
    assert all(m.subject.startswith("[Escalation] Overdue") for m in mail.outbox)


def test_it_escalates_to_every_reviewer_when_none_is_assigned(
        obligation, officer_a, reviewer):
    second = factories.ReviewerFactory()

    run_sweep_at(DUE + timedelta(minutes=1))

    assert recipients_of(mail.outbox) == sorted([officer_a.email, reviewer.email, second.email])


def test_it_repeats_escalations_with_backoff_and_adds_managers_after_a_day(
        obligation, officer_a, reviewer, manager):
    sent_at = {}
    for hours in (0, 1, 4, 5, 16, 40):
        before = len(mail.outbox)
        run_sweep_at(DUE + timedelta(hours=hours, minutes=1))
        sent_at[hours] = recipients_of(mail.outbox[before:])

    assert sent_at[1] == [] and sent_at[5] == []
    assert sent_at[4] == sorted([officer_a.email, reviewer.email])
    assert sent_at[16] == sorted([officer_a.email, reviewer.email])
    assert sent_at[40] == sorted([officer_a.email, reviewer.email, manager.email])


def test_it_never_tells_usps_about_a_draft_the_provider_has_not_filed(
        obligation, officer_a, reviewer, manager):
    obligation.usps_visible = False
    obligation.save()

    run_sweep_at(DUE + timedelta(hours=40, minutes=1))

    assert recipients_of(mail.outbox) == [officer_a.email]


def test_it_sends_nothing_for_an_obligation_already_met(
        obligation, officer_a):
    obligation.state = ObligationState.MET
    obligation.met_at = DUE - timedelta(days=1)
    reschedule_reminders(obligation, DeadlinePolicy.in_force())
    obligation.save()

    run_sweep_at(DUE + timedelta(hours=5))

    assert mail.outbox == []
    obligation.refresh_from_db()
    assert obligation.state == ObligationState.MET


def test_the_email_names_the_duty_the_case_and_the_due_time_in_both_zones(
        obligation, officer_a):
    officer_a.timezone = "Europe/Paris"
    officer_a.save()

    run_sweep_at(DUE - timedelta(hours=4))

    message = mail.outbox[0]
    assert "24-hour notification (§ 501.11(b))" in message.body
    assert "PES-2026-00001 Meter" in message.body
    assert "Wednesday 10 June 2026, 18:00 CEST (Europe/Paris)" in message.body
    assert "2026-06-10 16:00 UTC" in message.body
    assert "due in 4 hours, 0 minutes" in message.body
    assert "http://127.0.0.1:8000/incidents/41/" in message.body
    html = message.alternatives[0][0]
    assert "Open the case" in html and "18:00 CEST" in html


def test_an_officer_can_mute_written_report_reminders_but_not_notification_ones(
        provider_a, officer_a):
    EmailPreference.objects.create(user=officer_a, muted_kinds=["written_report", "notification"])
    with time_machine.travel(DUE - timedelta(days=5), tick=False):
        for kind in (ObligationKind.WRITTEN_REPORT, ObligationKind.NOTIFICATION):
            o = factories.ObligationFactory(provider=provider_a, kind=kind, due_at=DUE,
                                            original_due_at=DUE)
            reschedule_reminders(o, DeadlinePolicy.in_force())
            o.save()

    run_sweep_at(DUE - timedelta(hours=4))
    kinds = {e.obligation.kind for e in OutboundEmail.objects.select_related("obligation")}
    assert kinds == {ObligationKind.NOTIFICATION}

    run_sweep_at(DUE + timedelta(minutes=1))
    escalated = {e.obligation.kind for e in OutboundEmail.objects.filter(audience="escalation")}
    assert escalated == {ObligationKind.NOTIFICATION, ObligationKind.WRITTEN_REPORT}


def test_a_reviewer_on_the_daily_digest_gets_no_single_escalations(
        obligation, officer_a, reviewer):
    EmailPreference.objects.create(user=reviewer, daily_digest=True)

    run_sweep_at(DUE + timedelta(minutes=1))

    assert recipients_of(mail.outbox) == [officer_a.email]


def test_it_records_when_it_last_ran(obligation):
    from compliance.models import Heartbeat

    run_sweep_at(DUE)

    assert Heartbeat.objects.get(name="sweep").at == DUE


def test_a_refused_email_stays_pending_with_backoff_then_fails_for_good(
        obligation, officer_a, settings):
    from notifications import services

    settings.EMAIL_BACKEND = "tests.notifications.backends.RefusingBackend"
    run_sweep_at(DUE - timedelta(hours=4))
    email = OutboundEmail.objects.get()
    assert (email.state, email.attempts) == (EmailState.PENDING, 1)
    assert "refused" in email.last_error
    assert email.next_attempt_at == DUE - timedelta(hours=4) + timedelta(minutes=1)

    when = DUE - timedelta(hours=4)
    for attempt in range(2, services.MAX_ATTEMPTS + 1):
        when = when + services.backoff(attempt - 1)
        with time_machine.travel(when, tick=False):
            services.deliver(email.pk)
    email.refresh_from_db()
    assert (email.state, email.attempts) == (EmailState.FAILED, services.MAX_ATTEMPTS)
    assert mail.outbox == []


def test_an_email_claimed_by_a_worker_that_died_is_sent_after_the_lease(
        obligation, officer_a):
    from notifications import services

    with time_machine.travel(DUE - timedelta(hours=4), tick=False):
        sweep()  # on-commit delivery is not run: as if the worker died
        email = OutboundEmail.objects.get()
        assert services.claim(email.pk)  # claimed, then the worker dies before sending
        assert services.due_email_ids() == []
    with time_machine.travel(DUE - timedelta(hours=4) + services.LEASE - timedelta(seconds=1)):
        assert services.deliver(email.pk) is None
    with time_machine.travel(DUE - timedelta(hours=4) + services.LEASE + timedelta(seconds=1)):
        assert services.due_email_ids() == [email.pk]
        assert services.deliver(email.pk) == EmailState.SENT
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("zone, local_due", [
    ("America/New_York", datetime(2026, 3, 8, 8, 0)),  # 4 h after the spring-forward gap
    ("Europe/Paris", datetime(2026, 10, 25, 4, 0)),  # 2 h after the autumn fold
])
def test_reminders_before_a_due_time_across_daylight_saving_fall_on_elapsed_hours(
        provider_a, officer_a, zone, local_due):
    from zoneinfo import ZoneInfo

    due = local_due.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)
    with time_machine.travel(due - timedelta(days=1), tick=False):
        o = factories.ObligationFactory(provider=provider_a, due_at=due, original_due_at=due)
        reschedule_reminders(o, DeadlinePolicy.in_force())
        o.save()

    run_sweep_at(due - timedelta(hours=4, seconds=1))
    assert [e.step.rsplit(":", 1)[1] for e in OutboundEmail.objects.all()] == ["before-12h"]
    run_sweep_at(due - timedelta(hours=4))

    assert sorted(e.step.rsplit(":", 1)[1] for e in OutboundEmail.objects.all()) == [
        "before-12h", "before-4h"]
