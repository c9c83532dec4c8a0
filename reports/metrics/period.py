"""The period a figure covers: whole UTC days from a first to a last day, both included."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.utils import timezone

from compliance.window import sane_years

MAX_MONTHS = 120


class PeriodError(ValueError):
    """A period that cannot be used; the message says why, for the person who chose it."""


@dataclass(frozen=True)
class Period:
    first: date
    last: date

    @property
    def start(self):
        return datetime.combine(self.first, time.min, tzinfo=UTC)

    @property
    def end(self):
        """The instant the period ends (exclusive): midnight UTC after its last day."""
        return datetime.combine(self.last + timedelta(days=1), time.min, tzinfo=UTC)

    def months(self):
        """The first day of each calendar month the period touches, in order."""
        month, months = self.first.replace(day=1), []
        while month <= self.last:
            months.append(month)
            month = (month + timedelta(days=32)).replace(day=1)
        return months

    def month_ends(self):
        """For each month: the instant it ends within the period (its last moment counted
        is just before this), the period's end for the last month."""
        ends = []
        for month in self.months():
            following = (month + timedelta(days=32)).replace(day=1)
            ends.append(min(datetime.combine(following, time.min, tzinfo=UTC), self.end))
        return ends

    def query(self):
        return {"from": self.first.isoformat(), "to": self.last.isoformat()}


def default_period(today=None):
    """The last twelve calendar months, this one included (to `today`)."""
    today = today or timezone.now().astimezone(UTC).date()
    return Period(_twelve_months_to(today), today)


def _twelve_months_to(last):
    """The first day of the twelve calendar months ending with `last`'s."""
    first = last.replace(day=1)
    for _ in range(11):
        first = (first - timedelta(days=1)).replace(day=1)
    return first


def _day(value, name):
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        raise PeriodError(f"Give the {name} day as YYYY-MM-DD.") from None
    first, last = sane_years()
    if not first <= day.year <= last:
        raise PeriodError(f"The {name} day must lie between the years {first} and {last}.")
    return day


def parse_period(params, prefix="", today=None):
    """The period named by `<prefix>from` and `<prefix>to` (YYYY-MM-DD) in `params`, or
    by plain `from` and `to`, or the default (a last day alone: the twelve months ending
    with it); PeriodError when it cannot be used."""
    default = default_period(today)
    raw_from = params.get(f"{prefix}from") or params.get("from") or ""
    raw_to = params.get(f"{prefix}to") or params.get("to") or ""
    last = _day(raw_to, "last") if raw_to else default.last
    # A last day alone ends twelve months of its own, not the default's.
    first = (_day(raw_from, "first") if raw_from
             else _twelve_months_to(last) if raw_to else default.first)
    if last < first:
        raise PeriodError(f"The period ends ({last}) before it starts ({first}).")
    period = Period(first, last)
    if len(period.months()) > MAX_MONTHS:
        raise PeriodError(f"Choose a period of at most {MAX_MONTHS} months.")
    return period
