import uuid

import pgtrigger
from django.conf import settings
from django.db import models

from .kept import filed_then_decided_once
from .scoping import ProviderScopedQuerySet


def procedures_path(instance, filename):
    """A random stored name: the uploader's file name never reaches the file system."""
    return f"procedures/{instance.provider_id}/{uuid.uuid4().hex}"


class ProcedureReview(models.TextChoices):
    PENDING = "pending", "Awaiting USPS review"
    ACCEPTED = "accepted", "Accepted"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"


class ProcedureDocumentQuerySet(ProviderScopedQuerySet):
    def accepted(self):
        return self.filter(review_state=ProcedureReview.ACCEPTED)

    def pending(self):
        """Versions filed and waiting for USPS's review: not one a later version accepted
        has superseded (USPS may still review it, but nothing waits on it)."""
        accepted_later = ProcedureDocument.objects.filter(
            provider_id=models.OuterRef("provider_id"), version__gt=models.OuterRef("version"),
            review_state=ProcedureReview.ACCEPTED)
        return self.filter(review_state=ProcedureReview.PENDING).exclude(
            models.Exists(accepted_later))

    def with_superseded_by(self):
        """Each version with `superseded_by`: the first later version USPS accepted, which
        supersedes it (None when none has been)."""
        return self.annotate(superseded_by=models.Subquery(
            ProcedureDocument.objects.filter(
                provider_id=models.OuterRef("provider_id"),
                version__gt=models.OuterRef("version"), review_state=ProcedureReview.ACCEPTED)
            .order_by("version").values("version")[:1]))

    def has_accepted(self):
        """Whether an accepted copy is on file (templates call it on a provider's
        `procedure_documents`)."""
        return self.accepted().exists()


# What USPS's review writes on a version; nothing else of it ever changes.
REVIEW_FIELDS = ["review_state", "reviewed_by", "reviewed_at", "review_comment"]


class ProcedureDocument(models.Model):
    """One version of a provider's internal reporting procedures, § 501.11(d), as filed
    with USPS for review. Versions are append-only; only the review fields change, once."""

    provider = models.ForeignKey("compliance.Provider", on_delete=models.PROTECT,
                                 related_name="procedure_documents")
    version = models.PositiveIntegerField()
    file = models.FileField(upload_to=procedures_path, max_length=200)
    original_name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    content_type = models.CharField(max_length=100)
    effective_date = models.DateField()
    summary_of_changes = models.TextField(blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    uploaded_at = models.DateTimeField()
    review_state = models.CharField(max_length=20, choices=ProcedureReview.choices,
                                    default=ProcedureReview.PENDING)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.TextField(blank=True)

    objects = ProcedureDocumentQuerySet.as_manager()

    class Meta:
        ordering = ["provider_id", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "version"],
                                    name="procedure_version_unique_per_provider"),
        ]
        # Never deleted, what was filed never changed, USPS's one decision written once.
        triggers = filed_then_decided_once("procedure_document", decision_fields=REVIEW_FIELDS,
                                           pending=pgtrigger.Q(old__review_state=ProcedureReview.PENDING))

    def __str__(self):
        return f"Internal reporting procedures v{self.version}"
