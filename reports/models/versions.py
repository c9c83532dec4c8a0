import json

from django.conf import settings
from django.db import models

from .choices import ReviewDecision


class ReportVersion(models.Model):
    """One filed version of a report, frozen: the canonical JSON, its SHA-256, who filed it
    and when, what changed against the version before, and the obligation it met. Never
    edited: a resubmission after a return is the next version."""

    report = models.ForeignKey("reports.Report", on_delete=models.PROTECT,
                               related_name="versions")
    number = models.PositiveIntegerField()
    canonical_json = models.TextField(help_text="The exact bytes (UTF-8) the hash covers.")
    sha256 = models.CharField(max_length=64)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+")
    submitted_at = models.DateTimeField()
    changes = models.JSONField(default=dict, blank=True,
                               help_text="{field: [before, after]} against the previous version.")
    obligation = models.ForeignKey("compliance.Obligation", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+",
                                   help_text="The duty this filing met (or met late).")

    class Meta:
        ordering = ["report_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["report", "number"],
                                    name="report_version_number_unique"),
        ]

    def __str__(self):
        return f"{self.report.reference} version {self.number}"

    @property
    def document(self):
        return json.loads(self.canonical_json)

    @property
    def content(self):
        return self.document["content"]


class ReportReview(models.Model):
    """USPS's decision on one filed version: accepted, or returned with a comment and a
    resubmission due time (the duty it opened is linked). Never edited."""

    report = models.ForeignKey("reports.Report", on_delete=models.PROTECT,
                               related_name="reviews")
    version = models.ForeignKey(ReportVersion, on_delete=models.PROTECT, related_name="reviews")
    decision = models.CharField(max_length=10, choices=ReviewDecision.choices)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                 related_name="+")
    decided_at = models.DateTimeField()
    comment = models.TextField(blank=True,
                               help_text="Shared with the provider and e-mailed to its officers.")
    resubmission_due_at = models.DateTimeField(null=True, blank=True)
    resubmission_obligation = models.ForeignKey(
        "compliance.Obligation", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", help_text="The duty to file a corrected version (when returned).")

    class Meta:
        ordering = ["report_id", "decided_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version"], name="report_review_once_per_version"),
        ]

    def __str__(self):
        return f"{self.report.reference} v{self.version.number} {self.decision}"
