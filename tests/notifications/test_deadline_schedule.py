"""The reminder schedule is pure arithmetic on aware UTC times: no database."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from compliance.deadlines import (
    ESCALATION,
    ESCALATION_WITH_MANAGERS,
    PROVIDER,
    next_step_at,
    notification_due_at,
    reminder_schedule,
    steps_between,
)

DUE = datetime(2026, 3, 9, 15, 0, tzinfo=UTC)
LADDER = {"repeat_after_hours": [4, 12, 24], "managers_after_hours": 24, "max_escalations": 6}


def test_it_reminds_before_the_due_time_at_each_offset_earliest_first():
    steps = reminder_schedule(DUE, [1, 12, 4], LADDER)
    before = [(at, audience) for _, at, audience in steps if audience == PROVIDER]

    assert before == [(DUE - timedelta(hours=12), PROVIDER), (DUE - timedelta(hours=4), PROVIDER),
                      (DUE - timedelta(hours=1), PROVIDER)]


def test_it_escalates_once_due_is_past_then_with_backoff_and_adds_managers_after_a_day():
    """The first escalation comes once the due time's last second has gone by (all of it
    is still in time), the others after it."""
    past = timedelta(seconds=1)
    after = [(at - DUE, audience) for _, at, audience in reminder_schedule(DUE, [], LADDER)]

    assert after == [
        (past, ESCALATION),
        (past + timedelta(hours=4), ESCALATION),
        (past + timedelta(hours=16), ESCALATION),
        (past + timedelta(hours=40), ESCALATION_WITH_MANAGERS),
        (past + timedelta(hours=64), ESCALATION_WITH_MANAGERS),
        (past + timedelta(hours=88), ESCALATION_WITH_MANAGERS),
    ]
    fractional = DUE + timedelta(microseconds=250_000)
    assert reminder_schedule(fractional, [], LADDER)[0][1] == DUE + past


def test_it_keys_steps_by_due_time_so_a_moved_deadline_gets_fresh_steps():
    first = {key for key, _, _ in reminder_schedule(DUE, [12], LADDER)}
    moved = {key for key, _, _ in reminder_schedule(DUE + timedelta(days=7), [12], LADDER)}

    assert first.isdisjoint(moved)


def test_it_finds_only_the_steps_in_a_sweep_window():
    steps = steps_between(DUE, [12, 4, 1], LADDER, after=DUE - timedelta(hours=5),
                          until=DUE - timedelta(minutes=30))

    assert [at for _, at, _ in steps] == [DUE - timedelta(hours=4), DUE - timedelta(hours=1)]


def test_it_says_when_the_next_step_falls_and_none_after_the_last():
    assert next_step_at(DUE, [12], LADDER, DUE - timedelta(hours=13)) == DUE - timedelta(hours=12)
    assert next_step_at(DUE, [12], LADDER, DUE + timedelta(days=30)) is None


@pytest.mark.parametrize("zone, local, expected_utc", [
    # New York springs forward on 2026-03-08: 24 elapsed hours is 10:30 EDT, not 09:30.
    ("America/New_York", datetime(2026, 3, 7, 9, 30), datetime(2026, 3, 8, 14, 30)),
    # and falls back on 2026-11-01: 24 elapsed hours is 08:30 EST.
    ("America/New_York", datetime(2026, 10, 31, 9, 30), datetime(2026, 11, 1, 13, 30)),
    ("Europe/Paris", datetime(2026, 3, 28, 9, 30), datetime(2026, 3, 29, 8, 30)),
    ("Europe/Paris", datetime(2026, 10, 24, 9, 30), datetime(2026, 10, 25, 7, 30)),
])
def test_reminders_hang_on_elapsed_time_across_daylight_saving(zone, local, expected_utc):
    discovered = local.replace(tzinfo=ZoneInfo(zone))
    due = notification_due_at(discovered)

    assert due == expected_utc.replace(tzinfo=UTC)
    assert due - discovered == timedelta(hours=24)
    last_reminder = reminder_schedule(due, [1], LADDER)[0][1]
    assert last_reminder == expected_utc.replace(tzinfo=UTC) - timedelta(hours=1)


def test_it_refuses_naive_times():
    with pytest.raises(ValueError):
        reminder_schedule(datetime(2026, 1, 1), [1], LADDER)
