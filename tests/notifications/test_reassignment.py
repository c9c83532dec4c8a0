"""A case reassigned between the sweep queueing a reminder or escalation and the worker
sending it: the step goes to the reviewer now assigned, never to the one before, and not
lost (the sweep takes a step once)."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail

from compliance.models import Obligation, ObligationKind
from incidents import services as incidents
from notifications.models import OutboundEmail
from notifications.services import send_due_emails
from notifications.sweep import sweep
from tests import factories
from tests.incidents.factories import make_filed

FILED = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)  # a Wednesday
TARGET = datetime(2026, 6, 13, 3, 59, 59, tzinfo=UTC)

pytestmark = pytest.mark.django_db


def assigned_to_old(officer, manager):
    """A case filed and assigned to `old`, and `new`, a reviewer it may go to instead."""
    incident = make_filed(officer, at=FILED)
    OutboundEmail.objects.all().delete()
    old = factories.ReviewerFactory(username="old.reviewer")
    new = factories.ReviewerFactory(username="new.reviewer")
    with time_machine.travel(FILED + timedelta(hours=1), tick=False):
        incidents.assign_reviewer(actor=manager, incident=incident, reviewer=old)
    return incident, old, new


def reminder_queued_to_old(officer, manager):
    """A case assigned to `old`, its triage reminder queued to `old` alone: (the case,
    `old`, the time it was queued)."""
    incident, old, _ = assigned_to_old(officer, manager)
    when = TARGET - timedelta(hours=7)
    with time_machine.travel(when, tick=False):
        sweep()
    assert list(OutboundEmail.objects.values_list("recipient__username", flat=True)) == [
        "old.reviewer"]
    return incident, old, when


def test_usps_target_reminder_queued_to_old_reviewer_follows_the_reassignment(
        officer_a, reviewer, manager, django_capture_on_commit_callbacks):
    incident, old, new = assigned_to_old(officer_a, manager)
    target = Obligation.objects.get(kind=ObligationKind.USPS_TRIAGE, object_id=incident.pk)
    assert target.reviewer_id == old.pk

    when = TARGET - timedelta(hours=7)
    with time_machine.travel(when, tick=False), django_capture_on_commit_callbacks(execute=True):
        sweep()  # queues the 8-hour reminder to `old`
        # A manager hands the case to `new` before the worker drains the outbox.
        incidents.assign_reviewer(actor=manager, incident=incident, reviewer=new)
    with time_machine.travel(when + timedelta(seconds=5), tick=False):
        send_due_emails()

    sent = sorted(m.to[0] for m in mail.outbox)
    # The triage is now `new`'s work: the reminder of it is theirs, not `old`'s.
    assert old.email not in sent, sent
    assert new.email in sent, sent


def test_a_reminder_being_sent_as_the_case_is_reassigned_is_not_sent_to_the_one_before(
        officer_a, reviewer, manager):
    """Rendered after the reassignment committed (the worker had claimed it before): the
    reminder reads whom the case's duty goes to now."""
    incident, old, new = assigned_to_old(officer_a, manager)
    when = TARGET - timedelta(hours=7)
    with time_machine.travel(when, tick=False):
        sweep()
    # As the worker holds the row: the reassignment's own rerouting does not reach it.
    Obligation.objects.filter(incident_id=incident.pk).update(reviewer=new)
    with time_machine.travel(when + timedelta(seconds=5), tick=False):
        send_due_emails()

    assert old.email not in [m.to[0] for m in mail.outbox]
    assert OutboundEmail.objects.get(recipient=old).last_error.startswith(
        "Not sent: the step goes to someone else now (the case's reviewer")


def test_a_step_queued_to_every_reviewer_goes_to_the_one_assigned_since(
        officer_a, reviewer, manager):
    incident = make_filed(officer_a, at=FILED)
    OutboundEmail.objects.all().delete()
    other = factories.ReviewerFactory(username="other.reviewer")
    when = TARGET - timedelta(hours=7)
    with time_machine.travel(when, tick=False):
        sweep()  # nobody assigned: every reviewer
        assert sorted(OutboundEmail.objects.values_list("recipient__username", flat=True)) \
            == ["other.reviewer", "reviewer"]
        incidents.assign_reviewer(actor=manager, incident=incident, reviewer=other)
    with time_machine.travel(when + timedelta(seconds=5), tick=False):
        send_due_emails()

    assert [m.to[0] for m in mail.outbox] == [other.email]


def reassigned_after(officer, manager, move):
    """Sent: the triage reminder queued to `old`, who then `move`s, the case reassigned."""
    incident, old, new = assigned_to_old(officer, manager)
    when = TARGET - timedelta(hours=7)
    with time_machine.travel(when, tick=False):
        sweep()  # the triage reminder queued to `old`
        move(old)
        incidents.assign_reviewer(actor=manager, incident=incident, reviewer=new)
    with time_machine.travel(when + timedelta(seconds=5), tick=False):
        send_due_emails()
    return old, new, sorted(m.to[0] for m in mail.outbox)


def test_reviewer_promoted_to_manager_then_case_reassigned(officer_a, reviewer, manager):
    from compliance.models import Role, User

    old, new, sent = reassigned_after(officer_a, manager, lambda old: User.objects.filter(
        pk=old.pk).update(role=Role.USPS_MANAGER))
    assert old.email not in sent, sent
    assert new.email in sent, sent


def test_reviewer_moved_to_a_provider_then_case_reassigned(officer_a, reviewer, manager,
                                                             provider_b):
    from compliance.models import Role, User

    old, new, sent = reassigned_after(officer_a, manager, lambda old: User.objects.filter(
        pk=old.pk).update(role=Role.PROVIDER_OFFICER, provider=provider_b))
    assert old.email not in sent, sent
    assert new.email in sent, sent


def test_reminder_to_assignee_promoted_to_manager_is_sent_to_someone(officer_a, reviewer,
                                                                    manager):
    """A case still assigned to a reviewer since made a manager: its reviewer's steps go
    to every reviewer, as for a case assigned to no one."""
    from compliance.models import Role, User

    incident, old, new = assigned_to_old(officer_a, manager)
    User.objects.filter(pk=old.pk).update(role=Role.USPS_MANAGER)  # promoted, still assigned
    when = TARGET - timedelta(hours=7)
    with time_machine.travel(when, tick=False):
        sweep()
    queued = list(OutboundEmail.objects.values_list("recipient__username", "state"))
    with time_machine.travel(when + timedelta(seconds=5), tick=False):
        send_due_emails()
    sent = [m.to[0] for m in mail.outbox]
    errors = list(OutboundEmail.objects.values_list("recipient__username", "state",
                                                    "last_error"))
    assert sorted(sent) == sorted([reviewer.email, new.email]), (queued, errors)
