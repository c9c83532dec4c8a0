from django.conf import settings
from django.db import models

from incidents.models import Incident

from .choices import CONTENT_FIELDS, ReportKind, ReportState


class ReportQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The one door: reports of incidents the user may see. USPS staff never see a
        report draft; provider staff see their provider's, drafts included."""
        incidents = Incident.objects.visible_to(user)
        qs = self.filter(incident__in=incidents.values("pk"))
        if user.is_authenticated and user.is_usps:
            qs = qs.exclude(state=ReportState.DRAFT)
        return qs


class Report(models.Model):
    """A § 501.11(c) report on a case: a written report, a status report or the final
    summary. While a draft it is edited in place and private to the provider; each filing
    (the first submission and every resubmission after a return) is frozen as a
    `ReportVersion`. The content fields hold the draft, then the newest filed version."""

    incident = models.ForeignKey("incidents.Incident", on_delete=models.PROTECT,
                                 related_name="reports")
    provider = models.ForeignKey("compliance.Provider", on_delete=models.PROTECT,
                                 related_name="+", help_text="The incident's provider.")
    kind = models.CharField(max_length=10, choices=ReportKind.choices)
    number = models.PositiveSmallIntegerField(
        help_text="1, 2, … among the incident's reports of this kind.")
    reference = models.CharField(max_length=30, unique=True,
                                 help_text="The incident's reference, kind and number, "
                                           "e.g. PES-2026-00042-WR1.")
    state = models.CharField(max_length=10, choices=ReportState.choices,
                             default=ReportState.DRAFT)

    circumstances = models.TextField(blank=True)
    investigative_procedure = models.TextField(blank=True,
                                               help_text="The proposed investigative procedure.")
    progress = models.TextField(blank=True)
    anticipated_completion_date = models.DateField(null=True, blank=True)
    findings = models.TextField(blank=True)
    root_cause = models.TextField(blank=True)
    corrective_actions = models.TextField(blank=True)

    current_version = models.PositiveIntegerField(
        default=0, help_text="The number of the newest filed version; 0 while a draft.")
    submitted_at = models.DateTimeField(null=True, blank=True,
                                        help_text="When the newest version was filed.")
    decided_at = models.DateTimeField(null=True, blank=True,
                                      help_text="When USPS last accepted or returned it.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    # The key of the page that started the report: the same page sent twice (a double
    # click, a retry) files one report.
    submission_key = models.CharField(max_length=64, null=True, blank=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["incident_id", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "kind", "number"],
                                    name="report_number_unique"),
            models.UniqueConstraint(fields=["incident", "submission_key"],
                                    name="report_submission_once",
                                    condition=models.Q(submission_key__isnull=False)),
        ]
        indexes = [models.Index(fields=["incident", "kind", "state"],
                                name="report_incident_kind_state")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.reference}"

    @property
    def content_fields(self):
        return CONTENT_FIELDS[self.kind]

    @property
    def is_draft(self):
        return self.state == ReportState.DRAFT

    @property
    def audit_drafting_stage(self):
        """Events written while the report is a draft are the provider's alone."""
        return self.is_draft

    def content_items(self):
        """(field name, label, value) of this kind's content, in order."""
        return [(name, self._meta.get_field(name).verbose_name.capitalize(),
                 getattr(self, name)) for name in self.content_fields]


class ReportSubmissionKey(models.Model):
    """A key a page or an API client (`Idempotency-Key`) sent a report of a case with, and
    the report it started, filled in or corrected: every key a report was touched with, so
    a late retry of any of them answers that report and files nothing more."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="+")
    key = models.CharField(max_length=64)
    report = models.ForeignKey(Report, on_delete=models.PROTECT,
                               related_name="submission_keys")
    fingerprint = models.CharField(
        max_length=64, blank=True, default="",
        help_text="SHA-256 of what the request asked (kind, draft or not, content): the key "
                  "sent again with anything else is refused. Empty for keys kept before.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["incident", "key"],
                                               name="report_key_once_per_case")]

    def __str__(self):
        return f"Key of {self.report}"
