"""Private iCal feeds: making and revoking a feed, and writing it (RFC 5545) by hand.

The serializer is a few functions on purpose: the feed has one component type with a
handful of properties, and the rules that matter (CRLF, folding at 75 octets, escaping of
TEXT values, UTC times) are short enough to keep in view and test here.
"""

from datetime import UTC, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from compliance.models import Obligation, ObligationState
from compliance.services import record_event

from .models import CalendarFeed

# A deadline is an instant; calendars want a span, so each event lasts this long from it.
EVENT_LENGTH = timedelta(minutes=15)
MAX_OCTETS = 75
PRODID = "-//USPS PES security-weakness cases//Obligations//EN"


# --- Feeds ------------------------------------------------------------------------------

@transaction.atomic
def make_calendar_feed(*, actor):
    """Give `actor` a new feed secret; an earlier one stops working. Returns (feed, secret):
    the secret is not stored and cannot be shown again."""
    secret = CalendarFeed.generate_secret()
    now = timezone.now()
    feed = CalendarFeed.objects.select_for_update().filter(user=actor).first()
    replaced = feed is not None and feed.is_active
    if feed is None:
        feed = CalendarFeed(user=actor)
    old_prefix = feed.prefix or None
    feed.token_hash = CalendarFeed.hash_secret(secret)
    feed.prefix = secret[:8]
    feed.created_at = now
    feed.revoked_at = None
    feed.save()
    record_event(actor=actor, obj=actor,
                 action="calendar_feed.replaced" if replaced else "calendar_feed.created",
                 changes={"calendar_feed": [old_prefix if replaced else None, feed.prefix]},
                 at=now)
    return feed, secret


@transaction.atomic
def revoke_calendar_feed(*, actor):
    """Stop `actor`'s feed from answering; a no-op when there is none or it is revoked."""
    feed = CalendarFeed.objects.select_for_update().filter(user=actor).first()
    if feed is None or not feed.is_active:
        return feed
    feed.revoked_at = timezone.now()
    feed.save(update_fields=["revoked_at"])
    record_event(actor=actor, obj=actor, action="calendar_feed.revoked",
                 changes={"calendar_feed": [feed.prefix, None]}, at=feed.revoked_at)
    return feed


def feed_for_secret(secret):
    """The active feed the secret opens (with its user), or None."""
    if not secret:
        return None
    return (CalendarFeed.objects.active().select_related("user")
            .filter(token_hash=CalendarFeed.hash_secret(secret)).first())


def feed_url(secret):
    return f"{settings.SITE_URL}/notifications/calendar/{secret}.ics"


def feed_obligations(user):
    """What a feed shows: the duties still owed that `user` may see, through the one door."""
    return Obligation.objects.visible_to(user).outstanding().order_by("due_at", "id")


# --- RFC 5545 ---------------------------------------------------------------------------

def escape_text(value):
    """A TEXT value: backslash, semicolon and comma escaped, line breaks as `\\n`."""
    value = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return (value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\n", "\\n"))


def fold(line):
    """Split a content line into lines of at most 75 octets (UTF-8), never inside a
    character; each continuation starts with one space, which counts toward the 75."""
    parts, current, size = [], "", 0
    for char in line:
        octets = len(char.encode("utf-8"))
        limit = MAX_OCTETS if not parts else MAX_OCTETS - 1
        if size + octets > limit:
            parts.append(current)
            current, size = "", 0
        current += char
        size += octets
    parts.append(current)
    return "\r\n ".join(parts)


def utc_stamp(value):
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _uid_domain():
    return urlsplit(settings.SITE_URL).hostname or "pes-cases"


def obligation_event(obligation, stamp):
    """The content lines of one VEVENT for `obligation`."""
    summary = f"{obligation.get_kind_display()}: {obligation.subject}"
    if obligation.state == ObligationState.MISSED:
        summary = f"Overdue: {summary}"
    description = (f"{obligation.get_kind_display()} under {obligation.clause}, "
                   f"due {obligation.due_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC.")
    lines = [
        "BEGIN:VEVENT",
        f"UID:obligation-{obligation.pk}@{_uid_domain()}",
        f"DTSTAMP:{stamp}",
        f"DTSTART:{utc_stamp(obligation.due_at)}",
        f"DTEND:{utc_stamp(obligation.due_at + EVENT_LENGTH)}",
        f"SUMMARY:{escape_text(summary)}",
        f"DESCRIPTION:{escape_text(description)}",
    ]
    if obligation.proceeding_id:
        lines.append(f"URL:{settings.SITE_URL}/proceedings/{obligation.proceeding_id}/")
    elif obligation.incident_id:
        lines.append(f"URL:{settings.SITE_URL}/incidents/{obligation.incident_id}/")
    lines.append("END:VEVENT")
    return lines


def render_calendar(obligations, name="PES obligations", now=None):
    """The whole VCALENDAR as a string with CRLF line endings and folded lines."""
    stamp = utc_stamp(now or timezone.now())
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN",
             "METHOD:PUBLISH", f"X-WR-CALNAME:{escape_text(name)}"]
    for obligation in obligations:
        lines.extend(obligation_event(obligation, stamp))
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
