"""The IANA time zones the product knows, read from the zone database once per process
(listing it walks the zone files on disk)."""

import functools
import zoneinfo


@functools.cache
def known_timezones():
    """Every zone name the zone database holds, as a frozenset."""
    return frozenset(zoneinfo.available_timezones())


@functools.cache
def timezone_choices():
    """(name, name) for every known zone, in name order: the choices of a zone field."""
    return tuple((name, name) for name in sorted(known_timezones()))
