"""Filters every page uses to show times, roles and names the same way (loaded as builtins).
"""

from django import template
from django.utils import timezone
from django.utils.html import format_html

from compliance.display import display_time, utc_time

register = template.Library()


@register.filter(is_safe=True)
def when(value, seconds=""):
    """A time in the viewer's zone, with UTC on hover: `{{ at|when }}`; `{{ at|when:"s" }}`
    shows seconds too. Empty for None."""
    if value is None or value == "":
        return ""
    shown = display_time(value)
    if seconds:
        shown = timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S %Z")
    return format_html('<time datetime="{}" title="{}">{}</time>', value.isoformat(),
                       utc_time(value), shown)


@register.filter
def possessive(name):
    """ “Meridian Postage Systems” → “Meridian Postage Systems'”, “Alpha” → “Alpha's”."""
    name = str(name)
    return f"{name}'" if name.endswith("s") else f"{name}'s"
