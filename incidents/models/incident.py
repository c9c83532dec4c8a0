from django.conf import settings
from django.db import models
from django.db.models import F

from compliance.aggregates import until

from .choices import Category, IncidentStatus, RevenueRisk, Subtype


class CaseDoorQuerySet(models.QuerySet):
    """Rows of cases, or about cases, that carry the case's provider and status: incidents
    and their counts."""

    def visible_to(self, user):
        """The one door: provider staff see their provider's incidents, drafts included;
        USPS staff see filed incidents of every provider and never a draft."""
        if not user.is_authenticated:
            return self.none()
        if user.is_usps:
            return self.exclude(status=IncidentStatus.DRAFT)
        if user.provider_id is None:
            return self.none()
        return self.filter(provider_id=user.provider_id)


class IncidentQuerySet(CaseDoorQuerySet):
    def drafts(self):
        return self.filter(status=IncidentStatus.DRAFT)

    def filed(self):
        return self.exclude(status=IncidentStatus.DRAFT)

    def open_at(self, instant):
        """The cases open at `instant`: filed by then, not closed by then (one range of the
        index `incident_open_until`)."""
        return (self.alias(open_until=until("closed_at"))
                .filter(submitted_at__lte=instant, open_until__gt=instant))

    def with_content(self):
        """With what an incident's content reads: its provider and affiliate, its PES
        models, and its risk statements in order with theirs."""
        return self.select_related("provider", "discovered_by_affiliate").prefetch_related(
            "pes_models", models.Prefetch(
                "risk_statements", queryset=RiskStatement.objects.select_related("pes_model")
                .order_by("position", "id")))


# The columns of the case clock (the database writes them).
CLOCK = ("owed_due_at", "next_due_at", "waiting_since")


