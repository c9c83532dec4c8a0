"""The time zone field: every known zone, written as Django's own select writes it, from
a zone list read once per process."""

import zoneinfo

import pytest
from django import forms

from compliance.forms import TimeZoneField, TimeZoneSelect
from compliance.timezones import known_timezones, timezone_choices
from incidents.review_forms import TriageForm


class PlainForm(forms.Form):
    zone = forms.ChoiceField(choices=timezone_choices, required=False,
                             widget=forms.Select(attrs={"class": "zone"}))


class ZoneForm(forms.Form):
    zone = TimeZoneField(required=False, widget=TimeZoneSelect(attrs={"class": "zone"}))


def test_it_offers_every_known_zone_in_name_order():
    places = zoneinfo.available_timezones() - {"localtime", "Factory", "posixrules"}
    assert [name for name, _ in timezone_choices()] == sorted(places)
    assert known_timezones() == places


@pytest.mark.parametrize("value", [None, "", "UTC", "America/New_York", "Africa/Abidjan",
                                   timezone_choices()[-1][0], "Mars/Olympus_Mons",
                                   "<script>"])
def test_it_writes_the_same_select_as_django_whatever_the_value(value):
    plain = PlainForm(initial={"zone": value})["zone"]
    ours = ZoneForm(initial={"zone": value})["zone"]

    assert str(ours) == str(plain)


def test_it_writes_the_same_select_for_a_value_posted_back():
    plain = PlainForm({"zone": "Europe/Paris"})
    ours = ZoneForm({"zone": "Europe/Paris"})

    assert ours.is_valid() and plain.is_valid()
    assert str(ours["zone"]) == str(plain["zone"])
    assert str(ours["zone"]).count(" selected") == 1


def test_it_refuses_an_unknown_zone():
    form = ZoneForm({"zone": "Mars/Olympus_Mons"})

    assert not form.is_valid() and "zone" in form.errors


def test_it_reads_the_zone_database_once_per_process(monkeypatch):
    timezone_choices()  # read at least once already

    def unexpected():
        raise AssertionError("the zone database is read again")

    monkeypatch.setattr(zoneinfo, "available_timezones", unexpected)
    form = TriageForm({"due_timezone": "Europe/Paris"}, initial={"due_timezone": "UTC"})
    str(form["due_timezone"])
    assert form.is_valid() or "due_timezone" not in form.errors


@pytest.mark.parametrize("name", ["localtime", "Factory", "posixrules"])
def test_it_offers_no_name_that_is_no_place(name, api_for, officer_a):
    """"localtime" is whatever zone the server runs in; "Factory" has no offset of its own:
    a deadline "by the end of the day" there means nothing to the provider."""
    assert name not in known_timezones()
    assert name not in dict(timezone_choices())
    answer = api_for(officer_a).post("/api/v1/incidents/", {
        "category": "security_weakness", "subtype": "equipment_defect", "title": "t",
        "description": "d", "discovered_at": "2026-03-01T10:00:00Z",
        "discovery_timezone": name, "discovered_by_name": "x", "pes_models": []})
    assert answer.status_code == 400 and "discovery_timezone" in answer.json()


def test_zones_are_read_from_the_pinned_tzdata_not_the_systems_copy():
    """The operating system's zone data may be years old: British Columbia keeps -07 all
    year from November 2026 (tzdata 2026a), which an older copy reads as -08, an hour
    off every deadline there and off the browser's preview."""
    from datetime import datetime, timedelta

    import tzdata

    assert zoneinfo.TZPATH == ()
    assert tzdata.IANA_VERSION >= "2026a"
    vancouver = datetime(2026, 12, 1, 9, 0, tzinfo=zoneinfo.ZoneInfo("America/Vancouver"))
    assert vancouver.utcoffset() == timedelta(hours=-7)
