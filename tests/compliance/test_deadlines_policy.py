"""The policy's windows, periods and ends of days are pure arithmetic of (policy, time):
no database."""

from datetime import UTC, date, datetime, timedelta

from compliance.deadlines import (
    days_later_end_of_day,
    end_of_day,
    is_late,
    proceeding_period_due_at,
    resubmission_due_at,
    risk_window,
    start_of_day,
    status_report_interval,
    suspension_ends_at,
    written_report_due_at,
)
from compliance.models import DeadlinePolicy

DEFAULTS = DeadlinePolicy.defaults()
AT = datetime(2026, 6, 10, 16, 0, tzinfo=UTC)  # 12:00 in New York (EDT)


def policy(**fields):
    """A saved-looking version with `fields`; nothing is stored."""
    return DeadlinePolicy(version=7, **{"risk_windows": {}, "proceeding_periods": {},
                                        **fields})


def test_a_period_ends_at_the_end_of_its_last_day_in_the_named_zone():
    assert days_later_end_of_day(AT, 14, "America/New_York") == datetime(
        2026, 6, 25, 3, 59, 59, tzinfo=UTC)
    # 16:00 UTC is already the next day in Tokyo: the count starts there.
    assert days_later_end_of_day(AT, 1, "Asia/Tokyo") == datetime(
        2026, 6, 12, 14, 59, 59, tzinfo=UTC)


def test_a_period_across_the_autumn_change_ends_at_local_midnight():
    before = datetime(2026, 10, 20, 16, 0, tzinfo=UTC)  # EDT
    # 30 days later is November 19, EST (UTC-5).
    assert days_later_end_of_day(before, 30, "America/New_York") == datetime(
        2026, 11, 20, 4, 59, 59, tzinfo=UTC)


def test_the_written_report_is_due_elapsed_days_after_triage_per_risk():
    assert written_report_due_at(DEFAULTS, "high", AT) == AT + timedelta(days=7)
    assert written_report_due_at(DEFAULTS, "low", AT) == AT + timedelta(days=30)


def test_a_version_without_a_risk_takes_the_fallback_window():
    assert risk_window(policy(), "high", "written_report_days") == 14
    assert risk_window(DEFAULTS, None, "status_report_interval_days") == 30


def test_the_cases_own_interval_comes_before_the_policys():
    assert status_report_interval(DEFAULTS, "critical") == timedelta(days=3)
    assert status_report_interval(DEFAULTS, "critical", case_days=10) == timedelta(days=10)


def test_a_resubmission_is_due_by_the_end_of_a_day_in_the_providers_zone():
    assert resubmission_due_at(DEFAULTS, "moderate", AT, "America/Chicago") == datetime(
        2026, 6, 25, 4, 59, 59, tzinfo=UTC)


def test_the_period_to_correct_follows_the_revenue_risk():
    ends = {risk: proceeding_period_due_at(DEFAULTS, "correction", AT, "America/New_York",
                                           risk=risk).date()
            for risk in ("low", "moderate", "high", "critical")}
    assert ends == {"low": date(2026, 8, 10), "moderate": date(2026, 7, 11),
                    "high": date(2026, 6, 25), "critical": date(2026, 6, 18)}


def test_the_defense_and_the_appeal_have_thirty_days_unless_the_policy_says_otherwise():
    assert proceeding_period_due_at(DEFAULTS, "defense", AT, "America/New_York") == datetime(
        2026, 7, 11, 3, 59, 59, tzinfo=UTC)
    shorter = policy(proceeding_periods={"appeal_days": 20})
    assert shorter.proceeding_days("appeal") == 20
    assert shorter.proceeding_days("defense") == 30  # a value it lacks: the default
    assert shorter.proceeding_days("correction", "high") == 14


def test_a_suspension_of_ninety_days_ends_at_the_end_of_its_ninetieth_day():
    effective = start_of_day(date(2026, 6, 15), "America/New_York")

    assert effective == datetime(2026, 6, 15, 4, 0, tzinfo=UTC)
    assert suspension_ends_at(date(2026, 6, 15), 90, "America/New_York") == datetime(
        2026, 9, 13, 3, 59, 59, tzinfo=UTC)
    assert suspension_ends_at(date(2026, 6, 15), 1, "America/New_York") == datetime(
        2026, 6, 16, 3, 59, 59, tzinfo=UTC)


def test_all_of_the_last_second_of_a_due_day_is_in_time():
    """By the end of 15 July in New York: 23:59:59.5 there is still the 15th, not late;
    midnight is."""
    due = end_of_day(date(2026, 7, 15), "America/New_York")
    assert due == datetime(2026, 7, 16, 3, 59, 59, tzinfo=UTC)
    assert not is_late(due, due + timedelta(microseconds=500_000))
    assert not is_late(due, due)
    assert is_late(due, due + timedelta(seconds=1))
