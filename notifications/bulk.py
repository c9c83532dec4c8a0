"""Set-based writes for the sweep and the outbox, their hot paths.

Django's `bulk_update` builds a CASE expression per row and `bulk_create` adapts every
field of every instance; at a few hundred rows a pass both cost more than the queries.
On PostgreSQL each write here is one statement over arrays (`unnest`), a handful of
parameters whatever the row count; elsewhere (SQLite in development) plain statements.
"""

import json

from django.db import connection

from compliance.models import Obligation

from .models import EmailState, OutboundEmail

# Columns a queued e-mail sets; the rest of its row starts empty and is filled when sent.
EMAIL_COLUMNS = ("key", "template", "recipient_id", "to_address", "context", "obligation_id",
                 "step", "audience")
PG_TYPES = ("text", "text", "bigint", "text", "text", "bigint", "text", "text")
SQLITE_CHUNK = 500


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


def insert_emails(rows, now):
    """rows: tuples in EMAIL_COLUMNS order (`context` as JSON-ready data), written pending
    and due at `now` in one statement; a key already present is skipped.

    Returns the ids of the new rows.
    """
    if not rows:
        return []
    table = _table(OutboundEmail)
    columns = ", ".join(connection.ops.quote_name(c) for c in EMAIL_COLUMNS)
    fixed = "subject, state, attempts, last_error, next_attempt_at, created_at"
    if connection.vendor == "postgresql":
        # The rows travel as one JSON document, read by `jsonb_to_recordset`: a single
        # text parameter, where arrays of a thousand rows cost more to adapt than to insert.
        record = ", ".join(f"{c} {'jsonb' if c == 'context' else t}"
                           for c, t in zip(EMAIL_COLUMNS, PG_TYPES, strict=True))
        values = ", ".join(f"v.{c}" for c in EMAIL_COLUMNS)
        sql = (f"INSERT INTO {table} ({columns}, {fixed}) "
               f"SELECT {values}, '', %s, 0, '', %s, %s "
               f"FROM jsonb_to_recordset(%s::jsonb) AS v({record}) "
               "ON CONFLICT (key) DO NOTHING RETURNING id")
        document = json.dumps([dict(zip(EMAIL_COLUMNS, row, strict=True)) for row in rows])
        with connection.cursor() as cursor:
            cursor.execute(sql, [EmailState.PENDING, now, now, document])
            return [r[0] for r in cursor.fetchall()]
    rows = [(*row[:4], json.dumps(row[4]), *row[5:]) for row in rows]
    now = connection.ops.adapt_datetimefield_value(now)
    marks = "(" + ", ".join(["%s"] * len(EMAIL_COLUMNS)) + ", '', %s, 0, '', %s, %s)"
    ids = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), SQLITE_CHUNK):
            chunk = rows[start:start + SQLITE_CHUNK]
            cursor.execute(
                f"INSERT INTO {table} ({columns}, {fixed}) VALUES "
                f"{', '.join([marks] * len(chunk))} ON CONFLICT (key) DO NOTHING RETURNING id",
                [v for row in chunk for v in (*row, EmailState.PENDING, now, now)],
            )
            ids += [r[0] for r in cursor.fetchall()]
    return ids


def claim_emails(now, lease_end, limit):
    """Take up to `limit` due e-mails (pending or past their lease), earliest first, until
    `lease_end`, in one statement. On PostgreSQL rows another worker is taking are skipped
    (`SKIP LOCKED`), so workers split the outbox. Returns their ids."""
    table = _table(OutboundEmail)
    lock = " FOR UPDATE SKIP LOCKED" if connection.vendor == "postgresql" else ""
    sql = (f"UPDATE {table} SET state = %s, next_attempt_at = %s WHERE id IN ("
           f"SELECT id FROM {table} WHERE state IN (%s, %s) AND next_attempt_at <= %s "
           f"ORDER BY next_attempt_at LIMIT %s{lock}) RETURNING id")
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(sql, [EmailState.SENDING, adapt(lease_end), EmailState.PENDING,
                             EmailState.SENDING, adapt(now), limit])
        return [row[0] for row in cursor.fetchall()]


def mark_missed_postgresql(now, batch):
    """Open obligations past due become missed, in one statement; returns their
    (id, provider_id, incident_id, subject, due_at, usps_visible, kind) for the audit
    events.

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
        RETURNING o.id, o.provider_id, o.incident_id, o.subject, o.due_at, o.usps_visible,
                  o.kind
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, {"now": now, "batch": batch})
        columns = ("id", "provider_id", "incident_id", "subject", "due_at", "usps_visible",
                   "kind")
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
