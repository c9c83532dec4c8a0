"""The compliance record of a provider over a period, per clause of § 501.11: duties owed,
met on time, met late, missed, waived and extended, the time from discovery to
notification, and the cases open. Aggregate queries only (the medians with the metrics'
`compliance.aggregates.Median`): however many duties, a record is three queries.

A duty counts in the period when its original due time falls in it: from the start of
the first day to the end of the last, in the provider's time zone. Only duties USPS knows
of count (those of filed cases; a draft's are the provider's alone), and never USPS's own
targets.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, F, Max, OuterRef, Q

from compliance.aggregates import HoursBetween, Median
from compliance.deadlines import NOTIFICATION_WINDOW, start_of_day
from compliance.models import (
    CLAUSES,
    ExtensionRequest,
    ExtensionState,
    Obligation,
    ObligationKind,
    ObligationState,
)
from compliance.models.obligations import RECORD_KINDS

from .cases import case_source

# The figures of a clause, each the list of duties behind it.
FIGURES = {
    "owed": Q(),
    "met": Q(state=ObligationState.MET),
    "late": Q(state=ObligationState.LATE),
    "missed": Q(state=ObligationState.MISSED),
    "waived": Q(state=ObligationState.WAIVED),
    # Given more time by USPS on a request (a due time the provider revised itself, or USPS
    # moved at triage, is no extension).
    "extended": Q(Exists(ExtensionRequest.objects.filter(obligation=OuterRef("pk"),
                                                         state=ExtensionState.GRANTED))),
    "open": Q(state=ObligationState.OPEN),
}
# The lists behind the figures, and behind the notification hours (the filed ones).
LISTS = {**FIGURES, "filed": Q(met_at__isnull=False)}
FIGURE_LABELS = {"owed": "Owed", "met": "Met on time", "late": "Met late",
                 "missed": "Missed", "waived": "Waived", "extended": "Extended",
                 "open": "Not yet due", "filed": "Filed"}
DEFAULT_DAYS = 365
NOTIFICATION_HOURS = NOTIFICATION_WINDOW.total_seconds() / 3600


@dataclass(frozen=True)
class Period:
    """Whole days, `first` to `last` inclusive, in a zone: [start, end) as UTC instants."""

    first: date
    last: date
    zone: str

    @property
    def start(self):
        return start_of_day(self.first, self.zone)

    @property
    def end(self):
        return start_of_day(self.last + timedelta(days=1), self.zone)


def default_period(provider, now):
    """The last year, to today in the provider's zone."""
    return requested_period(provider, now)


def requested_period(provider, now, first=None, last=None):
    """The period asked for (the page's and the API's `?from=&to=`): a bound not given is
    DEFAULT_DAYS from the other — the last never after today, in the provider's zone —
    and the last year to today without either. A period that would end before it starts
    is refused (ValidationError on `from`)."""
    today = now.astimezone(ZoneInfo(provider.timezone)).date()
    span = timedelta(days=DEFAULT_DAYS - 1)
    if last is None:
        last = min(first + span, today) if first else today
    if first is None:
        first = last - span
    if last < first:
        raise ValidationError({"from": [
            f"Give a first day no later than the last ({last.isoformat()}; without a last "
            "day, today in the provider's time)."]})
    return Period(first, last, provider.timezone)


def duties_in(provider, period):
    """The provider's § 501.11 duties USPS knows of whose original due time is in
    `period`."""
    return (Obligation.objects.record_duties()
            .filter(provider=provider, original_due_at__gte=period.start,
                    original_due_at__lt=period.end))


def duties_behind(provider, period, kind=None, figure="owed"):
    """The duties a figure counts (`figure` one of LISTS; `kind` one clause or all)."""
    duties = duties_in(provider, period).filter(LISTS[figure])
    return duties.filter(kind=kind) if kind else duties


def notification_hours(provider, period):
    """{"count", "median", "max"}: hours from discovery to the filing of the notification,
    over notifications due in the period that were filed; one query. The discovery is the
    due time less the 24 hours (the duty's original due time never moves once filed)."""
    taken = HoursBetween(F("met_at"), F("original_due_at")) + NOTIFICATION_HOURS
    figures = (duties_in(provider, period)
               .filter(kind=ObligationKind.NOTIFICATION, met_at__isnull=False)
               .aggregate(count=Count("pk"), median=Median(taken), max=Max(taken)))
    return {"count": figures["count"], "median": _round(figures["median"]),
            "max": _round(figures["max"])}


def _round(hours):
    return None if hours is None else round(hours, 2)


def compliance_record(provider, period, now):
    """The record of `provider` over `period`: {"clauses": [{kind, label, clause, and a
    count per figure}], "notification_hours", "open_cases" (open at the last instant of the
    period, or now if it ends later), "open_case_age_days", "open_cases_at"}."""
    counts = {row.pop("kind"): row for row in (
        duties_in(provider, period).order_by().values("kind")
        .annotate(**{name: Count("pk", filter=condition)
                     for name, condition in FIGURES.items()}))}
    clauses = [{"kind": kind.value, "label": kind.label, "clause": CLAUSES[kind],
                **{name: counts.get(kind.value, {}).get(name, 0) for name in FIGURES}}
               for kind in RECORD_KINDS]
    # The period ends before `end`: a case filed at `end` is not open in it, one closed then
    # still was (the cases open at an instant count those filed at it).
    at = min(period.end - timedelta(microseconds=1), now)
    cases = case_source().open_cases(provider.pk, at)
    return {
        "clauses": clauses,
        "totals": {name: sum(c[name] for c in clauses) for name in FIGURES},
        "notification_hours": notification_hours(provider, period),
        "open_cases": cases["count"],
        "open_case_age_days": cases["age_days"],
        "open_cases_at": at,
    }
