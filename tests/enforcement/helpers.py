"""Acting on proceedings at a given time, as committed."""

from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import time_machine

from compliance.enforcement import services
from compliance.models import Obligation
from notifications.sweep import sweep
from tests.factories import committed

# A Wednesday; the provider is in New York (EDT, UTC-4).
T0 = datetime(2026, 6, 10, 16, 0, tzinfo=UTC)
DAY = timedelta(days=1)


@contextmanager
def at(moment):
    """Act at `moment` (the clock stands still), as committed."""
    with time_machine.travel(moment, tick=False), committed():
        yield


def sweep_at(moment):
    with at(moment):
        return sweep()


def end_of_day_new_york(day):
    """23:59:59 of `day` (a date) in New York during EDT, as UTC."""
    return datetime(day.year, day.month, day.day, 3, 59, 59, tzinfo=UTC) + DAY


def start_of_day_new_york(day):
    """00:00 of `day` in New York during EDT, as UTC."""
    return datetime(day.year, day.month, day.day, 4, 0, tzinfo=UTC)


def open_suspension(manager, provider, *, at_time=T0, **kwargs):
    kwargs.setdefault("grounds", "The written report was not filed by its deadline.")
    with at(at_time):
        return services.open_proceeding(actor=manager, provider=provider, kind="suspension",
                                        **kwargs)


def open_sanction(manager, provider, *, at_time=T0, **kwargs):
    kwargs.setdefault("grounds", "Postage was printed without being paid for.")
    with at(at_time):
        return services.open_proceeding(actor=manager, provider=provider, kind="sanction",
                                        **kwargs)


def issue(actor, proceeding, kind, at_time, **kwargs):
    kwargs.setdefault("body", f"The {kind.replace('_', ' ')}.")
    with at(at_time):
        return services.issue_step(actor=actor, proceeding=proceeding, kind=kind, **kwargs)


def period_of(proceeding, kind):
    """The proceeding's newest period (obligation) of `kind`."""
    return Obligation.objects.filter(object_id=proceeding.pk, kind=kind).order_by("-id").first()
