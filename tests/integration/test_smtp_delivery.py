"""Reminders travel through a real SMTP server on 127.0.0.1 and arrive as sent."""

import socket
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone

from compliance.services.schedule import reschedule_reminders
from notifications.models import EmailState, OutboundEmail
from notifications.sweep import sweep
from tests import factories

pytestmark = [pytest.mark.services, pytest.mark.django_db]


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content,
                                                                     policy=policy.default)))
        return "250 OK"


class Refuse:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        return "550 mailbox unavailable"


@pytest.fixture
def smtp_server(settings):
    def start(handler):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        controller = Controller(handler, hostname="127.0.0.1", port=port)
        controller.start()
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = port
        settings.EMAIL_USE_TLS = False
        started.append(controller)
        return handler

    started = []
    yield start
    for controller in started:
        controller.stop()


def due_obligation(provider, hours=3):
    obligation = factories.ObligationFactory(provider=provider, subject="PES-2026-00077 Meter",
                                             due_at=timezone.now() + timedelta(hours=hours),
                                             incident_id=77)
    reschedule_reminders(obligation)
    obligation.save()
    return obligation


def test_it_delivers_a_reminder_through_a_real_smtp_server(
        smtp_server, provider_a, officer_a, django_capture_on_commit_callbacks):
    inbox = smtp_server(Inbox())
    due_obligation(provider_a)

    with django_capture_on_commit_callbacks(execute=True):
        sweep()

    assert len(inbox.messages) == 1
    rcpts, message = inbox.messages[0]
    assert rcpts == [officer_a.email]
    assert "24-hour notification" in message["Subject"]
    text = message.get_body(("plain",)).get_content()
    assert "PES-2026-00077 Meter" in text and "/incidents/77/" in text
    assert message.get_body(("html",)) is not None
    assert OutboundEmail.objects.get().state == EmailState.SENT


def test_a_server_that_refuses_mail_leaves_it_pending_for_a_retry(
        smtp_server, provider_a, officer_a, django_capture_on_commit_callbacks):
    smtp_server(Refuse())
    due_obligation(provider_a)

    with django_capture_on_commit_callbacks(execute=True):
        sweep()

    email = OutboundEmail.objects.get()
    assert email.state == EmailState.PENDING
    assert email.attempts == 1
    assert "550" in email.last_error
    assert email.next_attempt_at > timezone.now()
