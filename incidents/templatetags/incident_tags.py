from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from compliance import labels

register = template.Library()

FIELD_LABELS = {
    "provider": "Provider",
    "category": "Category",
    "subtype": "Subtype",
    "title": "Title",
    "description": "Description",
    "discovered_at": "Discovered at",
    "discovery_timezone": "Discovery time zone",
    "discovered_by_affiliate": "Discovered by (affiliate)",
    "discovered_by_name": "Discoverer",
    "pes_models": "Affected PES models",
    "risk_statements": "Risk statements",
    "notification_due_at": "Notification due",
}


@register.filter
def field_label(name):
    return labels.field_label(name)


@register.filter
def as_text(value, field=""):
    """A filed JSON value of `field` as readable text: names for objects, lines for lists,
    labels for choices, times in the viewer's zone."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, list):
        return mark_safe("; ".join(conditional_escape(as_text(v, field)) for v in value))
    return labels.value_text(field, value)
