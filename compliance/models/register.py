import pgtrigger
from django.conf import settings
from django.db import models
from django_countries.fields import CountryField

from .scoping import ProviderScopedQuerySet
from .users import validate_timezone

DEFAULT_PROVIDER_TIMEZONE = "America/New_York"


class AuthorizationStatus(models.TextChoices):
    AUTHORIZED = "authorized", "Authorized"
    SUSPENDED = "suspended", "Suspended"
    REVOKED = "revoked", "Revoked"


class ProviderQuerySet(models.QuerySet):
    def visible_to(self, user):
        """USPS staff see every provider; provider staff see only their own."""
        if not user.is_authenticated:
            return self.none()
        if user.is_usps:
            return self
        return self.filter(pk=user.provider_id)


class Provider(models.Model):
    """A company authorized under 39 CFR 501.2 to manufacture or distribute PES."""

    name = models.CharField(max_length=200, unique=True)
    # Optional (the published API never required it), but unique when given.
    authorization_number = models.CharField(
        "USPS authorization number", max_length=50, blank=True, default=""
    )
    authorization_status = models.CharField(
        max_length=20, choices=AuthorizationStatus.choices, default=AuthorizationStatus.AUTHORIZED
    )
    timezone = models.CharField(
        max_length=64, default=DEFAULT_PROVIDER_TIMEZONE, validators=[validate_timezone],
        help_text="A deadline set by the end of a day ends at 23:59:59 of that day here.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ProviderQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["authorization_number"], condition=~models.Q(authorization_number=""),
                name="provider_authorization_number_unique",
                violation_error_message="Another provider has this authorization number."),
        ]

    def __str__(self):
        return self.name


class ProviderStatusChange(models.Model):
    """One change of a provider's authorization status, kept for good."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=AuthorizationStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=AuthorizationStatus.choices)
    reason = models.TextField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField()

    objects = ProviderScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-changed_at", "-id"]
        # A provider's standing is read from the last status set by hand: the history is
        # appended to, never changed or removed.
        triggers = [pgtrigger.Protect(name="provider_status_change_append_only",
                                      operation=pgtrigger.Update | pgtrigger.Delete)]

    def __str__(self):
        return f"{self.provider}: {self.from_status or '—'} → {self.to_status}"


class Relationship(models.TextChoices):
    """The relations of § 501.11(a): what any of them discovers, the provider has discovered."""

    FOREIGN_AFFILIATE = "foreign_affiliate", "Foreign affiliate"
    SUBSIDIARY = "subsidiary", "Subsidiary"
    ASSIGN = "assign", "Assign"
    DEALER = "dealer", "Dealer"
    INDEPENDENT_DEALER = "independent_dealer", "Independent dealer"
    PARENT_CORPORATION = "parent_corporation", "Parent corporation"


class Affiliate(models.Model):
    """A company related to a provider under § 501.11(a)."""

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="affiliates")
    name = models.CharField(max_length=200)
    relationship = models.CharField(max_length=30, choices=Relationship.choices)
    country = CountryField(help_text="ISO 3166-1 country; stored as its alpha-2 code.")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ProviderScopedQuerySet.as_manager()

    class Meta:
        ordering = ["provider_id", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "name"], name="affiliate_name_unique_per_provider"
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.get_relationship_display().lower()})"


class PESKind(models.TextChoices):
    POSTAGE_METER = "postage_meter", "Postage meter"
    PC_POSTAGE = "pc_postage", "PC Postage"


class ApprovalStatus(models.TextChoices):
    APPROVED = "approved", "Approved"
    SUBMITTED = "submitted", "Submitted for approval"
    WITHDRAWN = "withdrawn", "Withdrawn"


class PESModel(models.Model):
    """A Postage Evidencing System model a provider distributes or has submitted for approval."""

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="pes_models")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=PESKind.choices)
    approval_status = models.CharField(max_length=20, choices=ApprovalStatus.choices)
    approved_by = models.CharField(
        max_length=100,
        default="USPS",
        help_text="USPS, or the foreign postal administration that approved it.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ProviderScopedQuerySet.as_manager()

    class Meta:
        ordering = ["provider_id", "name", "id"]
        verbose_name = "PES model"
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "name"], name="pes_model_name_unique_per_provider"
            )
        ]

    def __str__(self):
        return self.name
