"""A reviewer moved to a provider (the very one whose case they held included): the step
waiting to go to them as the case's reviewer still reaches a USPS reviewer."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail

from accounts.services.people import change_role
from compliance.models import Role
from notifications.models import OutboundEmail
from notifications.services import send_due_emails
from tests.notifications.test_reassignment import reminder_queued_to_old

FILED = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)
TARGET = datetime(2026, 6, 13, 3, 59, 59, tzinfo=UTC)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("to_case_provider", [False, True])
def test_reminder_queued_to_assignee_then_moved_to_a_provider_reaches_a_reviewer(
        to_case_provider, officer_a, provider_a, provider_b, reviewer, manager):
    _, old, when = reminder_queued_to_old(officer_a, manager)
    with time_machine.travel(when, tick=False):
        # `old` joins a provider: the case's own (A) or another (B).
        change_role(actor=manager, user=old, role=Role.PROVIDER_OFFICER,
                    provider_id=(provider_a if to_case_provider else provider_b).pk)
    with time_machine.travel(when + timedelta(seconds=5), tick=False):
        send_due_emails()
    sent = sorted(m.to[0] for m in mail.outbox)
    rows = list(OutboundEmail.objects.values_list("recipient__username", "state",
                                                  "last_error"))
    assert reviewer.email in sent, f"no reviewer was told of the triage target: {rows}"
    assert old.email not in sent
