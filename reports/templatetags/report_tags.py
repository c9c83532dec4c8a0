"""The reports section of an incident page, computed here so the incident view needs to
pass nothing but the case's obligations it has read: two queries whatever the number of
reports."""

from django import template
from django.db.models import Prefetch

from reports.models import OBLIGATION_KIND, Report, ReportKind, ReportState, ReportVersion
from reports.services.access import may_file
from reports.services.filing import SINGLE_KINDS, kinds_fileable
from reports.services.flow import awaiting_correction

register = template.Library()

DUTY_KINDS = frozenset(OBLIGATION_KIND.values())


def _actions(incident, reports):
    """(kind, label, open report or None) for each kind an officer may file now: a draft
    to continue, or a returned report to correct (a status report only while its
    correction is owed, as filing routes it)."""
    actions = []
    returned = [r for r in reports if r.state == ReportState.RETURNED
                and r.kind not in SINGLE_KINDS]
    owed = awaiting_correction(returned) if returned else set()
    for kind in kinds_fileable(incident):
        mine = [r for r in reports if r.kind == kind]
        open_report = next((r for r in mine if r.state == ReportState.DRAFT), None) or next(
            (r for r in mine if r.state == ReportState.RETURNED
             and (kind in SINGLE_KINDS or r.pk in owed)), None)
        done = any(r.state in (ReportState.SUBMITTED, ReportState.ACCEPTED) for r in mine)
        if open_report is None and kind in SINGLE_KINDS and done:
            continue
        actions.append((kind, ReportKind(kind).label, open_report))
    return actions


@register.inclusion_tag("reports/_reports_section.html", takes_context=True)
def incident_reports(context, incident, obligations):
    """`obligations`: the case's obligations the user may see, as the page has read them
    (the reports' duties are among them)."""
    user = context["request"].user
    if incident.is_draft:
        return {"incident": incident, "hidden": True}
    reports = list(
        Report.objects.visible_to(user).filter(incident=incident)
        .prefetch_related(Prefetch("versions", queryset=ReportVersion.objects.order_by(
            "number")))
        .order_by("created_at", "id"))
    for report in reports:
        versions = list(report.versions.all())
        report.receipt = versions[-1] if versions else None
    duties = [o for o in obligations if o.kind in DUTY_KINDS and o.is_outstanding]
    can_file = may_file(user, incident)
    return {
        "incident": incident,
        "reports": reports,
        "duties": duties,
        "actions": _actions(incident, reports) if can_file else [],
        "can_file": can_file,
    }


@register.filter
def report_field_label(name):
    from reports.forms import LABELS
    return LABELS.get(name, str(name).replace("_", " ").capitalize())
