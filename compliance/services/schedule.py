"""The reminder and escalation schedule of each obligation: where the deadline sweep's
cursor (`next_action_at`) points. Redone in the transaction of every change that opens an
obligation, moves its due time or ends it, so the cursor commits with the change."""

import time
from datetime import UTC, datetime

from django.db import connection, transaction

from compliance.deadlines import (
    PROVIDER,
    USPS_REMINDER,
    next_step_at,
    past_due,
    reminder_schedule,
)
from compliance.models import DeadlinePolicy, Obligation, ObligationKind
from compliance.models.obligations import OUTSTANDING_STATES, OWED, USPS_KINDS

# Changes published under this topic before the schedule was redone in the change's own
# transaction are still handled by `notifications.schedule`.
SCHEDULE_CHANGED = "obligation.schedule_changed"


def reschedule_reminders(obligation, policy=None):
    """Point the cursor at the first step of the obligation's schedule for its due time,
    or at nothing once it is no longer owed; the caller saves the obligation. The policy
    in force is read when none is given and the obligation is owed."""
    obligation.steps_done_until = None
    if not obligation.is_outstanding:
        obligation.next_action_at = None
        return obligation
    policy = policy or DeadlinePolicy.in_force()
    obligation.next_action_at = next_step_at(
        obligation.due_at, policy.offsets_for(obligation.kind), policy.escalation, None,
        usps_target=obligation.is_usps_target)
    return obligation



# Any due time: a schedule's steps as offsets from it.
_REFERENCE = datetime(2000, 1, 1, tzinfo=UTC)
BEFORE_DUE = (PROVIDER, USPS_REMINDER)


def _step_offsets(policy, kind):
    """The steps of a duty of `kind` under `policy`, as (offset, escalation): a reminder's
    from its due time, an escalation's from its due time to the whole second (escalations
    start once that second has passed: `compliance.deadlines`)."""
    return [(at - _REFERENCE, audience not in BEFORE_DUE) for _, at, audience in
            reminder_schedule(_REFERENCE, policy.offsets_for(kind), policy.escalation,
                              usps_target=kind in USPS_KINDS)]


def _at(due_at, offset, escalation):
    return (past_due(due_at) if escalation else due_at) + offset


def rearm_reminders(policy, now):
    """A new policy's steps for the duties already owed, from `now` on: a duty whose cursor
    is still ahead points at the first step of the new schedule after `now` (earlier, for a
    step the policy adds, or later, past one it dropped), and steps already past are not
    sent for the change (`steps_done_until` moves to `now` where the new schedule has one
    the sweep has not handled). A cursor already due is left for the sweep to catch up.
    Returns how many duties were re-armed.

    On PostgreSQL a duty another transaction holds (a filing meeting it, a decision closing
    it) is not waited for: the re-arm passes over it, as the sweep does, and once this
    transaction commits re-arms what it passed over (`_catch_up`), so a change of policy
    never deadlocks with a filing that holds its case's duties in another order."""
    moved = 0
    skipped = False
    for kind in ObligationKind.values:
        offsets = _step_offsets(policy, kind)
        if connection.vendor == "postgresql":
            count, passed_over = _rearm_in_sql(kind, offsets, now)
            moved += count
            skipped = skipped or passed_over
            continue
        armed = []
        for duty in Obligation.objects.filter(OWED, kind=kind).only(
                "id", "due_at", "next_action_at", "steps_done_until"):
            if duty.next_action_at is not None and duty.next_action_at <= now:
                continue
            steps = [_at(duty.due_at, o, esc) for o, esc in offsets]
            first = min((at for at in steps if at > now), default=None)
            done = duty.steps_done_until
            unhandled = any((done is None or at > done) and at <= now for at in steps)
            if first != duty.next_action_at or unhandled:
                duty.next_action_at = first
                duty.steps_done_until = now if unhandled else done
                armed.append(duty)
        moved += Obligation.objects.bulk_update(armed, ["next_action_at", "steps_done_until"],
                                                batch_size=500)
    if skipped:
        transaction.on_commit(lambda: _catch_up(now))
    return moved


CATCH_UP_TRIES = 20
CATCH_UP_PAUSE = 0.05


def _catch_up(now):
    """Re-arm, from `now` on, the duties a policy's re-arm passed over because another
    transaction held them: each try in its own transaction, until none is passed over
    (that transaction ends in moments); what is still held after the tries is stepped by
    the sweep from its cursor as it was."""
    for _ in range(CATCH_UP_TRIES):
        policy = DeadlinePolicy.in_force()
        passed_over = False
        with transaction.atomic():
            for kind in ObligationKind.values:
                passed_over = _rearm_in_sql(kind, _step_offsets(policy, kind), now)[1] \
                    or passed_over
        if not passed_over:
            return
        time.sleep(CATCH_UP_PAUSE)


def _rearm_in_sql(kind, offsets, now):
    """(How many duties of `kind` were re-armed, whether any was passed over: held by
    another transaction)."""
    table = Obligation._meta.db_table
    params = {"offsets": [o for o, _ in offsets], "esc": [e for _, e in offsets],
              "kind": kind, "now": now,
              "owed": [str(state) for state in OUTSTANDING_STATES]}
    owed = """d.kind = %(kind)s AND d.state = ANY(%(owed)s) AND d.closed_at IS NULL
              AND (d.next_action_at IS NULL OR d.next_action_at > %(now)s)"""
    with connection.cursor() as cursor:
        cursor.execute(f"""
            WITH held AS (
                SELECT d.id FROM {table} AS d WHERE {owed}
                FOR NO KEY UPDATE SKIP LOCKED),
            updated AS (
            UPDATE {table} AS o
            SET next_action_at = c.at,
                steps_done_until = CASE WHEN c.unhandled THEN %(now)s
                                        ELSE o.steps_done_until END
            FROM (SELECT d.id,
                         MIN(s.at) FILTER (WHERE s.at > %(now)s)
                             AS at,
                         COALESCE(BOOL_OR(s.at <= %(now)s
                                          AND s.at
                                              > COALESCE(d.steps_done_until, '-infinity')),
                                  false) AS unhandled
                  FROM {table} AS d
                  JOIN held ON held.id = d.id
                  LEFT JOIN LATERAL (
                      SELECT CASE WHEN u.esc THEN date_trunc('second', d.due_at)
                                  ELSE d.due_at END + u.offset_ AS at
                      FROM unnest(%(offsets)s::interval[], %(esc)s::boolean[])
                          AS u(offset_, esc)) AS s ON true
                  GROUP BY d.id) AS c
            WHERE o.id = c.id
              AND (o.next_action_at IS DISTINCT FROM c.at OR c.unhandled)
            RETURNING o.id)
            SELECT (SELECT count(*) FROM updated),
                   EXISTS (SELECT 1 FROM {table} AS d WHERE {owed}
                           AND d.id NOT IN (SELECT id FROM held))
        """, params)
        moved, passed_over = cursor.fetchone()
        return moved, passed_over
