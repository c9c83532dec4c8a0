"""Set-based writes for the sweep's hot path.

Django's `bulk_update` builds a CASE expression per row and `bulk_create` adapts every
field of every instance; at a few hundred rows a pass both cost more than the queries.
On PostgreSQL each write here is one statement over arrays (`unnest`), a handful of
parameters whatever the row count; elsewhere (SQLite in development) plain statements.
"""

from django.db import connection

from compliance.models import Obligation

from .models import EmailState, OutboundEmail

# Columns the sweep sets; the rest of an e-mail row starts empty and is filled when sent.
EMAIL_COLUMNS = ("key", "recipient_id", "to_address", "obligation_id", "step", "audience")
PG_TYPES = ("text", "bigint", "text", "bigint", "text", "text")


def _table(model):
    return connection.ops.quote_name(model._meta.db_table)


def set_sweep_cursor(rows, done_until):
    """rows: (obligation id, next_action_at or None); every row's steps are done until
    `done_until`."""
    if not rows:
        return
    table = _table(Obligation)
    if connection.vendor == "postgresql":
        ids, next_ats = zip(*rows, strict=True)
        sql = (f"UPDATE {table} AS o SET next_action_at = v.next_at, steps_done_until = %s "
               "FROM unnest(%s::bigint[], %s::timestamptz[]) AS v(id, next_at) "
               "WHERE o.id = v.id")
        with connection.cursor() as cursor:
            cursor.execute(sql, [done_until, list(ids), list(next_ats)])
        return
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET next_action_at = %s, steps_done_until = %s WHERE id = %s",
            [(adapt(next_at), adapt(done_until), pk) for pk, next_at in rows],
        )


def insert_emails(rows, template, now):
    """rows: tuples in EMAIL_COLUMNS order. A key already present is skipped.

    Returns how many rows were new.
    """
    if not rows:
        return 0
    table = _table(OutboundEmail)
    columns = ", ".join(connection.ops.quote_name(c) for c in EMAIL_COLUMNS)
    fixed = ("template, subject, body_text, body_html, state, attempts, last_error, "
             "next_attempt_at, created_at")
    fixed_marks = "%s, '', '', '', %s, 0, '', %s, %s"
    fixed_values = [template, EmailState.PENDING]
    if connection.vendor == "postgresql":
        arrays = ", ".join(f"%s::{t}[]" for t in PG_TYPES)
        sql = (f"INSERT INTO {table} ({columns}, {fixed}) "
               f"SELECT v.*, {fixed_marks} FROM unnest({arrays}) AS v "
               "ON CONFLICT (key) DO NOTHING RETURNING 1")
        with connection.cursor() as cursor:
            # Parameters in the order they stand in the statement: SELECT list, then FROM.
            cursor.execute(sql, [*fixed_values, now, now,
                                 *[list(col) for col in zip(*rows, strict=True)]])
            return len(cursor.fetchall())
    adapt = connection.ops.adapt_datetimefield_value
    before = OutboundEmail.objects.filter(key__in=[r[0] for r in rows]).count()
    marks = ", ".join(["%s"] * len(EMAIL_COLUMNS))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} ({columns}, {fixed}) VALUES ({marks}, {fixed_marks}) "
            "ON CONFLICT (key) DO NOTHING",
            [(*row, *fixed_values, adapt(now), adapt(now)) for row in rows],
        )
    return len(rows) - before


def mark_missed_postgresql(now, batch):
    """Open obligations past due become missed, in one statement; returns their
    (id, provider_id, incident_id, subject, due_at) for the audit events.

    Rows another sweep holds are skipped (`SKIP LOCKED`), so concurrent sweeps split the
    work.
    """
    obligations = _table(Obligation)
    sql = f"""
        WITH due AS (
            SELECT id FROM {obligations}
            WHERE state = 'open' AND due_at <= %(now)s
            ORDER BY due_at LIMIT %(batch)s
            FOR UPDATE SKIP LOCKED
        )
        UPDATE {obligations} AS o SET state = 'missed', missed_at = %(now)s
        FROM due WHERE o.id = due.id
        RETURNING o.id, o.provider_id, o.incident_id, o.subject, o.due_at
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, {"now": now, "batch": batch})
        columns = ("id", "provider_id", "incident_id", "subject", "due_at")
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
