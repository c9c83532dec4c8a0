from datetime import UTC

import django_filters
from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework import serializers

from compliance.window import SaneDateFormField, SaneDateTimeFormField, check_date, check_datetime


class StrictPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A related id that is an id: a number with a fraction, or one past the database's
    range, is refused (400), never rounded to another object."""

    def to_internal_value(self, data):
        # A JSON number with a fraction names no object (1.9 is not model 1).
        if isinstance(data, float):
            if not data.is_integer():
                self.fail("incorrect_type", data_type="number with a fraction")
            data = int(data)
        # An id past the database's integer range cannot exist: "not found", not a 500.
        if isinstance(data, int | str) and not isinstance(data, bool):
            try:
                if not 0 < int(data) <= MAX_ID:
                    self.fail("does_not_exist", pk_value=data)
            except ValueError:
                self.fail("incorrect_type", data_type=type(data).__name__)
        return super().to_internal_value(data)


class VisiblePrimaryKeyRelatedField(StrictPrimaryKeyRelatedField):
    """A related id limited to what the caller may see: others read as "does not exist"."""

    def get_queryset(self):
        request = self.context["request"]
        return super().get_queryset().visible_to(request.user)


class AwareDateTimeField(serializers.DateTimeField):
    """ISO 8601 with a UTC offset in, UTC (`Z`) out. A time without an offset, or outside
    the sane window (`compliance.window`), is refused."""

    default_error_messages = {
        "naive": "Give the time with its UTC offset, e.g. 2026-03-01T14:30:00-05:00.",
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("default_timezone", UTC)
        super().__init__(**kwargs)

    def to_internal_value(self, value):
        if isinstance(value, str):
            try:
                parsed = parse_datetime(value.strip())
            except ValueError:
                parsed = None
            if parsed is not None:
                if timezone.is_naive(parsed):
                    self.fail("naive")
                _window(check_datetime, parsed)
        return super().to_internal_value(value)


class SaneDateField(serializers.DateField):
    """YYYY-MM-DD within the sane window."""

    def to_internal_value(self, value):
        return _window(check_date, super().to_internal_value(value))


def _window(check, value):
    try:
        return check(value)
    except DjangoValidationError as exc:
        raise serializers.ValidationError(exc.messages) from None


class SaneDateTimeFilter(django_filters.Filter):
    """A filter on a time: ISO 8601 with its offset, in the sane window."""

    field_class = SaneDateTimeFormField


class StrictBooleanField(forms.Field):
    """`true` or `false` (or 1 or 0, in any case); empty means "either". Anything else is
    refused: a misspelt yes-or-no filter must not quietly widen a list."""

    default_error_messages = {"invalid": "Give true or false."}

    def to_python(self, value):
        if value in (None, ""):
            return None
        word = str(value).strip().lower()
        if word in ("true", "1"):
            return True
        if word in ("false", "0"):
            return False
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")


class StrictBooleanFilter(django_filters.BooleanFilter):
    """A yes-or-no filter that refuses what it cannot read (400), as every filter does."""

    field_class = StrictBooleanField


class SaneDateFilter(django_filters.Filter):
    """A filter on a calendar date, in the sane window."""

    field_class = SaneDateFormField


# The largest id the database holds (a signed 64-bit integer).
MAX_ID = 2**63 - 1


def id_from(value):
    """A query or form value read as an object id the database can hold, else None: ASCII
    digits only ("²" is a digit to `str.isdigit`, and no number to `int`)."""
    text = str(value if value is not None else "").strip()
    if text.isascii() and text.isdigit() and 0 < int(text) <= MAX_ID:
        return int(text)
    return None


class IdFilter(django_filters.Filter):
    """A filter on an object id: a whole number the database can hold, else 400."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)
