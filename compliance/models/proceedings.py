"""Enforcement proceedings under § 501.11(e): a suspension of approval (§ 501.6) or an
administrative sanction (§ 501.12) against a provider, as a sequence of dated steps, each
a versioned document with its receipt. The rules of the sequence are in
`compliance.enforcement.flow`; the services in `compliance.enforcement.services`."""

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q

from .frozen import FrozenVersion
from .policy import RevenueRisk
from .register import AuthorizationStatus
from .scoping import ProviderScopedQuerySet


class ProceedingKind(models.TextChoices):
    SUSPENSION = "suspension", "Suspension (§ 501.6)"
    SANCTION = "sanction", "Sanction (§ 501.12)"


SECTIONS = {ProceedingKind.SUSPENSION: "§ 501.6", ProceedingKind.SANCTION: "§ 501.12"}


class StepKind(models.TextChoices):
    PROPOSAL = "proposal", "Notice of proposed suspension"
    DEMAND = "demand", "Written demand"
    CORRECTION = "correction", "Response or proof of correction"
    SUSPENSION_NOTICE = "suspension_notice", "Notice of suspension"
    DEFENSE = "defense", "Defense"
    DECISION = "decision", "Decision"
    APPEAL = "appeal", "Appeal"
    APPEAL_DECISION = "appeal_decision", "Decision on appeal"
    EXTENSION = "extension", "Extension of the suspension"
    REINSTATEMENT = "reinstatement", "Reinstatement"
    WITHDRAWAL = "withdrawal", "Withdrawal"


class Side(models.TextChoices):
    USPS = "usps", "USPS"
    PROVIDER = "provider", "Provider"


class ProceedingState(models.TextChoices):
    PROPOSED = "proposed", "Suspension proposed"
    DEMANDED = "demanded", "Sanction demanded"
    ANSWERED = "answered", "Answered"
    NOTICED = "noticed", "Suspension noticed"
    DEFENDED = "defended", "Defense filed"
    DECIDED = "decided", "Decided"
    APPEALED = "appealed", "Appealed"
    APPEAL_DECIDED = "appeal_decided", "Appeal decided"
    REINSTATED = "reinstated", "Reinstated"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Outcome(models.TextChoices):
    SUSPEND = "suspend", "Suspension"
    REVOKE = "revoke", "Revocation"
    IMPOSE = "impose", "Sanction imposed"
    AFFIRM = "affirm", "Decision affirmed"
    REVERSE = "reverse", "Decision reversed"


class ProceedingQuerySet(ProviderScopedQuerySet):
    """USPS staff see every proceeding; provider staff their own provider's."""

    def open(self):
        return self.filter(closed_at__isnull=True)


class Proceeding(models.Model):
    """One enforcement proceeding against a provider, optionally limited to some of its PES
    models. What it cites was frozen into its first step's document when it opened."""

    reference = models.CharField(max_length=20, unique=True, null=True, blank=True,
                                 help_text="ENF-<year>-<number>, given when it opens.")
    provider = models.ForeignKey("compliance.Provider", on_delete=models.PROTECT,
                                 related_name="proceedings")
    kind = models.CharField(max_length=20, choices=ProceedingKind.choices)
    state = models.CharField(max_length=20, choices=ProceedingState.choices)
    grounds = models.TextField(help_text="The deficiencies or the grounds of the sanction.")
    willful = models.BooleanField(
        default=False, help_text="A willful violation: no period to correct (§ 501.6).")
    revenue_risk = models.CharField(max_length=10, choices=RevenueRisk.choices, blank=True,
                                    help_text="What the correction period was set from.")
    correction_period_days = models.PositiveSmallIntegerField(null=True, blank=True)
    pes_models = models.ManyToManyField("compliance.PESModel", blank=True, related_name="+",
                                        verbose_name="PES models concerned")
    cited_obligations = models.ManyToManyField("compliance.Obligation", blank=True,
                                               related_name="+")
    cited_case_ids = models.JSONField(default=list, blank=True,
                                      help_text="Ids of the cited cases (incidents).")
    sanction = models.TextField(blank=True, help_text="What a written demand demands.")
    amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True,
                                 help_text="Revenue losses to recover, in US dollars.")
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True,
                               help_text="USPS's decision (and on appeal, its fate).")
    suspension_days = models.PositiveIntegerField(null=True, blank=True)
    suspension_ends_at = models.DateTimeField(
        null=True, blank=True,
        help_text="When a decided suspension ends and the provider is reinstated (by the "
                  "sweep), unless extended, ended earlier or revoked.")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="+")
    opened_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True,
                                     help_text="When no step could follow any more.")

    objects = ProceedingQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at", "-id"]
        indexes = [
            models.Index(fields=["provider", "-opened_at"], name="proceeding_provider"),
            # The sweep's question: which decided suspensions have run their course?
            models.Index(fields=["suspension_ends_at"], name="proceeding_suspension_end",
                         condition=Q(suspension_ends_at__isnull=False)),
        ]

    def __str__(self):
        return f"{self.reference or 'Proceeding'} ({self.get_kind_display()})"

    @property
    def section(self):
        return SECTIONS[self.kind]

    def suspension_runs_at(self, now):
        """Whether a decided suspension still runs at `now`: the provider is authorized
        again from its end, even before the sweep files the reinstatement."""
        return self.suspension_ends_at is not None and now < self.suspension_ends_at


class ProceedingStepQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(proceeding__in=Proceeding.objects.visible_to(user).values("pk"))

    def status_due(self, now):
        """Steps whose change of the provider's authorization status has come and is not
        yet applied (nor cancelled by a later step)."""
        return self.filter(effective_at__lte=now, status_applied_at__isnull=True,
                           status_cancelled=False).exclude(to_status="")


class ProceedingStep(models.Model):
    """One step of a proceeding: a notice or decision of USPS, or the provider's response,
    defense or appeal. Its text lives in its versions (append-only); this row keeps what
    the step set running: the period it opened, the status change it takes effect with."""

    proceeding = models.ForeignKey(Proceeding, on_delete=models.PROTECT, related_name="steps")
    number = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=20, choices=StepKind.choices)
    side = models.CharField(max_length=10, choices=Side.choices)
    body = models.TextField(help_text="The text of the newest version.")
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    days = models.PositiveIntegerField(null=True, blank=True,
                                       help_text="A suspension's length, or days added to it.")
    effective_at = models.DateTimeField(null=True, blank=True)
    effective_date = models.DateField(
        null=True, blank=True,
        help_text="The day it takes effect, as stated (the provider's calendar then): a "
                  "suspension's days count from it, whatever the provider's zone later.")
    to_status = models.CharField(max_length=20, choices=AuthorizationStatus.choices,
                                 blank=True, help_text="The authorization status it brings.")
    status_applied_at = models.DateTimeField(null=True, blank=True)
    status_cancelled = models.BooleanField(
        default=False, help_text="A later step ended it before it took effect.")
    is_late = models.BooleanField(default=False)
    late_reason = models.TextField(blank=True)
    period = models.ForeignKey("compliance.Obligation", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+",
                               help_text="The period this step opened for the other side.")
    answered = models.ForeignKey("compliance.Obligation", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+",
                                 help_text="The provider's period this step met.")
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+",
                                  help_text="Empty when the system issued it (the end of a "
                                            "suspension).")
    issued_at = models.DateTimeField()
    current_version = models.PositiveIntegerField(default=1)

    objects = ProceedingStepQuerySet.as_manager()

    class Meta:
        ordering = ["proceeding_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["proceeding", "number"],
                                    name="proceeding_step_number_unique"),
        ]
        indexes = [
            models.Index(fields=["effective_at"], name="step_status_due",
                         condition=Q(status_applied_at__isnull=True, status_cancelled=False)
                         & ~Q(to_status="")),
        ]

    def __str__(self):
        return f"{self.proceeding.reference} step {self.number}: {self.get_kind_display()}"

    @property
    def provider_id(self):
        return self.proceeding.provider_id


class ProceedingStepVersion(FrozenVersion):
    """One version of a step's document: version 1 when issued, then amendments."""

    step = models.ForeignKey(ProceedingStep, on_delete=models.PROTECT, related_name="versions")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    amendment_reason = models.TextField(blank=True)

    class Meta:
        # Filed is final: not even the admin or a stray script may change or remove it.
        triggers = [pgtrigger.Protect(name="proceeding_step_version_append_only",
                                      operation=pgtrigger.Update | pgtrigger.Delete)]
        ordering = ["step_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["step", "number"],
                                    name="proceeding_step_version_unique"),
        ]

    def __str__(self):
        return f"{self.step} version {self.number}"


class ProceedingNoteQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Internal to USPS: provider staff never see a note, of any proceeding."""
        if not (user.is_authenticated and user.is_usps):
            return self.none()
        return self


class ProceedingNote(models.Model):
    """An internal USPS note on a proceeding (deliberations): never shown to the provider."""

    proceeding = models.ForeignKey(Proceeding, on_delete=models.PROTECT, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField()

    objects = ProceedingNoteQuerySet.as_manager()

    class Meta:
        ordering = ["proceeding_id", "created_at", "id"]
        triggers = [pgtrigger.Protect(name="proceeding_note_append_only",
                                      operation=pgtrigger.Update | pgtrigger.Delete)]

    def __str__(self):
        return f"Note on {self.proceeding.reference} by {self.author}"

    @property
    def provider_id(self):
        return self.proceeding.provider_id
