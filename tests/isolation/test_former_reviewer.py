"""A USPS reviewer assigned to provider A's case who then joins provider B (a USPS manager
changes the role) reads nothing more of A: its case news and escalations go to every
reviewer instead, and USPS's own reminders still reach someone at USPS."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from accounts.services import change_role
from compliance.models import AuditEvent, Obligation, ObligationKind
from incidents import services as incidents
from notifications.models import EmailState, OutboundEmail
from notifications.services import send_due_emails
from notifications.sweep import sweep
from tests import factories
from tests.incidents.factories import make_filed

pytestmark = pytest.mark.django_db


@pytest.fixture
def moved(officer_a, provider_b):
    """(A's case, the reviewer it was assigned to, now officer of B, the other reviewer)."""
    former = factories.ReviewerFactory(username="former.reviewer")
    other = factories.ReviewerFactory(username="other.reviewer")
    manager = factories.ManagerFactory(username="manager.usps")
    with factories.committed():
        incident = make_filed(officer_a, discovered_at=timezone.now() - timedelta(hours=3),
                              title="Alpha's own weakness")
        incidents.assign_reviewer(actor=manager, incident=incident, reviewer=former)
    change_role(actor=manager, user=former, role="provider_officer", provider_id=provider_b.pk)
    former.refresh_from_db()
    mail.outbox.clear()
    return incident, former, other


def addressed_to(user):
    return [m for m in mail.outbox if user.email in m.to]


def test_a_comment_on_the_case_reaches_the_reviewers_not_the_former_one(moved, officer_a):
    incident, former, other = moved

    with factories.committed():
        incidents.add_comment(actor=officer_a, incident=incident, body="Alpha-only detail")
    send_due_emails()

    assert addressed_to(former) == [], [(m.subject, m.to) for m in addressed_to(former)]
    assert any(m.subject.startswith("New comment on") for m in addressed_to(other))


def test_what_waited_to_be_sent_to_them_as_a_reviewer_is_not_sent(moved):
    incident, former, _ = moved
    # The new filing's e-mail was queued while they were USPS's reviewer.
    waiting = OutboundEmail.objects.filter(recipient=former)
    assert waiting.exists()
    assert set(waiting.values_list("state", flat=True)) == {EmailState.SKIPPED}

    send_due_emails()

    assert addressed_to(former) == []
    event = AuditEvent.objects.filter(action="user.role_changed").get()
    assert event.changes["emails_skipped"] == [None, waiting.count()]


def test_the_cases_escalations_skip_the_former_reviewer(moved):
    incident, former, other = moved
    duty = Obligation.objects.get(incident_id=incident.pk,
                                  kind=ObligationKind.USPS_TRIAGE)
    assert duty.reviewer_id == former.pk

    with time_machine.travel(duty.due_at - timedelta(minutes=30), tick=False):
        sweep()
        send_due_emails()

    assert addressed_to(former) == [], [(m.subject, m.to) for m in addressed_to(former)]
    assert addressed_to(other), "USPS's reminder still reaches a reviewer"
