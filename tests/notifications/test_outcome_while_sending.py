"""What a sending attempt records when the row changed while the mail server held it: a
failure is recorded only while the claim is still ours: a row skipped meanwhile stays
skipped, and a row another worker took and sent stays sent."""

import smtplib
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.mail.backends.base import BaseEmailBackend

from incidents.services.comments import add_comment
from notifications import services
from notifications.models import EmailState, OutboundEmail
from tests import factories
from tests.incidents.factories import make_filed

pytestmark = pytest.mark.django_db


class MovingThenRefusingBackend(BaseEmailBackend):
    """A mail server that, while it holds the message, sees a USPS manager move its
    recipient to another provider, then drops the connection."""

    move = None

    def send_messages(self, email_messages):
        from accounts.services import change_role
        from compliance.models import Role

        if MovingThenRefusingBackend.move is not None:
            actor, user, provider = MovingThenRefusingBackend.move
            MovingThenRefusingBackend.move = None
            change_role(actor=actor, user=user, role=Role.PROVIDER_OFFICER,
                        provider_id=provider.pk)
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


def test_an_email_skipped_while_its_failing_attempt_ran_stays_skipped(
        settings, officer_a, provider_b, reviewer, manager, signed_in):
    settings.EMAIL_BACKEND = f"{__name__}.MovingThenRefusingBackend"
    second = factories.ReviewerFactory(username="second_reviewer")
    case = make_filed(officer_a)
    OutboundEmail.objects.all().delete()
    add_comment(actor=reviewer, incident=case, body="Refer to enforcement?",
                visibility="internal")
    (email,) = OutboundEmail.objects.filter(template="comment_internal")
    assert email.recipient_id == second.pk
    # Its last try: five refused already.
    OutboundEmail.objects.filter(pk=email.pk).update(attempts=services.MAX_ATTEMPTS - 1)
    MovingThenRefusingBackend.move = (manager, email.recipient, provider_b)

    services.send_due_emails()

    email.refresh_from_db()
    assert email.state == EmailState.SKIPPED, (email.state, email.last_error)
    page = signed_in(manager).get("/").content.decode()
    assert "could not be delivered" not in page


class StalledBackend(BaseEmailBackend):
    """A mail server that stalls on the first message past the claim's lease (meanwhile
    another worker's run takes the row again and this server accepts it from that one),
    then drops the first connection. `accepted` keeps what it accepted."""

    traveller = None
    accepted = []
    stalled = False

    def send_messages(self, email_messages):
        if not StalledBackend.stalled:
            StalledBackend.stalled = True
            StalledBackend.traveller.shift(services.LEASE + timedelta(seconds=1))
            services.send_due_emails()  # the other worker
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        StalledBackend.accepted.extend(email_messages)
        return len(email_messages)


def test_a_stalled_attempt_that_fails_after_another_worker_sent_the_email_does_not_undo_it(
        settings, officer_a, reviewer):
    settings.EMAIL_BACKEND = f"{__name__}.StalledBackend"
    start = datetime(2026, 6, 10, 16, 0, tzinfo=UTC)
    with time_machine.travel(start - timedelta(minutes=1), tick=False):
        incident = make_filed(officer_a)
        OutboundEmail.objects.all().delete()
        services.queue_email(recipients=[reviewer], template="incident_filed",
                             context={"incident": incident, "case_path": "/"}, key="news")
    StalledBackend.accepted, StalledBackend.stalled = [], False
    with time_machine.travel(start, tick=False) as traveller:
        StalledBackend.traveller = traveller
        services.send_due_emails()
    # The other worker sent it; the stalled attempt's failure must not put it back.
    email = OutboundEmail.objects.get()
    assert (email.state, len(StalledBackend.accepted)) == (EmailState.SENT, 1), (
        email.state, email.last_error)

    # Later runs of the outbox.
    with time_machine.travel(start + timedelta(hours=1), tick=False):
        services.send_due_emails()

    email = OutboundEmail.objects.get()
    assert email.state == EmailState.SENT, (email.state, email.last_error)
    assert len(StalledBackend.accepted) == 1
