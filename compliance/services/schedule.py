from compliance.changes import publish

SCHEDULE_CHANGED = "obligation.schedule_changed"


def schedule_changed(obligation):
    """The obligation was opened, its due time moved, or it stopped being owed: its
    reminder and escalation schedule is redone after commit (`notifications.schedule`).
    Call inside the change's transaction, once the obligation is saved."""
    publish(SCHEDULE_CHANGED, obligation=obligation.pk)
