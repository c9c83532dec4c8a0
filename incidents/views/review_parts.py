"""The review and thread parts of the incident page."""

from django.utils import timezone

from compliance.deadlines import risk_window, written_report_due_at
from compliance.models import DeadlinePolicy, Obligation, ObligationKind
from incidents.models import Comment, IncidentStatus, RevenueRisk
from incidents.review_forms import (
    AssignForm,
    CloseCaseForm,
    CommentForm,
    TriageForm,
    reviewer_choices,
)
from incidents.services import may_comment
from incidents.services.triage import TRIAGE_STATES, triage_state


def policy_defaults(now):
    """What the policy in force gives each risk: (risk, label, due time, interval days)."""
    policy = DeadlinePolicy.in_force()
    rows = []
    for risk in RevenueRisk:
        rows.append({
            "risk": risk.value, "label": risk.label,
            "days": risk_window(policy, risk.value, "written_report_days"),
            "due_at": written_report_due_at(policy, risk.value, now),
            "interval": risk_window(policy, risk.value, "status_report_interval_days")})
    return rows


def report_owed(incident, duties=None):
    """Whether the written report's due time can still move: not yet triaged (no duty),
    or its duty still owed. `duties`: the case's obligations, when read already."""
    if duties is None:
        duties = Obligation.objects.filter(incident_id=incident.pk,
                                           kind=ObligationKind.WRITTEN_REPORT)
    written = [o for o in duties if o.kind == ObligationKind.WRITTEN_REPORT]
    return not written or any(o.is_outstanding for o in written)


def triage_initial(request, incident, duties):
    """`duties`: the case's obligations (what the page shows of its written report)."""
    return {
        "revenue_risk": incident.revenue_risk or "",
        # Left empty: a value shown there would be sent back as the reviewer's own, and a
        # new risk would keep the old interval instead of taking the policy's.
        "reviewer": incident.assigned_reviewer_id,
        "reviewer_shown": incident.assigned_reviewer_id,
        "due_timezone": request.user.timezone,
        # A page offering the first triage says so: sent after someone else triaged the
        # case meanwhile, it is refused rather than taken as a change of their triage.
        "first_triage": incident.triaged_at is None,
        "triage_shown": triage_state(incident, duties),
    }


def review_context(request, incident, triage_form=None, comment_form=None, report_owed=True,
                   duties=(), close_form=None):
    """The thread for everyone who sees the incident; triage and assignment for USPS
    (`report_owed`: whether the written report's due time can still move; `duties`: the
    case's obligations the page read)."""
    user = request.user
    context = {"comments": [], "comment_form": None, "triage_form": None,
               "assign_form": None, "policy_defaults": None}
    if incident.is_draft:
        return context
    context["comments"] = (Comment.objects.visible_to(user).filter(incident=incident)
                           .select_related("author").order_by("created_at", "id"))
    if may_comment(user, incident):
        context["comment_form"] = comment_form or CommentForm(user=user)
    if user.is_usps and incident.status in TRIAGE_STATES:
        people = list(reviewer_choices())  # read once for both forms
        context["triage_form"] = triage_form or TriageForm(
            initial=triage_initial(request, incident, duties), reviewers=people,
            interval=incident.status_report_interval_days, report_owed=report_owed)
        if incident.triaged_at is None:  # the first triage needs its rationale
            context["triage_form"].fields["rationale"].required_when = "at first triage"
        context["assign_form"] = AssignForm(initial={"reviewer": incident.assigned_reviewer_id},
                                            reviewers=people)
        context["policy_defaults"] = policy_defaults(timezone.now())
        context["report_owed"] = report_owed
        context["first_triage"] = incident.triaged_at is None
        context["is_closed"] = incident.status == IncidentStatus.CLOSED
        context["close_form"] = close_form or CloseCaseForm()
    return context
