from django.db import models
from django.db.models import Q

from .scoping import ProviderScopedQuerySet


class ObligationKind(models.TextChoices):
    NOTIFICATION = "notification", "24-hour notification"
    WRITTEN_REPORT = "written_report", "Written report"
    STATUS_REPORT = "status_report", "Status report"
    FINAL_SUMMARY = "final_summary", "Final summary"
    PROCEDURES = "procedures", "Internal reporting procedures"


CLAUSES = {
    ObligationKind.NOTIFICATION: "§ 501.11(b)",
    ObligationKind.WRITTEN_REPORT: "§ 501.11(c)",
    ObligationKind.STATUS_REPORT: "§ 501.11(c)",
    ObligationKind.FINAL_SUMMARY: "§ 501.11(c)",
    ObligationKind.PROCEDURES: "§ 501.11(d)",
}


class ObligationState(models.TextChoices):
    OPEN = "open", "Open"
    MET = "met", "Met"
    LATE = "late", "Met late"
    MISSED = "missed", "Missed"
    WAIVED = "waived", "Waived"


# States in which the duty is still owed: open (not yet due) and missed (due, not met).
OUTSTANDING_STATES = (ObligationState.OPEN, ObligationState.MISSED)


class ObligationQuerySet(ProviderScopedQuerySet):
    def visible_to(self, user):
        """Provider staff see their provider's; USPS sees those of filed cases only."""
        qs = super().visible_to(user)
        if user.is_authenticated and user.is_usps:
            qs = qs.filter(usps_visible=True)
        return qs

    def outstanding(self):
        return self.filter(state__in=OUTSTANDING_STATES)


class Obligation(models.Model):
    """A duty of a provider under § 501.11 with a due time: the ledger the clocks run on.

    `incident_id` names the incident (of the incidents app) the duty belongs to, if any;
    the compliance app knows no other app, so it is a plain id, not a foreign key.
    """

    kind = models.CharField(max_length=20, choices=ObligationKind.choices)
    clause = models.CharField(max_length=20)
    provider = models.ForeignKey(
        "compliance.Provider", on_delete=models.PROTECT, related_name="obligations"
    )
    incident_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    subject = models.CharField(
        max_length=300, help_text="What the duty is about, e.g. the incident's reference."
    )
    due_at = models.DateTimeField()
    original_due_at = models.DateTimeField()
    state = models.CharField(
        max_length=10, choices=ObligationState.choices, default=ObligationState.OPEN
    )
    met_at = models.DateTimeField(null=True, blank=True)
    missed_at = models.DateTimeField(null=True, blank=True)
    waived_reason = models.TextField(blank=True)
    usps_visible = models.BooleanField(
        default=True, help_text="False while the incident is a draft the provider has not filed."
    )
    reviewer = models.ForeignKey(
        "compliance.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="The USPS reviewer assigned to the case; escalations go to them.",
    )
    # The sweep's cursor: the next instant a reminder or escalation is due, and the
    # instant up to which steps have been handled. Null when nothing is left to send.
    next_action_at = models.DateTimeField(null=True, blank=True)
    steps_done_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ObligationQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            # The sweep's only question: which open duties are due by now?
            models.Index(fields=["due_at"], name="obligation_open_due",
                         condition=Q(state="open")),
            models.Index(fields=["next_action_at"], name="obligation_next_action",
                         condition=Q(next_action_at__isnull=False)),
            # Metrics: duties by the month of their original due time (the columns the
            # figures count, so the index answers alone), and duties met after an instant.
            models.Index(fields=["original_due_at", "clause", "state", "usps_visible",
                                 "provider"], name="obligation_original_due"),
            models.Index(fields=["met_at"], name="obligation_met_at"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} for {self.subject}, due {self.due_at:%Y-%m-%d %H:%M} UTC"

    @property
    def is_outstanding(self):
        return self.state in OUTSTANDING_STATES

    @property
    def audit_drafting_stage(self):
        """A duty USPS cannot see yet belongs to a draft: its events are the provider's."""
        return not self.usps_visible
