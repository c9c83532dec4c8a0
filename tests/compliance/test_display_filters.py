"""What pages read out: `timesince` and `timeuntil` say word for word what Django's say,
`iso` what `date:"c"` says, an obligation's labels what Django's get_FOO_display says."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Model
from django.template import engines
from django.utils import timesince as django
from django.utils import timezone

from compliance.models import Obligation, ObligationKind, ObligationState

NOW = datetime(2026, 3, 31, 12, 30, tzinfo=UTC)
GAPS = [timedelta(0), timedelta(seconds=59), timedelta(minutes=1), timedelta(minutes=61),
        timedelta(hours=1), timedelta(hours=25), timedelta(days=1), timedelta(days=8),
        timedelta(days=13, hours=23), timedelta(days=29), timedelta(days=31),
        timedelta(days=62, minutes=5), timedelta(days=366), timedelta(days=800, hours=3)]


def render(source, **context):
    return engines["django"].from_string(source).render(context)


@pytest.mark.parametrize("gap", GAPS)
def test_time_since_and_until_read_as_djangos(gap):
    for then in (NOW - gap, NOW + gap):
        assert render("{{ then|timesince:now }}", then=then, now=NOW) == \
            django.timesince(then, NOW)
        assert render("{{ then|timeuntil:now }}", then=then, now=NOW) == \
            django.timeuntil(then, NOW)
        assert render("{{ now|timeuntil:then }}", then=then, now=NOW) == \
            django.timeuntil(NOW, then)


def test_they_read_nothing_for_nothing():
    assert render("[{{ none|timesince:now }}{{ none|timeuntil:now }}]", none=None,
                  now=NOW) == "[]"


def test_iso_reads_a_time_in_the_viewers_zone_as_date_c_does():
    with timezone.override(ZoneInfo("Asia/Tokyo")):
        assert render("{{ now|iso }}|{{ now|date:'c' }}|{{ none|iso }}", now=NOW,
                      none=None) == "2026-03-31T21:30:00+09:00|2026-03-31T21:30:00+09:00|"


def test_an_obligations_kind_and_state_read_as_their_labels():
    for kind in [*ObligationKind, "unknown"]:
        for state in [*ObligationState, None]:
            obligation = Obligation(kind=kind, state=state)
            assert obligation.get_kind_display() == Model._get_FIELD_display(
                obligation, Obligation._meta.get_field("kind"))
            assert obligation.get_state_display() == Model._get_FIELD_display(
                obligation, Obligation._meta.get_field("state"))
    assert Obligation(kind="usps_triage").get_kind_display() == "Triage (USPS target)"


def test_pages_read_durations_through_these_filters():
    from compliance.templatetags import display

    libraries = engines["django"].engine.template_builtins
    for name in ("timesince", "timeuntil"):
        last = [library for library in libraries if name in library.filters][-1]
        assert last.filters[name] is getattr(display, name)
