from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail

from compliance.models import Obligation, ObligationState
from notifications.digest import send_digests
from notifications.models import EmailPreference
from notifications.services import send_due_emails
from tests import factories

pytestmark = pytest.mark.django_db

NOON = datetime(2026, 4, 2, 11, 0, tzinfo=UTC)


@pytest.fixture
def queue(provider_a, provider_b):
    factories.ObligationFactory(provider=provider_a, subject="PES-2026-00011 Overdue one",
                                due_at=NOON - timedelta(hours=2), state=ObligationState.MISSED)
    factories.ObligationFactory(provider=provider_b, subject="PES-2026-00012 Due soon",
                                due_at=NOON + timedelta(days=1))
    factories.ObligationFactory(provider=provider_a, subject="Unfiled draft", usps_visible=False,
                                due_at=NOON + timedelta(hours=3))
    factories.ObligationFactory(provider=provider_a, subject="Met long ago",
                                state=ObligationState.MET)


def test_a_reviewer_who_chose_the_digest_gets_one_email_a_day_about_the_queue(
        reviewer, queue):
    EmailPreference.objects.create(user=reviewer, daily_digest=True)

    with time_machine.travel(NOON, tick=False):
        assert send_digests() == 1
        assert send_digests() == 0
        send_due_emails()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [reviewer.email]
    assert message.subject == "Your queue: 2 open obligations, 1 overdue"
    assert "PES-2026-00011 Overdue one" in message.body
    assert "PES-2026-00012 Due soon" in message.body
    assert "Unfiled draft" not in message.body and "Met long ago" not in message.body

    with time_machine.travel(NOON + timedelta(days=1), tick=False):
        assert send_digests() == 1


def test_it_shows_the_queue_as_it_is_when_the_digest_is_sent(reviewer, queue):
    EmailPreference.objects.create(user=reviewer, daily_digest=True)
    with time_machine.travel(NOON, tick=False):
        send_digests()
    Obligation.objects.filter(subject="PES-2026-00012 Due soon").update(
        state=ObligationState.MET)

    with time_machine.travel(NOON + timedelta(minutes=1), tick=False):
        send_due_emails()

    assert mail.outbox[0].subject == "Your queue: 1 open obligation, 1 overdue"
    assert "PES-2026-00012" not in mail.outbox[0].body


def test_nobody_else_gets_a_digest(reviewer, officer_a, queue):
    assert send_digests() == 0
    send_due_emails()

    assert mail.outbox == []


def test_the_digest_counts_what_waits_on_usps_apart_from_what_providers_owe(
        reviewer, provider_a, queue):
    EmailPreference.objects.create(user=reviewer, daily_digest=True)
    for due in (NOON - timedelta(hours=1), NOON + timedelta(days=2)):
        factories.ObligationFactory(provider=provider_a, kind="usps_triage",
                                    clause="USPS target", subject="PES-2026-00013 To triage",
                                    due_at=due)

    with time_machine.travel(NOON, tick=False):
        send_digests()
        send_due_emails()

    body = mail.outbox[0].body
    assert "2 items waiting on USPS, 1 past USPS's target." in body
    assert "2 obligations still owed by providers, 1 past due." in body


def test_a_reviewer_on_the_digest_made_manager_gets_the_managers_escalations(
        provider_a, reviewer, django_capture_on_commit_callbacks):
    from accounts.services import change_role
    from compliance.models import DeadlinePolicy, ObligationKind, Role
    from notifications.models import OutboundEmail
    from notifications.schedule import reschedule_reminders
    from notifications.sweep import sweep

    boss = factories.ManagerFactory(username="boss")
    EmailPreference.objects.create(user=reviewer, daily_digest=True)
    change_role(actor=boss, user=reviewer, role=Role.USPS_MANAGER)  # the flag stays stored
    due = NOON + timedelta(days=2)
    with time_machine.travel(NOON, tick=False):
        target = factories.ObligationFactory(
            provider=provider_a, kind=ObligationKind.USPS_TRIAGE, clause="USPS target",
            due_at=due, original_due_at=due, incident_id=1, object_id=1)
        reschedule_reminders(target, DeadlinePolicy.in_force())
        target.save()

    with time_machine.travel(due + timedelta(minutes=1), tick=False), \
            django_capture_on_commit_callbacks(execute=True):
        sweep()

    escalated = OutboundEmail.objects.filter(obligation=target, audience="usps_escalation")
    assert sorted(e.to_address for e in escalated) == sorted([boss.email, reviewer.email])
