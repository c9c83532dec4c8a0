"""E-mails around a due time: all of its last second is still in time, as a filing and the
sweep hold it. No escalation goes out within it, no reminder or digest calls the duty
overdue then; and an escalation a new policy puts at another time is sent, not taken for
one of the old policy's already sent."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail

from compliance.deadlines import is_late
from compliance.models import DeadlinePolicy, ObligationKind
from compliance.models.policy import DEFAULT_REMINDER_OFFSETS_HOURS, DEFAULT_RISK_WINDOWS
from compliance.services import fulfil_obligation
from compliance.services.policy import save_deadline_policy
from notifications.digest import send_digests
from notifications.models import EmailPreference
from notifications.schedule import reschedule_reminders
from notifications.services import send_due_emails
from notifications.sweep import sweep
from tests import factories

pytestmark = pytest.mark.django_db

DUE = datetime(2026, 6, 10, 16, 0, tzinfo=UTC)
WITHIN = DUE + timedelta(microseconds=500_000)


@pytest.fixture
def duty(provider_a, reviewer):
    with time_machine.travel(DUE - timedelta(days=2), tick=False):
        o = factories.ObligationFactory(
            provider=provider_a, kind=ObligationKind.WRITTEN_REPORT, subject="PES-2026-00001",
            due_at=DUE, original_due_at=DUE, incident_id=41, reviewer=reviewer)
        reschedule_reminders(o, DeadlinePolicy.in_force())
        o.save()
    return o


def at(when):
    with time_machine.travel(when, tick=False):
        sweep()
        send_due_emails()


def test_no_escalation_goes_out_within_the_due_times_last_second(duty, officer_a):
    at(WITHIN)
    assert not [m.subject for m in mail.outbox if m.subject.startswith("[Escalation]")]
    fulfil_obligation(actor=officer_a, obligation=duty, at=DUE + timedelta(milliseconds=700))
    duty.refresh_from_db()
    assert duty.state == "met" and duty.missed_at is None

    at(DUE + timedelta(days=3))
    assert not [m.subject for m in mail.outbox if m.subject.startswith("[Escalation]")]


def test_the_first_escalation_goes_once_the_due_time_is_past(duty, officer_a, reviewer):
    at(DUE + timedelta(seconds=1))
    escalated = sorted(m.to[0] for m in mail.outbox if m.subject.startswith("[Escalation]"))
    assert escalated == sorted([officer_a.email, reviewer.email])


def test_a_reminder_sent_within_the_due_second_does_not_call_the_duty_overdue(
        duty, officer_a):
    with time_machine.travel(DUE - timedelta(hours=4), tick=False):
        sweep()  # the 4-hour reminder, which the worker sends late
    with time_machine.travel(WITHIN, tick=False):
        assert not is_late(DUE, WITHIN)
        send_due_emails()
    [reminder] = mail.outbox
    assert not reminder.subject.startswith("Overdue"), reminder.subject


def test_the_digest_counts_overdue_as_the_pages_do_within_the_due_second(duty, reviewer):
    EmailPreference.objects.create(user=reviewer, daily_digest=True)
    with time_machine.travel(WITHIN, tick=False):
        send_digests()
        send_due_emails()
    assert mail.outbox[0].subject == "Your queue: 1 open obligation, 0 overdue"


def test_an_escalation_a_new_policy_puts_later_is_sent(duty, officer_a, reviewer, manager):
    """Escalated at due and 4 hours after under the default ladder; at +5 h a manager makes
    escalations repeat every 8 hours: the one at +8 h goes out (it was taken for the old
    ladder's second escalation, already sent, and dropped)."""
    at(DUE + timedelta(minutes=1))
    at(DUE + timedelta(hours=4, minutes=1))
    assert len([m for m in mail.outbox if m.to == [officer_a.email]]) == 2
    with time_machine.travel(DUE + timedelta(hours=5), tick=False):
        save_deadline_policy(
            actor=manager, risk_windows=DEFAULT_RISK_WINDOWS,
            reminder_offsets_hours=DEFAULT_REMINDER_OFFSETS_HOURS,
            escalation={"repeat_after_hours": [8], "managers_after_hours": 48,
                        "max_escalations": 10},
            note="Escalate every 8 hours.")
    before = len(mail.outbox)

    at(DUE + timedelta(hours=8, minutes=1))

    assert sorted(m.to[0] for m in mail.outbox[before:]) == sorted(
        [officer_a.email, reviewer.email])
