"""Database expressions the figures need (the metrics, the compliance record), spelled
for PostgreSQL and SQLite alike."""

import statistics

from django.db import models
from django.db.backends.signals import connection_created
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
