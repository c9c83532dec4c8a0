"""Database expressions the figures need (the metrics, the compliance record), spelled
for PostgreSQL and SQLite alike; and on SQLite, the functions it lacks (a median) or has
otherwise than PostgreSQL (LIKE folding ASCII letters alone)."""

import re
import statistics
from datetime import UTC, datetime
from functools import lru_cache

from django.db import models
from django.db.backends.signals import connection_created
from django.db.models.functions import Coalesce
from django.dispatch import receiver


class HoursBetween(models.Func):
    """Hours (a float) from the `start` time to the `end` time."""

    output_field = models.FloatField()
    arity = 2

    def __init__(self, end, start, **extra):
        super().__init__(end, start, **extra)

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection,
                           template="(date_part('epoch', %(expressions)s) / 3600.0)",
                           arg_joiner=" - ", **extra)

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection,
                           template="((julianday(%(expressions)s)) * 24.0)",
                           arg_joiner=") - julianday(", **extra)


# Later than any time a case closes or a duty is met: where an interval has not ended yet.
FOREVER = datetime(9999, 12, 31, tzinfo=UTC)


def until(*columns):
    """When an interval ended (a case closed, a duty met), the first of `columns` set, or
    FOREVER while it goes on: "open at an instant" becomes one range, `until(...) >=
    instant`, that an index over this same expression answers alone (see the models'
    `*_until` indexes)."""
    return Coalesce(*columns, models.Value(FOREVER), output_field=models.DateTimeField())


class Median(models.Aggregate):
    """The median of a numeric expression: PostgreSQL's percentile_cont, and on SQLite an
    aggregate function of the same name registered on each connection."""

    function = "MEDIAN"
    output_field = models.FloatField()
    allow_distinct = False

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection,
                           template="percentile_cont(0.5) WITHIN GROUP (ORDER BY "
                                    "%(expressions)s)", **extra)


class _SQLiteMedian:
    def __init__(self):
        self.values = []

    def step(self, value):
        if value is not None:
            self.values.append(value)

    def finalize(self):
        return statistics.median(self.values) if self.values else None


@receiver(connection_created)
def register_sqlite_median(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        connection.connection.create_aggregate("MEDIAN", 1, _SQLiteMedian)


@lru_cache(maxsize=512)
def _like_pattern(pattern, escape):
    """SQL's LIKE pattern as a regular expression: `%` any run, `_` any one character,
    the escape character taking the next one as it is."""
    parts, at = [], 0
    while at < len(pattern):
        char = pattern[at]
        if escape and char == escape and at + 1 < len(pattern):
            parts.append(re.escape(pattern[at + 1]))
            at += 2
            continue
        parts.append(".*" if char == "%" else "." if char == "_" else re.escape(char))
        at += 1
    return re.compile("".join(parts), re.DOTALL)


def _sqlite_like(pattern, value, escape=None):
    """`value LIKE pattern [ESCAPE escape]` folding every letter's case, as PostgreSQL's
    UPPER does for `icontains`, where SQLite's own folds ASCII letters alone (a search for
    "MÜLLER" would miss "Müller")."""
    if pattern is None or value is None:
        return None
    return int(_like_pattern(str(pattern).casefold(), escape)
               .fullmatch(str(value).casefold()) is not None)


@receiver(connection_created)
def register_sqlite_like(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        for arguments in (2, 3):
            connection.connection.create_function("like", arguments, _sqlite_like,
                                                  deterministic=True)
