"""Deadline arithmetic: pure functions of aware times, computed in UTC. No database here."""

from datetime import UTC, datetime, timedelta

NOTIFICATION_WINDOW = timedelta(hours=24)


def require_aware(value: datetime, name: str = "time") -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must carry a time zone offset")
    return value


def notification_due_at(discovered_at: datetime) -> datetime:
    """§ 501.11(b): 24 elapsed hours after discovery, whatever the local clocks do meanwhile."""
    require_aware(discovered_at, "discovered_at")
    return discovered_at.astimezone(UTC) + NOTIFICATION_WINDOW


def is_late(due_at: datetime, at: datetime) -> bool:
    """Late when done strictly after the due instant."""
    return require_aware(at) > require_aware(due_at)


# --- Reminder and escalation schedule -------------------------------------------------
# A step is (key, at, audience): audience "provider" before the due time; "escalation"
# at and after it; "escalation+managers" once the managers' threshold has passed.

PROVIDER = "provider"
ESCALATION = "escalation"
ESCALATION_WITH_MANAGERS = "escalation+managers"


def reminder_schedule(due_at, offsets_hours, escalation):
    """Every reminder and escalation step for a duty due at `due_at`, earliest first.

    Step keys carry the due instant, so a moved deadline gets a fresh set of steps.
    """
    require_aware(due_at, "due_at")
    due = due_at.astimezone(UTC)
    stamp = _stamp(due)
    steps = [
        (f"{stamp}:before-{h:g}h", due - timedelta(hours=h), PROVIDER)
        for h in sorted({float(h) for h in offsets_hours if float(h) > 0}, reverse=True)
    ]
    gaps = [float(g) for g in escalation.get("repeat_after_hours", [])] or [24.0]
    managers_after = timedelta(hours=float(escalation.get("managers_after_hours", 24)))
    count = int(escalation.get("max_escalations", 10))
    at = due
    for n in range(count):
        audience = ESCALATION_WITH_MANAGERS if at - due >= managers_after else ESCALATION
        steps.append((f"{stamp}:overdue-{n}", at, audience))
        at = at + timedelta(hours=gaps[min(n, len(gaps) - 1)])
    return steps


def _stamp(due_at):
    return due_at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def step_applies(step_key, due_at):
    """Whether a step of the schedule is still one for a duty now due at `due_at`: a moved
    deadline has a fresh schedule, and the old one's steps no longer apply."""
    return step_key.partition(":")[0] == _stamp(require_aware(due_at, "due_at"))


def next_step_at(due_at, offsets_hours, escalation, after):
    """When the first step strictly after `after` falls, or None when none is left."""
    for _, at, _ in reminder_schedule(due_at, offsets_hours, escalation):
        if after is None or at > after:
            return at
    return None


def steps_between(due_at, offsets_hours, escalation, after, until):
    """Steps with `after` < at <= `until`: what a sweep at `until` has to send."""
    return [
        step for step in reminder_schedule(due_at, offsets_hours, escalation)
        if (after is None or step[1] > after) and step[1] <= until
    ]


def steps_due(due_at, offsets_hours, escalation, after, until):
    """(steps with `after` < at <= `until`, when the next step after `until` falls or None),
    from one walk of the schedule: what a sweep at `until` sends, and when to look again."""
    due, later = [], None
    for step in reminder_schedule(due_at, offsets_hours, escalation):
        at = step[1]
        if at > until:
            later = at
            break
        if after is None or at > after:
            due.append(step)
    return due, later
