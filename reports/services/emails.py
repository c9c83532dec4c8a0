"""E-mails about reports, written to the outbox in the service's transaction and sent
after it commits. They carry what the provider filed and USPS's shared decision, never
anything internal to USPS."""

from django.urls import reverse

from compliance.models import Role, User
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
    reviewer = incident.assigned_reviewer
    if reviewer is not None and reviewer.is_active:
        recipients = [reviewer]
    else:
        recipients = list(User.objects.filter(role=Role.USPS_REVIEWER, is_active=True)
                          .order_by("pk"))
    queue_email(recipients=recipients, template="report_filed",
                context=_context(report, version=version),
                key=f"report:{report.pk}:v{version.number}:filed")


def queue_decision_email(report, review):
    """To the active compliance officers of the provider: accepted or returned, with the
    reviewer's comment."""
    officers = User.objects.filter(provider_id=report.provider_id, role=Role.PROVIDER_OFFICER,
                                   is_active=True).order_by("pk")
    queue_email(recipients=list(officers), template=f"report_{review.decision}",
                context=_context(report, review=review, version=review.version),
                key=f"report:{report.pk}:review:{review.pk}")
