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
