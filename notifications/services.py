"""Outbound e-mail: rows written in the caller's transaction, delivered after commit."""

import logging
import time
import zoneinfo
from datetime import UTC, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from .models import EmailState, OutboundEmail

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
LEASE = timedelta(minutes=5)


def backoff(attempts: int) -> timedelta:
    """Wait before the next try: 1, 2, 4, 8, 16 minutes."""
    return timedelta(minutes=2 ** max(attempts - 1, 0))


def render_email(template, context, recipient):
    """(subject, text, html) for `recipient`, with times shown in the recipient's zone."""
    ctx = {"recipient": recipient, "site_url": settings.SITE_URL, **context}
    try:
        zone = zoneinfo.ZoneInfo(recipient.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    base = f"notifications/email/{template}"
    with timezone.override(zone):
        subject = " ".join(render_to_string(f"{base}_subject.txt", ctx).split())
        text = render_to_string(f"{base}.txt", ctx)
        html = render_to_string(f"{base}.html", ctx)
    return subject[:300], text, html


def queue_email(*, recipients, template, context, key=None):
    """Write one e-mail per recipient (with an address) and send each after commit.

    With `key`, each recipient's message is keyed `<key>:<user id>`; an existing key is
    skipped, so queueing the same message twice sends it once. Returns the new rows.
    """
    now = timezone.now()
    rows = []
    for recipient in recipients:
        if not recipient.email or not recipient.is_active:
            continue
        subject, text, html = render_email(template, context, recipient)
        row = OutboundEmail(
            key=f"{key}:{recipient.pk}" if key else None,
            # An invitee has no account yet: their e-mail is kept by its address alone.
            template=template, recipient=recipient if recipient.pk else None,
            to_address=recipient.email,
            subject=subject, body_text=text, body_html=html, next_attempt_at=now,
        )
        if key:
            try:
                with transaction.atomic():
                    row.save()
            except IntegrityError:
                continue  # already queued under this key
        else:
            row.save()
        rows.append(row)
    if rows:
        ids = [r.pk for r in rows]
        transaction.on_commit(lambda: _enqueue(ids))
    return rows


def _enqueue(ids):
    from .tasks import deliver_email_task

    for pk in ids:
        try:
            deliver_email_task.delay(pk)
        except Exception:  # the sweep retries whatever stays pending
            log.exception("could not enqueue e-mail %s; the sweep will retry it", pk)


def claim(pk, now=None):
    """Take e-mail `pk` for sending if it is due and nobody holds it; True if we got it."""
    now = now or timezone.now()
    claimable = Q(state=EmailState.PENDING) | Q(state=EmailState.SENDING)
    return bool(
        OutboundEmail.objects.filter(claimable, pk=pk, next_attempt_at__lte=now)
        .update(state=EmailState.SENDING, next_attempt_at=now + LEASE)
    )


def deliver(pk, connection=None):
    """Claim and send one e-mail; record the outcome. Returns the final state or None."""
    if not claim(pk):
        return None
    email = OutboundEmail.objects.select_related("recipient", "obligation").get(pk=pk)
    if not email.subject:
        _render_obligation_email(email)
    message = EmailMultiAlternatives(
        subject=email.subject, body=email.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL, to=[email.to_address], connection=connection,
        headers={"X-PES-Email-Id": str(email.pk)},
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    started = time.monotonic()
    attempts = email.attempts + 1
    try:
        message.send(fail_silently=False)
    except Exception as exc:
        now = timezone.now()
        state = EmailState.FAILED if attempts >= MAX_ATTEMPTS else EmailState.PENDING
        OutboundEmail.objects.filter(pk=pk).update(
            state=state, attempts=attempts, last_error=f"{exc.__class__.__name__}: {exc}"[:2000],
            next_attempt_at=now + backoff(attempts),
            duration_ms=int((time.monotonic() - started) * 1000),
        )
        log.warning("e-mail %s failed (attempt %s): %s", pk, attempts, exc)
        return state
    OutboundEmail.objects.filter(pk=pk).update(
        state=EmailState.SENT, attempts=attempts, sent_at=timezone.now(), last_error="",
        duration_ms=int((time.monotonic() - started) * 1000),
    )
    return EmailState.SENT


def obligation_context(obligation, audience, now=None):
    """What an obligation e-mail shows: never anything internal to USPS."""
    now = now or timezone.now()
    left = obligation.due_at - now
    path = f"/incidents/{obligation.incident_id}/" if obligation.incident_id else "/"
    return {
        "obligation": obligation,
        "audience": audience,
        "overdue": left.total_seconds() < 0,
        "time_left": _describe(abs(left)),
        "due_at_utc": obligation.due_at.astimezone(UTC),
        "case_url": f"{settings.SITE_URL}{path}",
    }


def _describe(delta):
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [f"{days} day{'s' if days != 1 else ''}"] if days else []
    if hours or days:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if not days:
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    return ", ".join(parts)


def _render_obligation_email(email):
    """Render a reminder at send time, so it tells the time left as of sending."""
    context = obligation_context(email.obligation, email.audience)
    email.subject, email.body_text, email.body_html = render_email(
        email.template, context, email.recipient)
    OutboundEmail.objects.filter(pk=email.pk).update(
        subject=email.subject, body_text=email.body_text, body_html=email.body_html)


def due_email_ids(now=None, limit=500):
    """Unsent e-mails whose next try (or lease end) has come: through the partial index."""
    now = now or timezone.now()
    return list(
        OutboundEmail.objects.filter(
            state__in=[EmailState.PENDING, EmailState.SENDING], next_attempt_at__lte=now
        ).order_by("next_attempt_at").values_list("pk", flat=True)[:limit]
    )
