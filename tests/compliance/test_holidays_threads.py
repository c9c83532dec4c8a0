"""USPS's business-day targets read one module-wide `holidays` calendar that fills in a
year the first time a date of that year is looked up. The web app serves requests in
threads (config/gunicorn.py: 4 per process); two requests that first touch two years at
once must still both see their federal holidays."""

import threading
import time
from datetime import UTC, date, datetime

import pytest

from compliance import deadlines
from compliance.models import DeadlinePolicy


@pytest.fixture
def slow_holiday_population(monkeypatch):
    """Filling in a year takes a little while (as it does on a busy processor): the
    threads of a worker interleave meanwhile. The holidays computed are unchanged."""
    cls = type(deadlines.FEDERAL_HOLIDAYS)
    original = cls._populate_public_holidays

    def slowly(self):
        time.sleep(0.05)
        return original(self)

    monkeypatch.setattr(cls, "_populate_public_holidays", slowly)


def test_two_requests_first_touching_two_years_both_skip_independence_day(
        slow_holiday_population):
    # 2091-07-04 is a Wednesday, 2092-07-04 a Friday: neither is a business day.
    days = {}

    def target(day):
        days[day] = deadlines.is_business_day(day)

    threads = [threading.Thread(target=target, args=(date(2091, 7, 4),)),
               threading.Thread(target=target, args=(date(2092, 7, 4),))]
    for thread in threads:
        thread.start()
        time.sleep(0.01)
    for thread in threads:
        thread.join()

    assert days == {date(2091, 7, 4): False, date(2092, 7, 4): False}
    # And for the life of the process, every later target too.
    assert not deadlines.is_business_day(date(2091, 7, 4))
    assert not deadlines.is_business_day(date(2092, 7, 4))


def test_a_triage_target_filed_before_independence_day_skips_it_whatever_ran_alongside(
        slow_holiday_population):
    """A filing near a holiday, while another request first looks at the next year."""
    policy = DeadlinePolicy.defaults()
    # 2089-07-04 is a Monday. Filed Friday 2089-07-01 at noon Eastern: two business days
    # are Tuesday 07-05 and Wednesday 07-06.
    filed = datetime(2089, 7, 1, 16, 0, tzinfo=UTC)
    found = {}

    def triage_target():
        found["due"] = deadlines.usps_target_due_at(policy, "usps_triage", filed)

    def other_year():
        deadlines.is_business_day(date(2090, 1, 2))

    threads = [threading.Thread(target=triage_target), threading.Thread(target=other_year)]
    for thread in threads:
        thread.start()
        time.sleep(0.01)
    for thread in threads:
        thread.join()

    assert found["due"] == deadlines.end_of_day(date(2089, 7, 6), "America/New_York")
