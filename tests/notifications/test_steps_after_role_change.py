"""A USPS person's role or account changes while a step waits to go to them: it goes to
whom it now goes to, and to no one it no longer goes to."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail

from accounts.services.people import change_role
from compliance.models import DeadlinePolicy, Obligation, ObligationKind, Role
from notifications.models import OutboundEmail
from notifications.schedule import reschedule_reminders
from notifications.services import send_due_emails
from notifications.sweep import sweep
from tests import factories
from tests.notifications.test_reassignment import reminder_queued_to_old

FILED = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)
TARGET = datetime(2026, 6, 13, 3, 59, 59, tzinfo=UTC)

pytestmark = pytest.mark.django_db


def test_reminder_queued_to_assignee_then_made_manager_reaches_a_reviewer(
        officer_a, reviewer, manager):
    """The triage reminder is queued to the assigned reviewer; before the worker sends it,
    they are made a manager (the case stays assigned to them): the step goes to every
    reviewer, as a case's steps do whose assignee reviews no more."""
    _, old, when = reminder_queued_to_old(officer_a, manager)
    with time_machine.travel(when, tick=False):
        change_role(actor=manager, user=old, role=Role.USPS_MANAGER)
    with time_machine.travel(when + timedelta(seconds=5), tick=False):
        send_due_emails()
    sent = sorted(m.to[0] for m in mail.outbox)
    rows = list(OutboundEmail.objects.values_list("recipient__username", "state",
                                                  "last_error"))
    assert sent, f"nobody was told of the triage target: {rows}"
    assert reviewer.email in sent and old.email not in sent, rows


def test_proceeding_decision_reminder_not_sent_to_a_manager_made_reviewer(
        provider_a, manager):
    """A proceeding's decision is the managers' alone: its reminder queued to a manager
    who is then made a reviewer does not go out to them."""
    other_manager = factories.ManagerFactory(username="manager2")
    due = datetime(2026, 6, 20, 3, 59, 59, tzinfo=UTC)
    with time_machine.travel(due - timedelta(days=5), tick=False):
        target = factories.ObligationFactory(
            provider=provider_a, kind=ObligationKind.USPS_PROCEEDING_DECISION,
            clause="USPS target", subject="PROC-1: the provider's answer to decide on",
            due_at=due, object_id=1)
        reschedule_reminders(target, DeadlinePolicy.in_force())
        target.save()
    when = due - timedelta(hours=7)
    with time_machine.travel(when, tick=False):
        sweep()
        queued = sorted(OutboundEmail.objects.values_list("recipient__username", flat=True))
        assert queued == ["manager", "manager2"], queued
        change_role(actor=other_manager, user=manager, role=Role.USPS_REVIEWER)
    with time_machine.travel(when + timedelta(seconds=5), tick=False):
        send_due_emails()
    sent = sorted(m.to[0] for m in mail.outbox)
    assert Obligation.objects.get(pk=target.pk).is_outstanding
    assert manager.email not in sent, sent


def test_reminder_queued_to_assignee_then_deactivated_reaches_a_reviewer(
        officer_a, reviewer, manager):
    """As above, the assignee's account closed instead (they left USPS): the queued
    reminder goes to the reviewers."""
    from accounts.services.people import deactivate_user

    _, old, when = reminder_queued_to_old(officer_a, manager)
    with time_machine.travel(when, tick=False):
        deactivate_user(actor=manager, user=old)
    with time_machine.travel(when + timedelta(seconds=5), tick=False):
        send_due_emails()
    sent = sorted(m.to[0] for m in mail.outbox)
    rows = list(OutboundEmail.objects.values_list("recipient__username", "state",
                                                  "last_error"))
    assert reviewer.email in sent and old.email not in sent, rows
