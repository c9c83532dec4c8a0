"""The outbox: e-mails written in the caller's transaction, sent by the worker.

No request talks to the broker. A state change writes all of its e-mails in one statement
and returns; the worker drains the outbox on the beat schedule (`send-due-emails`),
claiming due rows a batch at a time and rendering each at its attempt. A lost task, a
broker outage or a dead worker delays an e-mail, never loses it: the row stays due.
"""

import hashlib
import logging
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.utils import timezone

from .bulk import claim_emails, insert_emails
from .models import EmailState, OutboundEmail
from .rendering import (
    ACCOUNT_TEMPLATES,
    SIDE_PROVIDER,
    SIDE_USPS,
    NotApplicable,
    encode,
    load_refs,
    render_one,
)

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
LEASE = timedelta(minutes=5)
# A batch is sent within its lease: 20 e-mails at EMAIL_TIMEOUT (10 s) each at worst. A
# mail server slower than that (the timeout bounds each exchange, not a message) would
# let the lease run out mid-batch and another worker take the rest: the lease is renewed
# once half of it has gone, and each e-mail is sent only while the claim is still ours.
BATCH = 20
# One run stops claiming after this long and the next scheduled run goes on, so a worker
# busy with a long outbox still takes its other tasks (its heartbeat among them).
RUN_SECONDS = 20
# A batch's rows are read once and taken as they are for this long; an e-mail attempted
# later (a slow mail server took the ones before it) is rendered from its rows read again:
# a duty met or a person moved while the batch went out.
FRESH_SECONDS = 1.0
UNSENT = (EmailState.PENDING, EmailState.SENDING)
KEY_LENGTH = OutboundEmail._meta.get_field("key").max_length


def backoff(attempts: int) -> timedelta:
    """Wait before the next try: 1, 2, 4, 8, 16 minutes."""
    return timedelta(minutes=2 ** max(attempts - 1, 0))


@dataclass(frozen=True)
class Email:
    """One message to some recipients: `context` holds model instances and plain values,
    stored as references and rendered when sent."""

    recipients: list
    template: str
    context: dict
    key: str | None = None


def queue_emails(emails):
    """Write one row per recipient (active, with an address) of every e-mail, in one
    statement; the worker sends them after commit.

    With a `key`, each recipient's row is keyed `<key>:<user id>` and an existing key is
    skipped, so queueing the same message twice sends it once. Returns the new rows' ids.
    """
    rows = []
    for email in emails:
        context = encode(email.context)
        stem = email.key or f"{email.template}:{uuid.uuid4().hex}"
        people = {r.pk or r.email: r for r in email.recipients if r.email and r.is_active}
        # A recipient without an account yet (an invitee) is kept by address alone; the
        # template's builder says at sending whom the e-mail addresses.
        rows += [(_key(stem, who), email.template, person.pk, person.email, context, None,
                  "", "" if email.template in ACCOUNT_TEMPLATES else side_of(person))
                 for who, person in people.items()]
    return insert_emails(rows, timezone.now())


def side_of(user):
    """The side an e-mail is written for, kept as its `audience`: USPS, or one provider.
    Sent to someone on another side by then (moved meanwhile), it would carry one side's
    business to the other (`rendering.render_one` checks)."""
    return SIDE_USPS if user.is_usps else f"{SIDE_PROVIDER}{user.provider_id}"


def _key(stem, who):
    """`<stem>:<user id or address>`; an address too long for the column (one may have 254
    characters) by its digest."""
    key = f"{stem}:{who}"
    if len(key) > KEY_LENGTH:
        key = f"{stem}:{hashlib.sha256(str(who).lower().encode()).hexdigest()}"
    return key


def queue_email(*, recipients, template, context, key=None):
    """One e-mail to `recipients`; see `queue_emails`."""
    return queue_emails([Email(list(recipients), template, context, key)])


# --- Sending (the worker) ------------------------------------------------------------

def skip_unsent_to(user, reason):
    """Mark skipped every e-mail still waiting to go to `user`, with `reason`: each was
    written for who they were when it was queued — but those about their account itself
    (`ACCOUNT_TEMPLATES`). Returns how many."""
    return (OutboundEmail.objects.filter(recipient=user, state__in=UNSENT)
            .exclude(template__in=ACCOUNT_TEMPLATES)
            .update(state=EmailState.SKIPPED, last_error=f"Not sent: {reason}."))


def claim(pk, now=None):
    """Take e-mail `pk` for sending if it is due and nobody holds it; True if we got it."""
    now = now or timezone.now()
    return bool(
        OutboundEmail.objects.filter(pk=pk, state__in=UNSENT, next_attempt_at__lte=now)
        .update(state=EmailState.SENDING, next_attempt_at=now + LEASE)
    )


def claim_due(now, limit=BATCH):
    """Take up to `limit` due e-mails for sending, in one statement; workers draining at
    once get separate rows. Returns their ids."""
    return claim_emails(now, now + LEASE, limit)


def _rows(ids):
    return (OutboundEmail.objects.select_related("recipient__provider", "obligation__provider")
            .filter(pk__in=ids).order_by("pk"))


def _read_again(emails):
    """`emails` with their recipients and obligations as they are now, and the rows their
    contexts name (an extension request decided meanwhile, a report reviewed); each keeps
    the lease end of our claim (another worker's claim is not ours)."""
    fresh = _rows([email.pk for email in emails]).in_bulk()
    again = [fresh.get(email.pk, email) for email in emails]
    for email, before in zip(again, emails, strict=True):
        email.next_attempt_at = before.next_attempt_at
    return again, load_refs(e.context for e in again)


