"""How times read to people: in the time zone active for the request (the viewer's own on
pages, UTC in the API), with the zone's abbreviation. Messages built by services use it,
so an error on a page names times the way the rest of the page does."""

from datetime import UTC

from django.utils import timezone
from django.utils.html import format_html

FORMAT = "%Y-%m-%d %H:%M %Z"


def display_time(value):
    """`value` (aware) as "2026-06-10 08:00 EDT" in the current time zone; "—" for None."""
    if value is None:
        return "—"
    return timezone.localtime(value).strftime(FORMAT)


def utc_time(value):
    """`value` (aware) as "2026-06-10 12:00 UTC"."""
    if value is None:
        return "—"
    return value.astimezone(UTC).strftime(FORMAT)


def time_html(value, seconds=False):
    """`<time>` of `value` in the viewer's zone, with UTC on hover; "" for None."""
    if value is None or value == "":
        return ""
    shown = timezone.localtime(value).strftime(
        "%Y-%m-%d %H:%M:%S %Z" if seconds else FORMAT)
    return format_html('<time datetime="{}" title="{}">{}</time>', value.isoformat(),
                       utc_time(value), shown)
