"""Appending to the audit chain and walking it.

Writers append inside their own transaction. On PostgreSQL a transaction-scoped advisory
lock is taken before the last event is read, and held until commit: the next writer reads
the chain's end only after this one has committed, so order of insertion is order of
commit and the chain never forks. Elsewhere (SQLite) the database's single writer does the
same. The unique `sequence` is the last guard: a fork could not be stored.

The lock is the one every writer of every provider waits for, so a change that records
several events appends them together as its last write (`appended_at_end`): one lock, one
read of the chain's end and one insert, held for the commit alone.

The commit checks the foreign keys of the rows the transaction inserted (PostgreSQL's
deferred constraints), each check taking a key-share lock on the row referred to — the
provider, the actor, the people e-mailed — while the chain's lock is held. A writer that
locks a row and then appends must leave those checks free, or each would wait for the
other: services lock the rows they change `FOR NO KEY UPDATE`
(`select_for_update(no_key=True)`), which excludes every other writer of the row but not
a check of a key that refers to it. `FOR UPDATE` is kept for rows about to be deleted;
a change of a unique column takes the chain's lock first (`hold_chain`).
"""

import json
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction

from compliance.audit_chain import GENESIS, event_sha256
from compliance.models import AuditEvent

# pg_advisory_xact_lock key of the chain ("audit" in ASCII), and the statement taking it.
CHAIN_LOCK = 0x6175646974
TAKE_LOCK = "SELECT pg_advisory_xact_lock(%s)"


def chain_end():
    """(sequence, sha256) of the last event, or (0, GENESIS) for an empty chain."""
    last = AuditEvent.objects.order_by("-sequence").values_list("sequence", "sha256").first()
    return last or (0, GENESIS)


def _locked_chain_end():
    """Take the chain's lock, then read its end. On PostgreSQL both go in one round trip, as
    two statements: the read, a statement of its own after the lock, sees the commit of the
    writer before (the holder waits for no turn of its own process in between)."""
    if connection.vendor != "postgresql":
        return chain_end()
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"{TAKE_LOCK}; "
                       f"SELECT {quote('sequence')}, {quote('sha256')} "
                       f"FROM {quote(AuditEvent._meta.db_table)} "
                       f"ORDER BY {quote('sequence')} DESC LIMIT 1", [CHAIN_LOCK])
        cursor.nextset()
        last = cursor.fetchone()
    return tuple(last) if last else (0, GENESIS)


def hold_chain():
    """Inside a transaction: take the chain's lock now, before a write that locks a row
    beyond `FOR NO KEY UPDATE` — a new value in a column with a unique index, such as a
    provider's new name, locks the row as `FOR UPDATE` does. A commit holding the chain
    while it checks a key referring to that row then finishes first, instead of each
    waiting for the other."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(TAKE_LOCK, [CHAIN_LOCK])


# Events waiting for the end of an `appended_at_end` block, or None outside one.
_held = ContextVar("audit_events_held", default=None)


@contextmanager
def appended_at_end():
    """Inside a transaction: audit events recorded in the block are appended to the chain
    together when it ends without an exception, in the order they were recorded. A block
    inside another leaves its events to the outer one.

    The block must let the exceptions of the changes it records propagate (an event of a
    change rolled back to a savepoint would otherwise still be appended)."""
    if _held.get() is not None:
        yield
        return
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit events are appended inside the transaction they record")
    held = []
    token = _held.set(held)
    try:
        yield
    finally:
        _held.reset(token)
    append_events(held)


def append_or_hold(event):
    """Append one unsaved event now, or at the end of the enclosing `appended_at_end`
    block (then it is returned unsaved, without its place in the chain yet)."""
    held = _held.get()
    if held is None:
        return append_events([event])[0]
    held.append(event)
    return event


def append_events(events):
    """Give unsaved AuditEvents their places and hashes, in list order, and insert them.

    Must run inside the transaction that makes the change they record; returns them saved.
    """
    if not events:
        return []
    # No savepoint: a failed append fails the change it records.
    with transaction.atomic(savepoint=False):
        sequence, previous = _locked_chain_end()
        for event in events:
            sequence += 1
            event.sequence = sequence
            event.previous_sha256 = previous
            event.sha256 = previous = event_sha256(event.chain_values())
        return _insert(events)


def _insert(events):
    """Insert unsaved events in one statement and return them saved. On PostgreSQL their
    values travel as one JSON document read by `jsonb_to_recordset`: for the hundreds of
    events of a sweep, building it costs a fraction of preparing every field of every
    model."""
    if connection.vendor != "postgresql":
        return AuditEvent.objects.bulk_create(events)
    fields = [f for f in AuditEvent._meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    names = ", ".join(quote(f.column) for f in fields)
    record = ", ".join(f"{quote(f.column)} {f.db_type(connection)}" for f in fields)
    document = json.dumps([{f.column: _json_value(getattr(event, f.attname)) for f in fields}
                           for event in events])
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {quote(AuditEvent._meta.db_table)} ({names}) "
                       f"SELECT {names} FROM jsonb_to_recordset(%s::jsonb) AS v({record}) "
                       'ORDER BY "sequence" RETURNING "sequence", id', [document])
        ids = dict(cursor.fetchall())
    for event in events:
        event.pk = ids[event.sequence]
        event._state.adding = False
        event._state.db = connection.alias
    return events


def _json_value(value):
    return value.isoformat() if isinstance(value, datetime) else value


@dataclass
class ChainReport:
    """What a walk found: how many events verified, and the first that did not (or None)."""

    checked: int = 0
    last_sha256: str = GENESIS
    broken_event_id: int | None = None
    broken_sequence: int | None = None
    problem: str = ""

    @property
    def ok(self):
        return self.broken_event_id is None


FIELDS = ("id", "sequence", "previous_sha256", "sha256", "at", "actor_id", "provider_id",
          "content_type_id", "object_id", "object_repr", "case_id", "action", "changes",
          "reason", "usps_only", "drafting_stage")


def verify_chain(chunk_size=2000):
    """Walk every event in chain order, a chunk at a time (memory flat), and report the
    first whose position, link to the event before or own hash does not verify."""
    report = ChainReport()
    labels = {}
    expected_sequence, previous = 1, GENESIS
    rows = AuditEvent.objects.order_by("sequence").values(*FIELDS).iterator(
        chunk_size=chunk_size)
    for row in rows:
        problem = ""
        if row["sequence"] < expected_sequence:  # positions are unique: before the first
            problem = (f"is at position {row['sequence']}, before the chain's first (1): "
                       "it was added or renumbered")
        elif row["sequence"] > expected_sequence:
            problem = (f"is at position {row['sequence']} where {expected_sequence} was "
                       "expected: events before it are missing, or it was renumbered")
        elif row["previous_sha256"] != previous:
            problem = "does not link to the event before it"
        else:
            ctype_id = row.pop("content_type_id")
            if ctype_id not in labels:
                ctype = ContentType.objects.get_for_id(ctype_id)
                labels[ctype_id] = f"{ctype.app_label}.{ctype.model}"
            row["content_type"] = labels[ctype_id]
            if event_sha256(row) != row["sha256"]:
                problem = "has been altered: its content no longer matches its hash"
        if problem:
            report.broken_event_id, report.broken_sequence = row["id"], row["sequence"]
            report.problem = problem
            return report
        report.checked += 1
        expected_sequence, previous = row["sequence"] + 1, row["sha256"]
        report.last_sha256 = previous
    return report
