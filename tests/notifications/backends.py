import smtplib

from django.core.mail.backends.base import BaseEmailBackend


class RefusingBackend(BaseEmailBackend):
    """A mail server that refuses every message."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPRecipientsRefused({"x@example.com": (550, b"refused")})


class FlakyBackend(BaseEmailBackend):
    """A mail server that refuses the first `refusals` messages and accepts the rest;
    `attempts` keeps every message offered, refused or not."""

    refusals = 1
    attempts = []

    def send_messages(self, email_messages):
        for message in email_messages:
            FlakyBackend.attempts.append(message)
            if len(FlakyBackend.attempts) <= FlakyBackend.refusals:
                raise smtplib.SMTPDataError(451, b"try again later")
        return len(email_messages)


class MeetingBackend(BaseEmailBackend):
    """A slow mail server: while it takes the first message, the obligation `meets` names
    is met elsewhere. `sent` keeps the messages it accepted."""

    meets = None
    sent = []

    def send_messages(self, email_messages):
        from compliance.models import Obligation, ObligationState

        MeetingBackend.sent.extend(email_messages)
        if len(MeetingBackend.sent) == 1:
            Obligation.objects.filter(pk=MeetingBackend.meets).update(
                state=ObligationState.MET, next_action_at=None)
        return len(email_messages)


class MovingBackend(BaseEmailBackend):
    """A mail server that is slow to take the first message: meanwhile a USPS manager
    moves someone to a provider (`move`: actor, user, provider). `sent` keeps the
    messages it accepted."""

    move = None
    sent = []

    def send_messages(self, email_messages):
        from accounts.services import change_role
        from compliance.models import Role

        MovingBackend.sent.extend(email_messages)
        if MovingBackend.move is not None:
            actor, user, provider = MovingBackend.move
            MovingBackend.move = None
            change_role(actor=actor, user=user, role=Role.PROVIDER_OFFICER,
                        provider_id=provider.pk)
        return len(email_messages)


class SlowBackend(BaseEmailBackend):
    """A mail server slower than the outbox's lease allows for: each message takes
    `seconds` (the clock `traveller` moves on); once a claim of the batch could have run
    out, another worker's scheduled run drains the outbox (`other_run`, called once)."""

    traveller = None
    seconds = 20
    sent = []
    other_run = None
    other_ran = False

    def send_messages(self, email_messages):
        from datetime import UTC, datetime

        from notifications import services

        SlowBackend.sent.extend(email_messages)
        SlowBackend.traveller.shift(SlowBackend.seconds)
        if not SlowBackend.other_ran and datetime.now(UTC) > SlowBackend.started + services.LEASE:
            SlowBackend.other_ran = True
            services.send_due_emails()
        return len(email_messages)
