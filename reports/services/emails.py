"""E-mails about reports, written to the outbox in the service's transaction and sent
after it commits. They carry what the provider filed and USPS's shared decision, never
anything internal to USPS."""

from django.urls import reverse

from compliance.models import Obligation, ObligationKind, ObligationState, User
from notifications.rendering import NotApplicable, builder
from notifications.services import queue_email
from reports.models import ReportState, ReviewDecision


def _context(report, **extra):
    return {
        "report": report,
        "incident": report.incident,
        "report_path": reverse("report-detail", args=[report.pk]),
        "case_path": reverse("incident-detail", args=[report.incident_id]),
        **extra,
    }


def queue_filed_email(report, version):
    """To the case's assigned reviewer, or to every active USPS reviewer when none is."""
    incident = report.incident
    recipients = User.objects.reviewers_for(incident.assigned_reviewer)
    queue_email(recipients=recipients, template="report_filed",
                context=_context(report, version=version),
                key=f"report:{report.pk}:v{version.number}:filed")


def queue_decision_email(report, review):
    """To the active compliance officers of the provider: accepted or returned, with the
    reviewer's comment."""
    officers = User.objects.officers_of(report.provider_id)
    queue_email(recipients=list(officers), template="report_reviewed",
                context=_context(report, review=review, version=review.version),
                key=f"report:{report.pk}:review:{review.pk}")


def queue_closing_email(incident, reason, denied=()):
    """To the active compliance officers of the provider: USPS closed the case, and why;
    `denied`: the duties whose pending requests for more time the closing denied."""
    officers = User.objects.officers_of(incident.provider_id)
    queue_email(recipients=list(officers), template="incident_closed",
                context={"incident": incident, "reason": reason, "denied": list(denied),
                         "case_path": reverse("incident-detail", args=[incident.pk])},
                key=f"incident:{incident.pk}:closed")


def _investigation_duties(report):
    """The first status report and the final summary as they stand: the final summary's
    due time is the anticipated completion date, or the first status report's day when
    that date passed while USPS held the written report."""
    owed = {duty.kind: duty for duty in Obligation.objects.outstanding()
            .filter(incident_id=report.incident_id,
                    kind__in=[ObligationKind.STATUS_REPORT, ObligationKind.FINAL_SUMMARY])
            .order_by("-due_at")}
    status, final = owed.get(ObligationKind.STATUS_REPORT), owed.get(
        ObligationKind.FINAL_SUMMARY)
    return {"status_report_due_at": status.due_at if status else None,
            "final_summary_due_at": final.due_at if final else None}


@builder("report_filed")
def _report_filed(email, context, now):
    """A filed version asks USPS to review it: reviewed before the e-mail goes out (by
    another reviewer), or followed by a newer version, it asks nothing more."""
    report, version = context["report"], context["version"]
    if report.state != ReportState.SUBMITTED or report.current_version != version.number:
        raise NotApplicable("the version has been reviewed, or another filed since")
    return context


@builder("report_reviewed")
def _report_reviewed(email, context, now):
    """A return's correction as it stands when the e-mail goes out: its due time now (an
    extension granted meanwhile moved it), or that it is owed no more (filed meanwhile,
    or waived)."""
    review = context["review"]
    if review.decision == ReviewDecision.ACCEPTED and context["report"].kind == "written":
        return {**context, **_investigation_duties(context["report"])}
    if review.decision != ReviewDecision.RETURNED:
        return context
    duty = review.resubmission_obligation
    if duty is None or duty.is_outstanding:
        return {**context, "correction_due_at": duty.due_at if duty else
                review.resubmission_due_at}
    filed = duty.state in (ObligationState.MET, ObligationState.LATE)
    return {**context, "correction_answered": "filed" if filed else "waived"}
