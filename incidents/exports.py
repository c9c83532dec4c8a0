"""The columns of the incident list's and the queue's CSV."""

from compliance.exports import Column, time_column
from compliance.exports.columns import absolute
from compliance.models import ObligationKind


def incident_columns(user):
    return [
        Column("reference", lambda i: i.reference or "Draft"),
        Column("title", lambda i: i.title),
        Column("provider", lambda i: i.provider.name),
        Column("category", lambda i: i.get_category_display()),
        Column("subtype", lambda i: i.get_subtype_display()),
        Column("status", lambda i: i.get_status_display()),
        time_column("discovered", lambda i: i.discovered_at),
        time_column("notification due", lambda i: i.notification_due_at),
        time_column("filed", lambda i: i.submitted_at),
        Column("filed late", lambda i: i.is_late if i.submitted_at else None),
        Column("revenue risk", lambda i: i.get_revenue_risk_display() if i.revenue_risk
               else ""),
        Column("url", lambda i: absolute(f"/incidents/{i.pk}/")),
    ]


def queue_columns(user):
    return [
        *incident_columns(user)[:-1],
        time_column("triaged", lambda i: i.triaged_at),
        Column("next duty", lambda i: ObligationKind(i.next_kind).label if i.next_kind
               else ""),
        time_column("next duty due", lambda i: i.next_due_at),
        Column("reviewer", lambda i: str(i.assigned_reviewer) if i.assigned_reviewer else ""),
        Column("url", lambda i: absolute(f"/incidents/{i.pk}/")),
    ]
