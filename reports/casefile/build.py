"""What goes into a case file, read through the one door, in a fixed number of queries.

The edition follows the reader: provider staff get the provider's edition, which holds
nothing internal to USPS (the door leaves it out); USPS staff get the USPS edition, in
which every internal item is marked as such.
"""

from dataclasses import dataclass, field

import weasyprint
from django.conf import settings
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import timezone

from compliance.models import Obligation
from incidents.models import Attachment, Comment, Incident, RiskStatement
from incidents.views.common import timeline
from reports.models import Report, ReportReview, ReportVersion


@dataclass
class CaseFile:
    incident: Incident
    usps_edition: bool
    generated_at: object
    generated_by: object
    versions: list = field(default_factory=list)
    reports: list = field(default_factory=list)
    obligations: list = field(default_factory=list)
    attachments: list = field(default_factory=list)
    comments: list = field(default_factory=list)
    events: list = field(default_factory=list)

    @property
    def receipt(self):
        return self.versions[-1] if self.versions else None

    @property
    def last_event(self):
        """The case's last event in this edition, by chain position."""
        return max(self.events, key=lambda e: e.sequence, default=None)


def load_case_file(user, incident_id):
    """The case file of incident `incident_id` as `user` may see it; Incident.DoesNotExist
    when the door does not let the user see the case."""
    incident = (Incident.objects.visible_to(user)
                .select_related("provider", "discovered_by_affiliate", "submitted_by")
                .prefetch_related("pes_models", Prefetch(
                    "risk_statements",
                    queryset=RiskStatement.objects.select_related("pes_model")
                    .order_by("position")))
                .get(pk=incident_id))
    reports = (Report.objects.visible_to(user).filter(incident=incident)
               .prefetch_related(
                   Prefetch("versions", queryset=ReportVersion.objects
                            .select_related("submitted_by").order_by("number")),
                   Prefetch("reviews", queryset=ReportReview.objects
                            .select_related("reviewer", "version",
                                            "resubmission_obligation")
                            .order_by("decided_at", "id")))
               .order_by("created_at", "id"))
    return CaseFile(
        incident=incident,
        usps_edition=user.is_usps,
        generated_at=timezone.now(),
        generated_by=user,
        versions=list(incident.versions.select_related("submitted_by").order_by("number")),
        reports=list(reports),
        obligations=list(Obligation.objects.visible_to(user).filter(incident_id=incident.pk)
                         .order_by("original_due_at", "id")),
        attachments=list(Attachment.objects.visible_to(user).filter(incident=incident)
                         .select_related("uploaded_by").order_by("uploaded_at", "id")),
        comments=list(Comment.objects.visible_to(user).filter(incident=incident)
                      .select_related("author").order_by("created_at", "id")),
        events=list(timeline(user, incident)),
    )


def render_case_file_pdf(case_file):
    """The case file as PDF bytes."""
    html = render_to_string("reports/case_file.html", {"case": case_file,
                                                       "site_url": settings.SITE_URL})
    return weasyprint.HTML(string=html, base_url=settings.SITE_URL).write_pdf()
