"""Filters every page uses to show times, changes, roles and names the same way (loaded as
builtins, so no template needs to `load` them)."""

from django import template

from compliance import labels
from compliance.display import time_html
from compliance.models.users import ROLE_PHRASES

register = template.Library()


@register.filter(is_safe=True)
def when(value, seconds=""):
    """A time in the viewer's zone, with UTC on hover: `{{ at|when }}`; `{{ at|when:"s" }}`
    shows seconds too. Empty for None."""
    return time_html(value, seconds=bool(seconds))


@register.filter
def change_rows(event):
    """An audit event's changes as (label, before or None, after), readable."""
    return labels.change_rows(event.changes)


@register.filter
def role_phrase(role):
    """A role's value as it reads in a sentence: "usps_reviewer" → "a USPS reviewer"."""
    return ROLE_PHRASES.get(role, "a user")


@register.filter
def possessive(name):
    """ "Meridian Postage Systems" → "Meridian Postage Systems'", "Alpha" → "Alpha's"."""
    name = str(name)
    return f"{name}'" if name.endswith("s") else f"{name}'s"
