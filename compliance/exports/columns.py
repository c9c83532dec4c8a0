"""The columns of the compliance app's CSV lists."""

from django.conf import settings
from django.urls import reverse

from compliance.inbox import LABELS, short_kind, target_path

from .csv import Column, time_column


def obligation_columns(user):
    columns = [
        Column("id", lambda o: o.pk),
        Column("obligation", lambda o: o.get_kind_display()),
        Column("kind", lambda o: o.kind),
        Column("clause", lambda o: o.clause),
        Column("provider", lambda o: o.provider.name),
        Column("case", lambda o: o.subject),
        Column("incident", lambda o: o.incident_id),
        time_column("due", lambda o: o.due_at),
        time_column("original due", lambda o: o.original_due_at),
        Column("state", lambda o: o.get_state_display()),
        time_column("met", lambda o: o.met_at),
        time_column("missed", lambda o: o.missed_at),
        Column("waived reason", lambda o: o.waived_reason),
        time_column("closed", lambda o: o.closed_at),
        Column("closed reason", lambda o: o.closed_reason),
    ]
    return columns


def event_columns(user):
    """An audit timeline; USPS staff also see which events are internal to USPS."""
    columns = [
        Column("position", lambda e: e.sequence),
        time_column("at", lambda e: e.at),
        Column("who", lambda e: e.actor_label),
        Column("what", lambda e: e.action_label),
        Column("action", lambda e: e.action),
        Column("object", lambda e: e.object_repr),
        Column("changes", lambda e: e.changes or ""),
        Column("reason", lambda e: e.reason),
    ]
    if user.is_usps:
        columns.append(Column("internal to USPS", lambda e: e.usps_only))
    columns.append(Column("sha256", lambda e: e.sha256))
    return columns


def inbox_columns(user):
    """What waits on USPS (internal to USPS: only USPS staff reach the inbox)."""
    return [
        Column("what waits", lambda t: LABELS[short_kind(t)]),
        Column("kind", short_kind),
        Column("case or item", lambda t: t.subject),
        Column("incident", lambda t: t.incident_id),
        Column("provider", lambda t: t.provider.name),
        time_column("waiting since", lambda t: t.created_at),
        time_column("USPS target", lambda t: t.due_at),
        Column("state", lambda t: t.get_state_display()),
        Column("filed late", lambda t: t.filed_late),
        Column("assigned to", lambda t: str(t.reviewer) if t.reviewer else ""),
        Column("url", lambda t: absolute(target_path(t))),
    ]


def absolute(path):
    return f"{settings.SITE_URL}{path}"


def proceeding_columns(user):
    """Enforcement proceedings, one a row (nothing internal to USPS is in a proceeding's
    own row)."""
    return [
        Column("reference", lambda p: p.reference),
        Column("kind", lambda p: p.get_kind_display()),
        Column("provider", lambda p: p.provider.name),
        Column("state", lambda p: p.get_state_display()),
        Column("outcome", lambda p: p.get_outcome_display()),
        Column("willful", lambda p: p.willful),
        Column("amount", lambda p: p.amount),
        time_column("opened", lambda p: p.opened_at),
        time_column("suspension ends", lambda p: p.suspension_ends_at),
        time_column("closed", lambda p: p.closed_at),
        Column("url", lambda p: absolute(reverse("proceeding-detail", args=[p.pk]))),
    ]
