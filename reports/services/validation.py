"""Checks on report content: field names per kind while drafting, completeness and
sensible dates before filing."""

from datetime import date
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError

from compliance.text import as_typed
from compliance.window import in_window, window_message
from reports.models import ALL_CONTENT_FIELDS, CONTENT_FIELDS

MAX_TEXT = 50_000


def check_fields(kind, values):
    """Only this kind's content fields, with the right types; text stripped. Returns the
    cleaned values."""
    errors, cleaned = {}, {}
    allowed = CONTENT_FIELDS[kind]
    for name, value in values.items():
        if name not in ALL_CONTENT_FIELDS:
            errors[name] = ["Not a report field."]
        elif name not in allowed:
            errors[name] = [f"A {kind} report has no {name.replace('_', ' ')}."]
        elif name == "anticipated_completion_date":
            if value is not None and not isinstance(value, date):
                errors[name] = ["Give a date as YYYY-MM-DD."]
            elif value is not None and not in_window(value):
                errors[name] = [window_message()]
            cleaned[name] = value
        else:
            text = as_typed(value)
            if len(text) > MAX_TEXT:
                errors[name] = [f"At most {MAX_TEXT} characters."]
            cleaned[name] = text
    if errors:
        raise ValidationError(errors)
    return cleaned


def check_complete(report, now):
    """Every field of the kind filled in; the anticipated completion date not in the past
    (the calendar day of `now` in the provider's time zone)."""
    errors = {}
    for name in report.content_fields:
        value = getattr(report, name)
        if name == "anticipated_completion_date":
            if value is None:
                errors[name] = ["Give the anticipated completion date."]
            elif value < now.astimezone(ZoneInfo(report.provider.timezone)).date():
                errors[name] = ["The anticipated completion date is in the past."]
        elif not (value or "").strip():
            label = report._meta.get_field(name).verbose_name
            errors[name] = [f"Fill in the {label} before filing."]
    if errors:
        raise ValidationError(errors)
