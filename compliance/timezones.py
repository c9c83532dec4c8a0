"""The IANA time zones the product knows, read from the zone database once per process
(listing it walks the zone files on disk)."""

import functools
import zoneinfo

# Names the zone database holds that are no place's time: the server's own zone, whatever
# it is ("localtime"), a placeholder with no offset of its own ("Factory"), and the rules
# file a POSIX zone string borrows from.
NOT_PLACES = frozenset({"localtime", "Factory", "posixrules"})


@functools.cache
def known_timezones():
    """Every zone name of a place the zone database holds, as a frozenset."""
    return frozenset(zoneinfo.available_timezones()) - NOT_PLACES


@functools.cache
def timezone_choices():
    """(name, name) for every known zone, in name order: the choices of a zone field."""
    return tuple((name, name) for name in sorted(known_timezones()))
