"""The reminder and escalation schedule of each obligation: where the deadline sweep's
cursor (`next_action_at`) points. Redone in the transaction of every change that opens an
obligation, moves its due time or ends it, so the cursor commits with the change."""

from compliance.deadlines import next_step_at
from compliance.models import DeadlinePolicy

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

