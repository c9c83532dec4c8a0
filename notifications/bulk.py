"""Set-based writes for the sweep and the outbox, their hot paths.

Django's `bulk_update` builds a CASE expression per row and `bulk_create` adapts every
field of every instance; at a few hundred rows a pass both cost more than the queries.
On PostgreSQL each write here is one statement over arrays (`unnest`), a handful of
parameters whatever the row count; elsewhere (SQLite in development) plain statements.
"""

import json

from django.db import connection

from compliance.deadlines import past_due
from compliance.enforcement.cases import case_source
from compliance.models import Obligation, ObligationState

from .models import EmailState, OutboundEmail

# Columns a queued e-mail sets; the rest of its row starts empty and is filled when sent.
EMAIL_COLUMNS = ("key", "template", "recipient_id", "to_address", "context", "obligation_id",
                 "step", "audience")
PG_TYPES = ("text", "text", "bigint", "text", "text", "bigint", "text", "text")
SQLITE_CHUNK = 500


def _table(model):
    return connection.ops.quote_name(model._meta.db_table)


def update_due(missed_ids, cursors, now):
    """One write per due obligation: those of `missed_ids` become missed at `now`; those of
    `cursors` ((id, next_action_at or None) pairs) have their steps done until `now`."""
    missed_ids = set(missed_ids)
    cursors = dict(cursors)
    ids = sorted(missed_ids | set(cursors))
    if not ids:
        return
    table = _table(Obligation)
    if connection.vendor == "postgresql":
        sql = (f"UPDATE {table} AS o SET "
               "state = CASE WHEN v.missed THEN %(missed)s ELSE o.state END, "
               "missed_at = CASE WHEN v.missed THEN %(now)s ELSE o.missed_at END, "
               "next_action_at = CASE WHEN v.stepped THEN v.next_at ELSE o.next_action_at END, "
               "steps_done_until = CASE WHEN v.stepped THEN %(now)s ELSE o.steps_done_until END "
               "FROM unnest(%(ids)s::bigint[], %(missed_flags)s::boolean[], "
               "%(stepped_flags)s::boolean[], %(next_ats)s::timestamptz[]) "
               "AS v(id, missed, stepped, next_at) WHERE o.id = v.id")
        with connection.cursor() as cursor:
            cursor.execute(sql, {
                "missed": ObligationState.MISSED, "now": now, "ids": ids,
                "missed_flags": [pk in missed_ids for pk in ids],
                "stepped_flags": [pk in cursors for pk in ids],
                "next_ats": [cursors.get(pk) for pk in ids],
            })
        return
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET state = %s, missed_at = %s WHERE id = %s",
            [(ObligationState.MISSED, adapt(now), pk) for pk in sorted(missed_ids)],
        )
        cursor.executemany(
            f"UPDATE {table} SET next_action_at = %s, steps_done_until = %s WHERE id = %s",
            [(adapt(next_at), adapt(now), pk) for pk, next_at in cursors.items()],
        )


def insert_emails(rows, now, rearm_skipped=False):
    """rows: tuples in EMAIL_COLUMNS order (`context` as JSON-ready data), written pending
    and due at `now` in one statement; a key already present is skipped, unless
    `rearm_skipped` and its e-mail was skipped: then it is pending again (a reminder step
    due again, its deadline moved away and back).

    Returns the ids of the new (and re-armed) rows.
    """
    if not rows:
        return []
    table = _table(OutboundEmail)
    conflict = "DO NOTHING"
    if rearm_skipped:
        conflict = (f"DO UPDATE SET state = '{EmailState.PENDING.value}', attempts = 0, "
                    f"last_error = '', next_attempt_at = excluded.next_attempt_at "
                    f"WHERE {table}.state = '{EmailState.SKIPPED.value}'")
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
               f"ON CONFLICT (key) {conflict} RETURNING id")
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
                f"{', '.join([marks] * len(chunk))} ON CONFLICT (key) {conflict} RETURNING id",
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


# What the sweep reads of a due obligation.
DUE_COLUMNS = ("id", "kind", "provider_id", "incident_id", "subject", "due_at", "state",
               "usps_visible", "reviewer_id", "steps_done_until", "next_action_at")


def claim_due(now, batch):
    """Lock what has come due at `now`, in one statement: up to `batch` open obligations
    past their due time (earliest first, index `obligation_open_due`) and up to `batch`
    whose next reminder or escalation step has come (index `obligation_next_action`). A
    duty is on time up to its due instant (`is_late`): it is missed only after it.

    Returns each once, as a dict of DUE_COLUMNS with `missed` and `stepped` saying which
    of the two it is (or both). Rows another sweep holds are skipped (`SKIP LOCKED`), so
    concurrent sweeps split the work.

    A duty of a case is claimed with its case, the case's row locked first, as a filing
    locks them (the case, then the audit chain, then the duty): a duty whose case another
    transaction holds waits for the next pass, so the sweep, which appends to the chain
    last, never holds a duty that transaction needs.
    """
    if connection.vendor != "postgresql":
        rows = (Obligation.objects.select_for_update(no_key=True, skip_locked=True)
                .values(*DUE_COLUMNS))
        missed = (rows.filter(state=ObligationState.OPEN, due_at__lt=past_due(now))
                  .order_by("due_at"))
        due = {row["id"]: {**row, "missed": True, "stepped": False} for row in missed[:batch]}
        stepped = rows.filter(next_action_at__lte=now).order_by("next_action_at")
        for row in stepped[:batch]:
            due.setdefault(row["id"], {**row, "missed": False})["stepped"] = True
        return list(due.values())
    table = _table(Obligation)
    columns = ", ".join(DUE_COLUMNS)
    case = ""
    model = case_source().model
    if model is not None:
        # Evaluated for each row before the row is locked: its case first. Not the key's
        # lock: an insert of a row that refers to the case does not hold the sweep back.
        # A duty naming no case that exists is claimed alone.
        key = connection.ops.quote_name(model._meta.pk.column)
        of_case = f"FROM {_table(model)} AS c WHERE c.{key} = {table}.incident_id"
        case = ("AND (incident_id IS NULL "
                f"OR EXISTS (SELECT 1 {of_case} FOR NO KEY UPDATE SKIP LOCKED) "
                f"OR NOT EXISTS (SELECT 1 {of_case}))")
    # Each part reads its rows as it locks them, the version another sweep may have just
    # committed included.
    sql = f"""
        WITH missed AS (
            SELECT {columns} FROM {table}
            WHERE state = %(open)s AND due_at < %(past_due)s {case}
            ORDER BY due_at LIMIT %(batch)s
            FOR NO KEY UPDATE SKIP LOCKED
        ), stepped AS (
            SELECT {columns} FROM {table}
            WHERE next_action_at <= %(now)s {case}
            ORDER BY next_action_at LIMIT %(batch)s
            FOR NO KEY UPDATE SKIP LOCKED
        )
        SELECT {columns}, true, id IN (SELECT id FROM stepped) FROM missed
        UNION ALL
        SELECT {columns}, false, true FROM stepped WHERE id NOT IN (SELECT id FROM missed)
    """
    names = (*DUE_COLUMNS, "missed", "stepped")
    with connection.cursor() as cursor:
        cursor.execute(sql, {"open": ObligationState.OPEN, "now": now,
                             "past_due": past_due(now), "batch": batch})
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
