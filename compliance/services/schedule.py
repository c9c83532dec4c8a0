from compliance.deadlines import next_step_at
from compliance.models import DeadlinePolicy
from compliance.models.obligations import OUTSTANDING_STATES


def reschedule_reminders(obligation, policy=None):
    """Point the sweep's cursor at the first reminder step of the obligation's due time.

    Call (inside the caller's transaction) whenever an obligation is opened, its due time
    moves, or it is met or waived; the caller saves the obligation.
    """
    if obligation.state not in OUTSTANDING_STATES:
        obligation.next_action_at = None
        return obligation
    policy = policy or DeadlinePolicy.in_force()
    obligation.steps_done_until = None
    obligation.next_action_at = next_step_at(
        obligation.due_at, policy.offsets_for(obligation.kind), policy.escalation, None,
        usps_target=obligation.is_usps_target)
    return obligation
