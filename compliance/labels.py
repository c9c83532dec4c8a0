"""How recorded values read in a history: field names as labels, stored choice values as
their labels, ISO times in the viewer's zone. Each app registers its own fields and
choices when it is ready, so this module knows no other app.
"""

import re
from datetime import date, datetime

from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from .display import time_html

_FIELDS = {}
_CHOICES = {}  # field name -> {value: label}
_ANY_FIELD = {}  # value -> label, for fields registered without a name

ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def register_fields(labels):
    """{field name: label} for fields whose name does not read well by itself."""
    _FIELDS.update(labels)


def register_values(field, labels):
    """{stored value: label} for one field whose values are codes, not TextChoices."""
    _CHOICES.setdefault(field, {}).update({str(k): str(v) for k, v in labels.items()})


# Recorded for the event's own use, never meant to be read (an id the line stands for).
_UNREAD = set()


def register_unread(*fields):
    _UNREAD.update(fields)


# Free text as someone typed it: read as typed, even when it looks like a time or a code.
_AS_TYPED = set()


def register_typed(*fields):
    _AS_TYPED.update(fields)


def register_choices(choices, *fields):
    """The labels of a TextChoices class, for the named `fields` (any field if none)."""
    labels = {str(value): str(label) for value, label in choices.choices}
    for field in fields:
        _CHOICES.setdefault(field, {}).update(labels)
    if not fields:
        for value, label in labels.items():
            _ANY_FIELD.setdefault(value, label)


def field_label(name):
    return _FIELDS.get(name) or str(name).replace("_", " ").capitalize()


def value_text(field, value):
    """A recorded value as a reader sees it: "—" for nothing, labels for choices, times in
    the viewer's zone (with UTC on hover), lists joined."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return mark_safe(", ".join(conditional_escape(value_text(field, v)) for v in value))
    if isinstance(value, str):
        if field in _AS_TYPED:
            return value
        if ISO_TIME.match(value):
            try:
                return time_html(datetime.fromisoformat(value.replace("Z", "+00:00")))
            except ValueError:
                return value
        if ISO_DATE.match(value):
            try:
                return date.fromisoformat(value).isoformat()
            except ValueError:
                return value
        labels = _CHOICES.get(field, {})
        parts = value.split(", ")
        if len(parts) > 1 and all(part in labels for part in parts):
            return ", ".join(labels[part] for part in parts)  # codes recorded joined
        return labels.get(value) or _ANY_FIELD.get(value) or value
    if isinstance(value, dict):
        # A related object as filed ({"id", "name"}), or a risk statement.
        if "nature_of_risk" in value:
            model = value.get("pes_model")
            name = model.get("name") if isinstance(model, dict) else model
            return (f"{name}: {value.get('nature_of_risk')} → "
                    f"{value.get('effect_on_pes')}")
        if "name" in value:
            return str(value["name"])
    return str(value)


def change_rows(changes):
    """[(label, before or None, after)] of an event's recorded changes, readable."""
    rows = []
    for field, pair in (changes or {}).items():
        if field in _UNREAD:
            continue
        before, after = (pair + [None, None])[:2] if isinstance(pair, list) else (None, pair)
        rows.append((field_label(field),
                     None if before is None else value_text(field, before),
                     value_text(field, after)))
    return rows
