"""USPS's targets through the deadline sweep: reminded to the assigned reviewer (else every
reviewer) before they are due, escalated once to the USPS managers after, never to anyone
of a provider."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail

from compliance.models import AuditEvent, Obligation, ObligationKind, ObligationState
from incidents import services as incidents
from notifications.models import OutboundEmail
from notifications.services import send_due_emails
from notifications.sweep import sweep
from tests import factories
from tests.incidents.factories import make_filed

FILED = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)  # a Wednesday
TARGET = datetime(2026, 6, 13, 3, 59, 59, tzinfo=UTC)  # the end of Friday, Eastern time

pytestmark = pytest.mark.django_db


@pytest.fixture
def filing(officer_a, viewer_a):
    incident = make_filed(officer_a, at=FILED)
    OutboundEmail.objects.all().delete()  # the receipt and filing news are not at issue here
    return incident


@pytest.fixture
def triage_target(filing):
    return Obligation.objects.get(kind=ObligationKind.USPS_TRIAGE, object_id=filing.pk)


@pytest.fixture
def second_reviewer(db):
    return factories.ReviewerFactory(username="reviewer2")


def sweep_at(when, capture):
    """A sweep at `when`, then the worker's next send of the outbox."""
    with time_machine.travel(when, tick=False), capture(execute=True):
        result = sweep()
        send_due_emails()
    return result


def sent_to():
    return sorted(m.to[0] for m in mail.outbox)


def test_it_reminds_every_reviewer_when_nobody_is_assigned(
        triage_target, reviewer, second_reviewer, manager, officer_a,
        django_capture_on_commit_callbacks):
    sweep_at(TARGET - timedelta(hours=8), django_capture_on_commit_callbacks)

    assert sent_to() == sorted([reviewer.email, second_reviewer.email])
    assert "USPS target in 8 hours" in mail.outbox[0].subject
    assert "Waiting on USPS" in mail.outbox[0].body
    assert f"/incidents/{triage_target.incident_id}/#review" in mail.outbox[0].body


def test_it_reminds_only_the_assigned_reviewer(filing, triage_target, reviewer,
                                               second_reviewer, django_capture_on_commit_callbacks):
    with time_machine.travel(FILED + timedelta(hours=1), tick=False):
        incidents.assign_reviewer(actor=reviewer, incident=filing, reviewer=second_reviewer)

    sweep_at(TARGET - timedelta(hours=7), django_capture_on_commit_callbacks)

    assert sent_to() == [second_reviewer.email]


def test_it_escalates_to_the_managers_exactly_once(
        triage_target, reviewer, manager, officer_a, viewer_a,
        django_capture_on_commit_callbacks):
    other_manager = factories.ManagerFactory(username="manager2")
    for when in (TARGET - timedelta(hours=8), TARGET - timedelta(hours=1), TARGET,
                 TARGET + timedelta(minutes=1), TARGET + timedelta(hours=5),
                 TARGET + timedelta(days=2), TARGET + timedelta(days=30)):
        sweep_at(when, django_capture_on_commit_callbacks)

    escalations = [m for m in mail.outbox if m.subject.startswith("[Past USPS target]")]
    assert sorted(m.to[0] for m in escalations) == sorted([manager.email, other_manager.email])
    assert [m.to[0] for m in mail.outbox if m not in escalations] == [reviewer.email]
    triage_target.refresh_from_db()
    assert triage_target.state == ObligationState.MISSED
    assert triage_target.next_action_at is None


def test_no_one_of_a_provider_ever_hears_of_a_target(
        triage_target, reviewer, manager, officer_a, viewer_a,
        django_capture_on_commit_callbacks):
    for when in (TARGET - timedelta(hours=8), TARGET + timedelta(hours=1)):
        sweep_at(when, django_capture_on_commit_callbacks)

    provider_addresses = {officer_a.email, viewer_a.email}
    assert mail.outbox and not provider_addresses & {m.to[0] for m in mail.outbox}
    assert not OutboundEmail.objects.filter(obligation=triage_target,
                                            recipient__provider__isnull=False).exists()


def test_a_target_met_before_its_reminder_sends_nothing(
        filing, triage_target, reviewer, manager, django_capture_on_commit_callbacks):
    with time_machine.travel(FILED + timedelta(hours=3), tick=False):
        incidents.triage_incident(actor=reviewer, incident=filing, revenue_risk="low",
                                  rationale="Contained.")
    mail.outbox.clear()

    for when in (TARGET - timedelta(hours=8), TARGET + timedelta(hours=1)):
        sweep_at(when, django_capture_on_commit_callbacks)

    assert not OutboundEmail.objects.filter(obligation=triage_target).exists()
    triage_target.refresh_from_db()
    assert triage_target.state == ObligationState.MET


def test_a_missed_target_is_recorded_for_usps_only(triage_target, officer_a,
                                                   django_capture_on_commit_callbacks):
    sweep_at(TARGET + timedelta(seconds=1), django_capture_on_commit_callbacks)

    event = AuditEvent.objects.get(object_id=str(triage_target.pk),
                                   action="usps_target.missed")
    assert event.usps_only
    assert not AuditEvent.objects.visible_to(officer_a).filter(pk=event.pk).exists()
