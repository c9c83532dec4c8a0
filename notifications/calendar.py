"""Private iCal feeds: making and revoking a feed, and writing it (RFC 5545) with the
`icalendar` package, which keeps CRLF line ends, folding at 75 octets, escaping of TEXT
values and UTC times right."""

import unicodedata
from datetime import UTC, timedelta
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from compliance.models import Obligation, ObligationState
from compliance.services import record_event
from compliance.services.users import held_as_read

from .models import CalendarFeed

# A deadline is an instant; calendars want a span, so each event lasts this long from it.
EVENT_LENGTH = timedelta(minutes=15)
PRODID = "-//USPS PES security-weakness cases//Obligations//EN"


# --- Feeds ------------------------------------------------------------------------------

@transaction.atomic
def make_calendar_feed(*, actor):
    """Give `actor` a new feed secret; an earlier one stops working. Returns (feed, secret):
    the secret is not stored and cannot be shown again. The user's row is locked first: two
    requests at once take turns, and a deactivation or move to another side (which revoke
    the feed) is waited for and seen: refused, as a page read before it."""
    # A move since: its address would list the new side's deadlines on the old side's page.
    if not held_as_read(actor).is_active:
        raise PermissionDenied("This account is closed.")
    secret = CalendarFeed.generate_secret()
    now = timezone.now()
    feed = CalendarFeed.objects.select_for_update(no_key=True).filter(user=actor).first()
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
    feed = CalendarFeed.objects.select_for_update(no_key=True).filter(user=actor).first()
    if feed is None or not feed.is_active:
        return feed
    feed.revoked_at = timezone.now()
    feed.save(update_fields=["revoked_at"])
    record_event(actor=actor, obj=actor, action="calendar_feed.revoked",
                 changes={"calendar_feed": [feed.prefix, None]}, at=feed.revoked_at)
    return feed


def retire_calendar_feed(user, at):
    """Stop `user`'s feed for good, as their account closes or they move to another side
    (a reactivated account needs a new one): how many stopped, 0 or 1. The caller records
    it with its change."""
    return CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=at)


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

def _uid_domain():
    return urlsplit(settings.SITE_URL).hostname or "pes-cases"


def _text(value):
    """A TEXT value with each control character (a case title may hold any) as a space,
    but the tab and line breaks: RFC 5545 admits no other, the calendar library escapes
    only line breaks, and a strict client would refuse the whole feed for one."""
    return "".join(" " if unicodedata.category(ch) == "Cc" and ch not in "\t\n" else ch
                   for ch in str(value).replace("\r\n", "\n"))


def obligation_event(obligation, stamp):
    """One VEVENT for `obligation`: a 15-minute span from its due time, in UTC."""
    summary = _text(f"{obligation.get_kind_display()}: {obligation.subject}")
    if obligation.state == ObligationState.MISSED:
        summary = f"Overdue: {summary}"
    due = obligation.due_at.astimezone(UTC)
    event = icalendar.Event()
    event.add("uid", f"obligation-{obligation.pk}@{_uid_domain()}")
    event.add("dtstamp", stamp)
    event.add("dtstart", due)
    event.add("dtend", due + EVENT_LENGTH)
    event.add("summary", summary)
    event.add("description", f"{obligation.get_kind_display()} under {obligation.clause}, "
                             f"due {due:%Y-%m-%d %H:%M} UTC.")
    if obligation.proceeding_id:
        event.add("url", f"{settings.SITE_URL}/proceedings/{obligation.proceeding_id}/")
    elif obligation.incident_id:
        event.add("url", f"{settings.SITE_URL}/incidents/{obligation.incident_id}/")
    return event


def render_calendar(obligations, name="PES obligations", now=None):
    """The whole VCALENDAR as a string with CRLF line endings and folded lines."""
    stamp = (now or timezone.now()).astimezone(UTC)
    calendar = icalendar.Calendar()
    calendar.add("version", "2.0")
    calendar.add("prodid", PRODID)
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", _text(name))
    for obligation in obligations:
        calendar.add_component(obligation_event(obligation, stamp))
    return calendar.to_ical().decode("utf-8")
