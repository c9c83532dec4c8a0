"""The page filters that read times out: `timesince` and `timeuntil` say word for word
what Django's say."""

from datetime import UTC, datetime, timedelta

import pytest
from django.template import engines
from django.utils import timesince as django

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
