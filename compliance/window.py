"""The sane window for dates and times: every date or time the product accepts, from any
field, filter, form or policy value, lies within it (years 1990 to 2100 unless
`settings.SANE_YEARS` says otherwise).

Outside it lie typing mistakes (0001-01-01, 9999-12-31) and values the database, the
deadline arithmetic or a time zone conversion cannot hold. Input layers use the fields
and filters here so the caller gets a 400 naming the field; services call
`check_date`/`check_datetime` so no path around the input layer stores such a value.
"""

from datetime import UTC, date, datetime, timedelta

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

DEFAULT_YEARS = (1990, 2100)
# PostgreSQL refuses UTC offsets beyond ±15:59; no real zone comes near.
MAX_OFFSET = timedelta(hours=15, minutes=59)
# The longest span of hours a policy value may name: ten years.
MAX_POLICY_HOURS = 10 * 366 * 24


def sane_years():
    """(first year, last year) accepted, both inclusive."""
    first, last = getattr(settings, "SANE_YEARS", DEFAULT_YEARS)
    return int(first), int(last)


def _window_message():
    first, last = sane_years()
    return f"Give a date between {first} and {last}."


def in_window(value):
    """Whether a date or an aware time lies in the window (a time: in UTC and in its own
    offset, with an offset PostgreSQL takes)."""
    try:
        check_datetime(value) if isinstance(value, datetime) else check_date(value)
    except ValidationError:
        return False
    return True


def window_message():
    return _window_message()


def check_date(value, field=None):
    """`value` (a date, or a datetime) if its year is in the window, else ValidationError
    (on `field` when given)."""
    first, last = sane_years()
    if value is not None and not first <= value.year <= last:
        raise ValidationError({field: [_window_message()]} if field else _window_message())
    return value


def check_datetime(value, field=None):
    """An aware `value` whose UTC offset PostgreSQL takes and whose instant (in UTC and
    in its own offset) lies in the window; else ValidationError (on `field`)."""
    if value is None:
        return value
    if timezone.is_naive(value):
        message = "Give the time with its UTC offset, e.g. 2026-03-01T14:30:00-05:00."
        raise ValidationError({field: [message]} if field else message)
    if abs(value.utcoffset()) > MAX_OFFSET:
        message = "Give a UTC offset between -15:59 and +15:59."
        raise ValidationError({field: [message]} if field else message)
    check_date(value, field)
    check_date(value.astimezone(UTC), field)
    return value


def check_hours(value, label):
    """A policy's span of hours, at most ten years; else ValidationError."""
    if value > MAX_POLICY_HOURS:
        raise ValidationError(f"{label}: at most {MAX_POLICY_HOURS:,} hours (ten years).")
    return value


def check_days(value, label):
    """A policy's span of days, at most ten years; else ValidationError."""
    if value > MAX_POLICY_HOURS // 24:
        raise ValidationError(f"{label}: at most {MAX_POLICY_HOURS // 24:,} days (ten years).")
    return value


def _as_form_error(exc):
    return forms.ValidationError(exc.messages)


class SaneDateTimeFormField(forms.DateTimeField):
    """An ISO 8601 time that must carry its UTC offset and lie in the window (filters
    and forms that take full timestamps)."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            parsed = value
        else:
            try:
                parsed = parse_datetime(str(value).strip())
            except ValueError:
                parsed = None
        if parsed is None:
            raise forms.ValidationError("Give an ISO 8601 time, e.g. 2026-03-01T14:30:00Z.")
        try:
            return check_datetime(parsed)
        except ValidationError as exc:
            raise _as_form_error(exc) from None


class SaneDateFormField(forms.DateField):
    """A calendar date (YYYY-MM-DD) in the window."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, date) and not isinstance(value, datetime):
            parsed = value
        else:
            try:
                parsed = parse_date(str(value).strip())
            except ValueError:
                parsed = None
        if parsed is None:
            raise forms.ValidationError("Give a date as YYYY-MM-DD.")
        try:
            return check_date(parsed)
        except ValidationError as exc:
            raise _as_form_error(exc) from None
