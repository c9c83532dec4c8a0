"""Reminders travel through a real SMTP server on 127.0.0.1 and arrive as sent."""

from datetime import timedelta

import pytest
from django.utils import timezone

from compliance.services.schedule import reschedule_reminders
from notifications.models import EmailState, OutboundEmail
from notifications.services import send_due_emails
from notifications.sweep import sweep
from tests import factories

from .conftest import Inbox

pytestmark = [pytest.mark.services, pytest.mark.django_db]


class Refuse:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        return "550 mailbox unavailable"


def due_obligation(provider, hours=3):
    obligation = factories.ObligationFactory(provider=provider, subject="PES-2026-00077 Meter",
                                             due_at=timezone.now() + timedelta(hours=hours),
                                             incident_id=77)
    reschedule_reminders(obligation)
    obligation.save()
    return obligation


def test_it_delivers_a_reminder_through_a_real_smtp_server(smtp_server, provider_a, officer_a):
    inbox = Inbox()
    smtp_server(inbox)
    due_obligation(provider_a)

    sweep()
    send_due_emails()

    assert len(inbox.messages) == 1
    rcpts, message = inbox.messages[0]
    assert rcpts == [officer_a.email]
    assert "24-hour notification" in message["Subject"]
    text = message.get_body(("plain",)).get_content()
    assert "PES-2026-00077 Meter" in text and "/incidents/77/" in text
    assert message.get_body(("html",)) is not None
    email = OutboundEmail.objects.get()
    assert email.state == EmailState.SENT
    assert message["Message-ID"] == email.message_id


def test_a_server_that_refuses_mail_leaves_it_pending_for_a_retry(smtp_server, provider_a,
                                                                  officer_a):
    smtp_server(Refuse())
    due_obligation(provider_a)

    sweep()
    send_due_emails()

    email = OutboundEmail.objects.get()
    assert email.state == EmailState.PENDING
    assert email.attempts == 1
    assert "550" in email.last_error
    assert email.next_attempt_at > timezone.now()
