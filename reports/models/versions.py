import pgtrigger
from django.conf import settings
from django.db import models

from compliance.models.frozen import FrozenVersion

from .choices import ReviewDecision


class ReportVersion(FrozenVersion):
    """One filed version of a report, and the obligation it met. A resubmission after a
    return is the next version."""

    report = models.ForeignKey("reports.Report", on_delete=models.PROTECT,
                               related_name="versions")
    obligation = models.ForeignKey("compliance.Obligation", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+",
                                   help_text="The duty this filing met (or met late).")

    class Meta:
        # Filed is final: not even the admin or a stray script may change or remove it.
        triggers = [pgtrigger.Protect(name="report_version_append_only",
                                      operation=pgtrigger.Update | pgtrigger.Delete)]
        ordering = ["report_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["report", "number"],
                                    name="report_version_number_unique"),
        ]
        # Metrics: versions filed in a period (with their id, so the index answers alone).
        indexes = [models.Index(fields=["submitted_at", "id"],
                                name="report_version_submitted_at")]

    def __str__(self):
        return f"{self.report.reference} version {self.number}"


class ReportReviewQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The door: a review is USPS's decision on a filed version, which USPS staff see
        whatever the provider; provider staff see the reviews of their provider's reports."""
        if not user.is_authenticated:
            return self.none()
        if user.is_usps:
            return self
        return self.filter(report__provider_id=user.provider_id)


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
    filed_at = models.DateTimeField(
        help_text="When the decided version was filed: USPS's review time runs from it.")
    comment = models.TextField(blank=True,
                               help_text="Shared with the provider and e-mailed to its officers.")
    resubmission_due_at = models.DateTimeField(null=True, blank=True)
    resubmission_obligation = models.ForeignKey(
        "compliance.Obligation", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", help_text="The duty to file a corrected version (when returned).")

    objects = ReportReviewQuerySet.as_manager()

    class Meta:
        ordering = ["report_id", "decided_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version"], name="report_review_once_per_version"),
        ]
        # Metrics: decisions on versions filed in a period, with what the figure reads of
        # them, so the index answers alone.
        indexes = [models.Index(fields=["filed_at", "decided_at", "report"],
                                name="report_review_filed_at")]
        triggers = [pgtrigger.Protect(name="report_review_append_only",
                                      operation=pgtrigger.Update | pgtrigger.Delete)]

    def __str__(self):
        return f"{self.report.reference} v{self.version.number} {self.decision}"
