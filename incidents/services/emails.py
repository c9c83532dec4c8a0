"""E-mails about filings, written to the outbox in the filing's transaction and sent
after it commits (by the notifications app)."""

from django.urls import reverse

from compliance.models import User
from notifications.services import Email, queue_emails


def filing_context(incident, version):
    return {
        "incident": incident,
        "version": version,
        "case_path": reverse("incident-detail", args=[incident.pk]),
    }


def queue_filing_emails(incident, version, reviewers=None):
    """The receipt to the officer who filed `version`, and news of the filing (version 1)
    to the active USPS reviewers (`reviewers` when the caller has read them), or of the
    amendment to those who read the case's news (its assigned reviewer, else every
    reviewer), in one write. Safe to call twice: keyed."""
    context = filing_context(incident, version)
    stem = f"incident:{incident.pk}:v{version.number}"
    if reviewers is None:
        reviewers = (list(User.objects.reviewers()) if version.number == 1
                     else User.objects.reviewers_for(incident.assigned_reviewer))
    queue_emails([
        Email([version.submitted_by], "incident_receipt", context, f"{stem}:receipt"),
        Email(reviewers,
              "incident_filed" if version.number == 1 else "incident_amended",
              context, f"{stem}:usps"),
    ])
