"""The 24-hour clock: elapsed hours in UTC, right across daylight-saving changes."""

import zoneinfo
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from compliance.models import Obligation
from incidents.forms import local_to_aware

from .factories import make_draft

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
PARIS = zoneinfo.ZoneInfo("Europe/Paris")

# (zone, local discovery, local due time 24 elapsed hours later)
DST_CASES = [
    # Spring forward, 8 March 2026 02:00 EST -> 03:00 EDT: 23 hours of wall clock pass.
    ("America/New_York", datetime(2026, 3, 7, 12, 0), datetime(2026, 3, 8, 13, 0)),
    # Fall back, 1 November 2026 02:00 EDT -> 01:00 EST: 25 hours of wall clock pass.
    ("America/New_York", datetime(2026, 10, 31, 12, 0), datetime(2026, 11, 1, 11, 0)),
    # Paris: summer time starts 29 March 2026 at 02:00 CET -> 03:00 CEST.
    ("Europe/Paris", datetime(2026, 3, 28, 9, 30), datetime(2026, 3, 29, 10, 30)),
    # Paris: summer time ends 25 October 2026 at 03:00 CEST -> 02:00 CET.
    ("Europe/Paris", datetime(2026, 10, 24, 9, 30), datetime(2026, 10, 25, 8, 30)),
]


@pytest.mark.parametrize(("zone", "local", "local_due"), DST_CASES)
def test_it_counts_24_elapsed_hours_across_daylight_saving_changes(officer_a, zone, local,
                                                                   local_due):
    tz = zoneinfo.ZoneInfo(zone)
    discovered_at = local.replace(tzinfo=tz)
    with time_machine.travel(discovered_at + timedelta(minutes=5), tick=False):
        draft = make_draft(officer_a, discovered_at=discovered_at, discovery_timezone=zone)

    assert draft.notification_due_at - discovered_at == timedelta(hours=24)
    assert draft.notification_due_at.astimezone(tz).replace(tzinfo=None) == local_due
    assert Obligation.objects.get(incident_id=draft.pk).due_at == draft.notification_due_at


@pytest.mark.parametrize(("zone", "local", "local_due"), DST_CASES)
def test_it_turns_the_forms_local_time_into_the_same_instant(zone, local, local_due):
    aware, field, message = local_to_aware(local, zone)

    assert message is None
    assert aware.astimezone(UTC) == local.replace(tzinfo=zoneinfo.ZoneInfo(zone)).astimezone(UTC)


@pytest.mark.parametrize(("zone", "local"), [
    ("America/New_York", datetime(2026, 3, 8, 2, 30)),
    ("Europe/Paris", datetime(2026, 3, 29, 2, 30)),
])
def test_it_refuses_a_local_time_the_clocks_skipped(zone, local):
    aware, field, message = local_to_aware(local, zone)

    assert aware is None and field == "discovered_at"
    assert "does not exist" in message


@pytest.mark.parametrize(("zone", "local", "earlier_utc", "later_utc"), [
    ("America/New_York", datetime(2026, 11, 1, 1, 30),
     datetime(2026, 11, 1, 5, 30, tzinfo=UTC), datetime(2026, 11, 1, 6, 30, tzinfo=UTC)),
    ("Europe/Paris", datetime(2026, 10, 25, 2, 30),
     datetime(2026, 10, 25, 0, 30, tzinfo=UTC), datetime(2026, 10, 25, 1, 30, tzinfo=UTC)),
])
def test_it_asks_which_one_when_a_local_time_happened_twice(zone, local, earlier_utc,
                                                            later_utc):
    _, field, message = local_to_aware(local, zone)
    earlier, _, _ = local_to_aware(local, zone, "earlier")
    later, _, _ = local_to_aware(local, zone, "later")

    assert field == "discovered_at_fold" and "twice" in message
    assert earlier.astimezone(UTC) == earlier_utc
    assert later.astimezone(UTC) == later_utc


@pytest.mark.django_db
def test_it_keeps_the_due_time_in_utc_whatever_zone_is_stated(officer_a):
    instant = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)
    with time_machine.travel(instant + timedelta(hours=1), tick=False):
        paris = make_draft(officer_a, discovered_at=instant.astimezone(PARIS),
                           discovery_timezone="Europe/Paris")
        new_york = make_draft(officer_a, discovered_at=instant.astimezone(NEW_YORK),
                              discovery_timezone="America/New_York")

    assert paris.notification_due_at == new_york.notification_due_at == datetime(
        2026, 6, 2, 10, 0, tzinfo=UTC)