def _renew(emails, now):
    """Extend our claim on `emails` (the rest of a batch still being sent) to a new lease,
    each only where the claim is still ours (its lease end as we took it)."""
    lease_end = now + LEASE
    for claimed_until in {email.next_attempt_at for email in emails}:
        OutboundEmail.objects.filter(
            pk__in=[e.pk for e in emails if e.next_attempt_at == claimed_until],
            state=EmailState.SENDING, next_attempt_at=claimed_until,
        ).update(next_attempt_at=lease_end)
    for email in emails:
        email.next_attempt_at = lease_end


def _claimed(ids):
    emails = list(_rows(ids))
    return emails, load_refs(e.context for e in emails)


def send_due_emails():
    """Claim and send due e-mails, a batch at a time, until none is due or the run's time
    is up. Returns how many were sent."""
    started = time.monotonic()
    sent = 0
    connection = get_connection()
    try:
        while time.monotonic() - started < RUN_SECONDS:
            ids = claim_due(timezone.now())
            if not ids:
                break
            emails, loaded = _claimed(ids)
            read_at = time.monotonic()
            for number in range(len(emails)):
                now = timezone.now()
                if now > emails[number].next_attempt_at - LEASE / 2:
                    _renew(emails[number:], now)
                if time.monotonic() - read_at > FRESH_SECONDS:
                    emails[number:], loaded = _read_again(emails[number:])
                    read_at = time.monotonic()
                sent += _attempt(emails[number], loaded, connection) == EmailState.SENT
    finally:
        connection.close()
    return sent


def deliver(pk, connection=None):
    """Claim and send one e-mail; record the outcome. Returns the final state, or None
    when it was not due or someone else holds it."""
    if not claim(pk):
        return None
    emails, loaded = _claimed([pk])
    return _attempt(emails[0], loaded, connection)


def _attempt(email, loaded, connection):
    """Render `email` as things are now and send it, with the Message-ID of every attempt.

    The row is marked sent right after the server accepts the message; a crash between
    the two sends it again when the lease ends, with the same Message-ID.
    """
    now = timezone.now()
    started = time.monotonic()
    if not _still_ours(email):
        return EmailState.SKIPPED
    try:
        rendered = render_one(email, loaded, now)
    except NotApplicable as reason:
        OutboundEmail.objects.filter(pk=email.pk).update(
            state=EmailState.SKIPPED, last_error=f"Not sent: {reason}.")
        return EmailState.SKIPPED
    except Exception as exc:
        return _failed(email, exc, started)
    # A person's current address; an invitee's, the one it was queued for.
    address = email.recipient.email if email.recipient else email.to_address
    message = EmailMultiAlternatives(
        subject=rendered.subject, body=rendered.body_text, from_email=settings.DEFAULT_FROM_EMAIL,
        to=[address], connection=connection,
        headers={"Message-ID": email.message_id, "X-PES-Email-Id": str(email.pk)},
    )
    message.attach_alternative(rendered.body_html, "text/html")
    try:
        message.send(fail_silently=False)
    except Exception as exc:
        if connection is not None:
            connection.close()  # the next message opens a fresh session
        return _failed(email, exc, started, subject=rendered.subject)
    OutboundEmail.objects.filter(pk=email.pk).update(
        state=EmailState.SENT, attempts=email.attempts + 1, subject=rendered.subject,
        to_address=address, sent_at=timezone.now(), last_error="",
        duration_ms=int((time.monotonic() - started) * 1000),
    )
    return EmailState.SENT


def _still_ours(email):
    """Whether `email` is still ours to send, read just before it is rendered, with who
    its recipient is now: a row skipped meanwhile (its recipient moved to the other side
    or left) is not sent, and the recipient's role, provider and address are as they
    are at this attempt (one light query; the rest of the row may be a moment older)."""
    row = (OutboundEmail.objects.filter(pk=email.pk)
           .values_list("state", "next_attempt_at", "recipient__role",
                        "recipient__provider_id", "recipient__is_active", "recipient__email")
           .first())
    # Still claimed, and by us: a claim whose lease ran out may have been taken again.
    if row is None or row[0] != EmailState.SENDING or row[1] != email.next_attempt_at:
        return False
    if email.recipient is not None:
        recipient = email.recipient
        (recipient.role, recipient.provider_id, recipient.is_active,
         recipient.email) = row[2:]
    return True


def _failed(email, exc, started, subject=""):
    """Record a failed attempt: retried after a backoff from now, failed for good after
    the last (its `next_attempt_at` then keeps the time of that last try, which the page of
    undelivered e-mails shows). Recorded only while the claim is still ours: a row skipped
    meanwhile (its recipient moved) stays skipped, and one another worker took after our
    lease ran out (a stalled server) is that worker's to record, sent or not."""
    attempts = email.attempts + 1
    state = EmailState.FAILED if attempts >= MAX_ATTEMPTS else EmailState.PENDING
    now = timezone.now()
    recorded = OutboundEmail.objects.filter(
        pk=email.pk, state=EmailState.SENDING, next_attempt_at=email.next_attempt_at,
    ).update(
        state=state, attempts=attempts, subject=subject or email.subject,
        last_error=f"{exc.__class__.__name__}: {exc}"[:2000],
        next_attempt_at=now if state == EmailState.FAILED else now + backoff(attempts),
        duration_ms=int((time.monotonic() - started) * 1000),
    )
    log.warning("e-mail %s failed (attempt %s): %s", email.pk, attempts, exc)
    return state if recorded else None


def due_email_ids(now=None, limit=500):
    """Unsent e-mails whose next try (or lease end) has come: through the partial index."""
    now = now or timezone.now()
    return list(
        OutboundEmail.objects.filter(state__in=UNSENT, next_attempt_at__lte=now)
        .order_by("next_attempt_at").values_list("pk", flat=True)[:limit]
    )
