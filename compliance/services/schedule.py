"""The reminder and escalation schedule of each obligation: where the deadline sweep's
cursor (`next_action_at`) points. Redone in the transaction of every change that opens an
obligation, moves its due time or ends it, so the cursor commits with the change."""

from datetime import UTC, datetime

from django.db import connection

from compliance.deadlines import next_step_at, reminder_schedule
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


def _step_offsets(policy, kind):
    """The steps of a duty of `kind` under `policy`, as offsets from its due time."""
    return [at - _REFERENCE for _, at, _ in reminder_schedule(
        _REFERENCE, policy.offsets_for(kind), policy.escalation,
        usps_target=kind in USPS_KINDS)]


def rearm_reminders(policy, now):
    """A new policy's steps for the duties already owed: a step it adds before a duty's
    cursor (a longer reminder offset, a shorter escalation gap) would never be reached,
    the cursor pointing past it, so the cursor moves back to the first step still to come.
    A cursor at a step the policy dropped stays: the sweep finds nothing due there and
    moves on. Steps already past are not sent for the change. Returns how many moved."""
    moved = 0
    for kind in ObligationKind.values:
        offsets = _step_offsets(policy, kind)
        if not offsets:
            continue
        if connection.vendor == "postgresql":
            moved += _rearm_in_sql(kind, offsets, now)
            continue
        armed = []
        for duty in Obligation.objects.filter(OWED, kind=kind).only(
                "id", "due_at", "next_action_at", "steps_done_until"):
            after = max(now, duty.steps_done_until or now)
            first = min((duty.due_at + o for o in offsets if duty.due_at + o > after),
                        default=None)
            if first is not None and (duty.next_action_at is None
                                      or first < duty.next_action_at):
                duty.next_action_at = first
                armed.append(duty)
        moved += Obligation.objects.bulk_update(armed, ["next_action_at"], batch_size=500)
    return moved


def _rearm_in_sql(kind, offsets, now):
    table = Obligation._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"""
            UPDATE {table} AS o SET next_action_at = c.at
            FROM (SELECT d.id, MIN(d.due_at + s.step) AS at
                  FROM {table} AS d, unnest(%(offsets)s::interval[]) AS s(step)
                  WHERE d.kind = %(kind)s AND d.state = ANY(%(owed)s)
                    AND d.closed_at IS NULL
                    AND d.due_at + s.step > GREATEST(%(now)s, d.steps_done_until)
                  GROUP BY d.id) AS c
            WHERE o.id = c.id AND (o.next_action_at IS NULL OR c.at < o.next_action_at)
        """, {"offsets": offsets, "kind": kind, "now": now,
              "owed": [str(state) for state in OUTSTANDING_STATES]})
        return cursor.rowcount
