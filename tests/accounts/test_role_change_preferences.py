"""A USPS reviewer's e-mail choices are made for USPS's e-mails (the escalations of the
providers' overdue duties): moved to a provider as its officer, they start afresh, and do
not silently mute that provider's own reminders before a deadline."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail

from accounts.services import change_role
from compliance.models import DeadlinePolicy, ObligationKind
from notifications.preferences import update_email_preference
from notifications.schedule import reschedule_reminders
from notifications.services import send_due_emails
from notifications.sweep import sweep
from tests import factories

pytestmark = pytest.mark.django_db

DUE = datetime(2026, 6, 10, 16, 0, tzinfo=UTC)


@pytest.mark.parametrize("muted", [True, False])
def test_a_reviewer_moved_to_a_provider_gets_its_written_report_reminders(
        provider_a, manager, muted):
    """Muted as a reviewer ("untick a kind to stop those e-mails", escalations) or not,
    the officer they became is reminded of their provider's written report."""
    former = factories.ReviewerFactory(username="former.reviewer")
    if muted:
        update_email_preference(actor=former, muted_kinds=["written_report"],
                                daily_digest=False)
    change_role(actor=manager, user=former, role="provider_officer", provider_id=provider_a.pk)
    former.refresh_from_db()

    with time_machine.travel(DUE - timedelta(days=5), tick=False):
        duty = factories.ObligationFactory(provider=provider_a,
                                           kind=ObligationKind.WRITTEN_REPORT,
                                           due_at=DUE, original_due_at=DUE)
        reschedule_reminders(duty, DeadlinePolicy.in_force())
        duty.save()
    with time_machine.travel(DUE - timedelta(hours=4), tick=False):
        sweep()
        send_due_emails()

    assert former.email in [m.to[0] for m in mail.outbox]