class Incident(models.Model):
    """One discovered weakness, tampering method or cyber attack: one case under § 501.11.

    While a draft it is private to its provider and edited in place; once submitted its
    content changes only through amendments, each frozen as an `IncidentVersion`.
    """

    provider = models.ForeignKey(
        "compliance.Provider", on_delete=models.PROTECT, related_name="incidents"
    )
    reference = models.CharField(
        max_length=20, unique=True, null=True, blank=True,
        help_text="PES-<year>-<number>, given at submission.",
    )
    category = models.CharField(max_length=30, choices=Category.choices)
    subtype = models.CharField(max_length=30, choices=Subtype.choices)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    discovered_at = models.DateTimeField()
    discovery_timezone = models.CharField(max_length=64)
    discovered_by_affiliate = models.ForeignKey(
        "compliance.Affiliate", null=True, blank=True, on_delete=models.PROTECT,
        related_name="incidents",
        help_text="Empty when the provider itself discovered it.",
    )
    discovered_by_name = models.CharField(max_length=200)
    pes_models = models.ManyToManyField(
        "compliance.PESModel", blank=True, related_name="incidents",
        verbose_name="affected PES models",
    )
    status = models.CharField(
        max_length=20, choices=IncidentStatus.choices, default=IncidentStatus.DRAFT
    )
    notification_due_at = models.DateTimeField(
        help_text="discovered_at + 24 elapsed hours (§ 501.11(b))."
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    is_late = models.BooleanField(default=False)
    late_reason = models.TextField(blank=True)
    revenue_risk = models.CharField(
        max_length=10, choices=RevenueRisk.choices, null=True, blank=True
    )
    # Review (USPS): set at triage; the interval drives the status-report cadence.
    assigned_reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="assigned_incidents", limit_choices_to={"role": "usps_reviewer"},
    )
    triaged_at = models.DateTimeField(null=True, blank=True)
    status_report_interval_days = models.PositiveSmallIntegerField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    current_version = models.PositiveIntegerField(
        default=0, help_text="The number of the newest filed version; 0 while a draft."
    )
    # The case clock, kept by the database from the case's obligations (incidents/clock.py);
    # a save leaves it alone (CLOCK).
    owed_due_at = models.DateTimeField(
        null=True, blank=True, editable=False,
        help_text="The earliest due time of the provider's duties still owed on the case.")
    next_due_at = models.DateTimeField(
        null=True, blank=True, editable=False,
        help_text="The earliest due time of anything still owed on the case that USPS sees.")
    waiting_since = models.DateTimeField(
        null=True, blank=True, editable=False,
        help_text="Since when the case waits on USPS: its oldest USPS target still owed.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    objects = IncidentQuerySet.as_manager()

    class Meta:
        ordering = ["-discovered_at", "-id"]
        indexes = [
            models.Index(fields=["provider", "status", "-discovered_at"],
                         name="incident_provider_status"),
            models.Index(fields=["status", "-discovered_at"], name="incident_status"),
            # The list's order, across providers and within one (with the status the door
            # reads, so that counts of a period answer from the index alone, and the filing
            # time, so that a page of cases open at an instant skips later filings unread).
            models.Index(fields=["-discovered_at", "-id", "status", "submitted_at"],
                         name="incident_list_order"),
            models.Index(fields=["provider", "-discovered_at", "-id"],
                         name="incident_provider_order"),
            models.Index(fields=["category", "-discovered_at", "-id", "status"],
                         name="incident_category_order"),
            # Cases open at an instant: filed by then and closed after it (or not closed).
            models.Index(fields=["submitted_at", "closed_at", "status"],
                         name="incident_open_interval"),
            # Metrics: filings of a period (with the columns their figures read, so the
            # index answers alone), and cases still open at an instant.
            models.Index(fields=["submitted_at", "discovered_at", "triaged_at", "status",
                                 "provider"], name="incident_submitted_at"),
            models.Index(fields=["closed_at"], name="incident_closed_at"),
            # Cases open at an instant (the list's `open_at`, the metrics' backlog and open
            # cases by risk) as one range: open until after it, filed by then; with what
            # those read of them, so the index answers alone, within a provider too.
            models.Index(until("closed_at"), F("submitted_at"), F("status"),
                         F("revenue_risk"), F("provider"), F("closed_at"), F("id"),
                         name="incident_open_until"),
            # The review queue's counts: filed cases by state, untriaged, and which of them
            # have a duty past due (the index answers alone).
            models.Index(fields=["status", "triaged_at", "id"], name="incident_status_triage"),
            # Overdue cases: those whose earliest duty owed is past (for a provider's staff,
            # within the provider), and the queue's order by the next due time.
            models.Index(fields=["owed_due_at", "status"], name="incident_owed_due",
                         condition=models.Q(owed_due_at__isnull=False)),
            models.Index(fields=["provider", "owed_due_at"], name="incident_provider_owed_due",
                         condition=models.Q(owed_due_at__isnull=False)),
        ]

    def __str__(self):
        return self.reference or f"Draft incident {self.pk}"

    def save(self, *args, **kwargs):
        """The case clock is the database's: saving a case read before its duties changed
        (in the same transaction) leaves the clock as the triggers set it."""
        if not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [f.name for f in self._meta.concrete_fields
                                       if not f.primary_key and f.name not in CLOCK]
        super().save(*args, **kwargs)

    @property
    def audit_case_id(self):
        """Events about the incident itself belong to its own timeline."""
        return self.pk

    @property
    def is_draft(self):
        return self.status == IncidentStatus.DRAFT

    @property
    def audit_drafting_stage(self):
        """Events written while the incident is a draft are the provider's alone."""
        return self.is_draft

    @property
    def label(self):
        """What people call the case: its reference once filed, its title before."""
        return f"{self.reference}: {self.title}" if self.reference else f"Draft: {self.title}"


class RiskStatement(models.Model):
    """§ 501.11(b)(3): the nature of one material risk of a cyber attack and how it affects
    a named PES model."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE,
                                 related_name="risk_statements")
    pes_model = models.ForeignKey("compliance.PESModel", on_delete=models.PROTECT,
                                  related_name="+")
    nature_of_risk = models.TextField()
    effect_on_pes = models.TextField()
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["incident_id", "position", "id"]

    def __str__(self):
        return f"Risk to {self.pes_model}: {self.nature_of_risk[:60]}"
