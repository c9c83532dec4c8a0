"""E-mails about reports, written to the outbox in the service's transaction and sent
after it commits. They carry what the provider filed and USPS's shared decision, never
anything internal to USPS."""

from django.urls import reverse

from compliance.models import User
from notifications.services import queue_email


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
