"""The reminder and escalation schedule of each obligation: where the sweep's cursor
(`next_action_at`) points. Compliance redoes it in the transaction of each change
(`compliance.services.schedule`); a change published under `obligation.schedule_changed`
(before it did) is still handled here."""

from django.db import transaction

from compliance.changes import subscribe
from compliance.models import DeadlinePolicy, Obligation
from compliance.services.schedule import SCHEDULE_CHANGED, reschedule_reminders

__all__ = ["reschedule_reminders", "schedule_reminders"]


@subscribe(SCHEDULE_CHANGED)
@transaction.atomic
def schedule_reminders(obligation):
    """Redo the schedule of obligation `obligation` (an id) as it is now, with the policy
    in force (read once)."""
    row = Obligation.objects.select_for_update(no_key=True).filter(pk=obligation).first()
    if row is None:
        return None
    reschedule_reminders(row, DeadlinePolicy.in_force())
    row.save(update_fields=["next_action_at", "steps_done_until"])
    return row
