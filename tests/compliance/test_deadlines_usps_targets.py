"""USPS's targets and end-of-day deadlines are pure arithmetic: no database."""

from datetime import UTC, date, datetime, timedelta

import pytest

from compliance.deadlines import (
    USPS_ESCALATION,
    USPS_REMINDER,
    add_business_days,
    end_of_day,
    is_business_day,
    reminder_schedule,
    steps_between,
    usps_target_due_at,
)
from compliance.models import DeadlinePolicy

DEFAULTS = DeadlinePolicy.defaults()


def eastern_end_of(day, edt=True):
    """23:59:59 of `day` in New York, as UTC (EDT is UTC-4, EST UTC-5)."""
    return datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=UTC) + (
        timedelta(hours=4 if edt else 5) - timedelta(seconds=1))


def test_it_counts_two_business_days_over_a_weekend():
    friday_afternoon = datetime(2026, 6, 12, 19, 0, tzinfo=UTC)  # 15:00 EDT

    due = usps_target_due_at(DEFAULTS, "usps_triage", friday_afternoon)

    assert due == eastern_end_of(date(2026, 6, 16))  # the end of Tuesday


def test_it_skips_a_federal_holiday_and_its_observed_day():
    # Independence Day 2026 falls on a Saturday: it is observed on Friday, July 3.
    thursday = datetime(2026, 7, 2, 14, 0, tzinfo=UTC)

    due = usps_target_due_at(DEFAULTS, "usps_triage", thursday)

    assert not is_business_day(date(2026, 7, 3))
    assert due == eastern_end_of(date(2026, 7, 7))  # Monday 6 and Tuesday 7 count


def test_it_skips_a_monday_holiday_in_a_five_day_review():
    # Labor Day 2026 is Monday, September 7.
    friday = datetime(2026, 9, 4, 16, 0, tzinfo=UTC)

    due = usps_target_due_at(DEFAULTS, "usps_report_review", friday)

    assert due == eastern_end_of(date(2026, 9, 14))  # Tue 8 … Fri 11, Mon 14


def test_it_counts_the_procedures_review_in_calendar_days():
    at = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)

    due = usps_target_due_at(DEFAULTS, "usps_procedures_review", at)

    assert due == eastern_end_of(date(2026, 4, 1))  # 30 calendar days, EDT by then


def test_it_reads_the_day_of_arrival_in_usps_time():
    # 02:00 UTC on Saturday is still Friday evening in Washington.
    saturday_utc = datetime(2026, 6, 13, 2, 0, tzinfo=UTC)

    assert usps_target_due_at(DEFAULTS, "usps_triage", saturday_utc) == eastern_end_of(
        date(2026, 6, 16))


def test_it_takes_the_target_from_the_policy_version_given():
    policy = DeadlinePolicy(version=3, usps_targets={
        "usps_extension_decision": {"days": 1, "business_days": False}})
    monday = datetime(2026, 6, 15, 14, 0, tzinfo=UTC)

    assert usps_target_due_at(policy, "usps_extension_decision", monday) == eastern_end_of(
        date(2026, 6, 16))
    # A kind the version does not name keeps the built-in default (2 business days).
    assert usps_target_due_at(policy, "usps_triage", monday) == eastern_end_of(
        date(2026, 6, 17))


def test_it_refuses_a_naive_time():
    with pytest.raises(ValueError):
        usps_target_due_at(DEFAULTS, "usps_triage", datetime(2026, 6, 15, 14, 0))


@pytest.mark.parametrize("start,count,expected", [
    (date(2026, 12, 24), 1, date(2026, 12, 28)),   # Christmas Friday, then the weekend
    (date(2026, 12, 31), 1, date(2027, 1, 4)),     # New Year's Day, then the weekend
    (date(2027, 1, 15), 1, date(2027, 1, 19)),     # Martin Luther King Jr. Day
    (date(2026, 11, 25), 1, date(2026, 11, 27)),   # Thanksgiving Thursday
    (date(2026, 6, 15), 0, date(2026, 6, 15)),
])
def test_it_adds_business_days_across_federal_holidays(start, count, expected):
    assert add_business_days(start, count) == expected


def test_the_end_of_a_day_is_its_last_second_in_the_zone_given():
    assert end_of_day(date(2026, 1, 15), "America/New_York") == datetime(
        2026, 1, 16, 4, 59, 59, tzinfo=UTC)
    assert end_of_day(date(2026, 7, 15), "America/Los_Angeles") == datetime(
        2026, 7, 16, 6, 59, 59, tzinfo=UTC)
    assert end_of_day(date(2026, 7, 15), "UTC") == datetime(2026, 7, 15, 23, 59, 59, tzinfo=UTC)


@pytest.mark.parametrize("zone, day, last_second", [
    # The clocks go back at midnight: 23:59:59 comes twice, and the day ends at the second.
    ("America/Santiago", date(2026, 4, 4), datetime(2026, 4, 5, 3, 59, 59, tzinfo=UTC)),
    ("Africa/Cairo", date(2026, 10, 29), datetime(2026, 10, 29, 21, 59, 59, tzinfo=UTC)),
    ("Asia/Beirut", date(2026, 10, 24), datetime(2026, 10, 24, 21, 59, 59, tzinfo=UTC)),
    # The clocks skip midnight: the day before ends as usual, the day itself an hour short.
    ("America/Santiago", date(2026, 9, 5), datetime(2026, 9, 6, 3, 59, 59, tzinfo=UTC)),
    ("America/Santiago", date(2026, 9, 6), datetime(2026, 9, 7, 2, 59, 59, tzinfo=UTC)),
])
def test_the_end_of_a_day_is_its_last_second_where_the_clocks_change_at_midnight(
        zone, day, last_second):
    assert end_of_day(day, zone) == last_second


def test_a_usps_target_is_reminded_before_and_escalated_once_when_it_is_past():
    due = datetime(2026, 6, 16, 3, 59, 59, tzinfo=UTC)
    ladder = {"repeat_after_hours": [4], "managers_after_hours": 0, "max_escalations": 10}

    steps = reminder_schedule(due, [24, 4], ladder, usps_target=True)

    assert [(at, audience) for _, at, audience in steps] == [
        (due - timedelta(hours=24), USPS_REMINDER),
        (due - timedelta(hours=4), USPS_REMINDER),
        (due + timedelta(seconds=1), USPS_ESCALATION),
    ]
    # Nothing is left to send however long the target stays unmet.
    assert steps_between(due, [24, 4], ladder, due + timedelta(seconds=1),
                         due + timedelta(days=60), usps_target=True) == []
