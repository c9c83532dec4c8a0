"""The reminder and escalation schedule of each obligation: where the sweep's cursor
(`next_action_at`) points. Redone whenever the compliance app publishes that an
obligation was opened, moved, met or released (`obligation.schedule_changed`)."""

from django.db import transaction

from compliance.changes import subscribe
from compliance.deadlines import next_step_at
from compliance.models import DeadlinePolicy, Obligation
from compliance.services.schedule import SCHEDULE_CHANGED


def reschedule_reminders(obligation, policy):
    """Point the cursor at the first step of the obligation's schedule for its due time,
    or at nothing once it is no longer owed; the caller saves the obligation."""
    obligation.steps_done_until = None
    obligation.next_action_at = next_step_at(
        obligation.due_at, policy.offsets_for(obligation.kind), policy.escalation, None,
        usps_target=obligation.is_usps_target) if obligation.is_outstanding else None
    return obligation


@subscribe(SCHEDULE_CHANGED)
@transaction.atomic
def schedule_reminders(obligation):
    """Redo the schedule of obligation `obligation` (an id) as it is now, with the policy
    in force (read once)."""
    row = Obligation.objects.select_for_update().filter(pk=obligation).first()
    if row is None:
        return None
    reschedule_reminders(row, DeadlinePolicy.in_force())
    row.save(update_fields=["next_action_at", "steps_done_until"])
    return row
