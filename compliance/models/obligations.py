from django.db import models
from django.db.models import F, Q

from compliance.aggregates import until

from .scoping import ProviderScopedQuerySet


class ObligationKind(models.TextChoices):
    NOTIFICATION = "notification", "24-hour notification"
    WRITTEN_REPORT = "written_report", "Written report"
    STATUS_REPORT = "status_report", "Status report"
    FINAL_SUMMARY = "final_summary", "Final summary"
    PROCEDURES = "procedures", "Internal reporting procedures"
    # A provider's periods in an enforcement proceeding (§ 501.6, § 501.12).
    PROCEEDING_CORRECTION = "proceeding_correction", "Correction of deficiencies"
    PROCEEDING_DEFENSE = "proceeding_defense", "Defense"
    PROCEEDING_APPEAL = "proceeding_appeal", "Appeal"
    # USPS's own targets: what waits on USPS, internal to USPS (never shown to providers).
    USPS_TRIAGE = "usps_triage", "Triage (USPS target)"
    USPS_REPORT_REVIEW = "usps_report_review", "Report review (USPS target)"
    USPS_EXTENSION_DECISION = "usps_extension_decision", "Extension decision (USPS target)"
    USPS_PROCEDURES_REVIEW = "usps_procedures_review", "Procedures review (USPS target)"
    USPS_PROCEEDING_DECISION = "usps_proceeding_decision", "Proceeding decision (USPS target)"


# The duties of a provider under § 501.11: what its compliance record is made of.
RECORD_KINDS = (ObligationKind.NOTIFICATION, ObligationKind.WRITTEN_REPORT,
                ObligationKind.STATUS_REPORT, ObligationKind.FINAL_SUMMARY,
                ObligationKind.PROCEDURES)
# The periods a provider acts within in a proceeding against it.
PROCEEDING_KINDS = (ObligationKind.PROCEEDING_CORRECTION, ObligationKind.PROCEEDING_DEFENSE,
                    ObligationKind.PROCEEDING_APPEAL)
# Everything a provider owes, and the targets USPS sets itself.
PROVIDER_KINDS = RECORD_KINDS + PROCEEDING_KINDS
USPS_KINDS = (ObligationKind.USPS_TRIAGE, ObligationKind.USPS_REPORT_REVIEW,
              ObligationKind.USPS_EXTENSION_DECISION, ObligationKind.USPS_PROCEDURES_REVIEW,
              ObligationKind.USPS_PROCEEDING_DECISION)
USPS_TARGET = "USPS target"

CLAUSES = {
    ObligationKind.NOTIFICATION: "§ 501.11(b)",
    ObligationKind.WRITTEN_REPORT: "§ 501.11(c)",
    ObligationKind.STATUS_REPORT: "§ 501.11(c)",
    ObligationKind.FINAL_SUMMARY: "§ 501.11(c)",
    ObligationKind.PROCEDURES: "§ 501.11(d)",
    # A proceeding's periods fall under its own section (§ 501.6 or § 501.12): the
    # proceeding names it when it opens one.
    ObligationKind.PROCEEDING_CORRECTION: "§ 501.6",
    ObligationKind.PROCEEDING_DEFENSE: "§ 501.6",
    ObligationKind.PROCEEDING_APPEAL: "§ 501.6",
    **{kind: USPS_TARGET for kind in USPS_KINDS},
}


class ObligationState(models.TextChoices):
    OPEN = "open", "Open"
    MET = "met", "Met"
    LATE = "late", "Met late"
    MISSED = "missed", "Missed"
    WAIVED = "waived", "Waived"


# States in which the duty is still owed: open (not yet due) and missed (due, not met) ...
OUTSTANDING_STATES = (ObligationState.OPEN, ObligationState.MISSED)
# ... until its case closes or its proceeding goes on: a duty missed by then stays missed
# (the record of it is permanent) and is owed no more (`closed_at`).
OWED = Q(state__in=OUTSTANDING_STATES, closed_at__isnull=True)

KIND_LABELS = dict(ObligationKind.choices)
STATE_LABELS = dict(ObligationState.choices)


class ObligationQuerySet(ProviderScopedQuerySet):
    def visible_to(self, user):
        """Provider staff see their provider's duties and never a USPS target; USPS sees
        those of filed cases only, and its own targets."""
        qs = super().visible_to(user)
        if not user.is_authenticated:
            return qs
        if user.is_usps:
            return qs.filter(usps_visible=True)
        return qs.filter(kind__in=PROVIDER_KINDS)

    def outstanding(self):
        return self.filter(OWED)

    def provider_duties(self):
        """What providers owe (their § 501.11 duties and their periods in proceedings),
        never USPS's own targets."""
        return self.filter(kind__in=PROVIDER_KINDS)

    def record_duties(self):
        """Duties under § 501.11 USPS knows of (filed cases): what compliance records,
        on-time rates and counts are made of."""
        return self.filter(kind__in=RECORD_KINDS, usps_visible=True)

    def usps_targets(self):
        return self.filter(kind__in=USPS_KINDS)


def duty_name(kind, subject):
    """A duty as its audit events name it: "Written report for PES-2026-00001: …"."""
    return f"{ObligationKind(kind).label} for {subject}"


class Obligation(models.Model):
    """A duty of a provider under § 501.11 with a due time: the ledger the clocks run on.

    `incident_id` names the incident (of the incidents app) the duty belongs to, if any;
    the compliance app knows no other app, so it is a plain id, not a foreign key.
    """

    kind = models.CharField(max_length=30, choices=ObligationKind.choices)
    clause = models.CharField(max_length=20)
    provider = models.ForeignKey(
        "compliance.Provider", on_delete=models.PROTECT, related_name="obligations"
    )
    incident_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    object_id = models.BigIntegerField(
        null=True, blank=True,
        help_text="USPS targets: the id of what waits on USPS (the incident to triage, the "
                  "report to review, the extension request or the procedures version); "
                  "a proceeding's periods: the proceeding's id.")
    filed_late = models.BooleanField(
        default=False, help_text="USPS targets: the provider filed what waits after its own "
                                 "due time.")
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
    waived_at = models.DateTimeField(
        null=True, blank=True,
        help_text="When USPS waived the duty (or its case's closing did): owed until then.")
    closed_at = models.DateTimeField(
        null=True, blank=True,
        help_text="When the duty stopped being owed, unmet, because its case closed or its "
                  "proceeding went on: an open one is waived then, a missed one stays missed.")
    # With a database default, as bulk loads write rows without it.
    closed_reason = models.TextField(blank=True, default="", db_default="")
    usps_visible = models.BooleanField(
        default=True, help_text="False while the incident is a draft the provider has not filed."
    )
    reviewer = models.ForeignKey(
        "compliance.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="The USPS reviewer assigned to the case; escalations (and USPS targets' "
                  "reminders) go to them.",
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
            # Metrics: duties by the month of their original due time, and duties owed at
            # an instant as one range (met or closed at or after it, or neither); each
            # with the columns the figures read, so the index answers alone.
            models.Index(fields=["original_due_at", "kind", "clause", "state",
                                 "usps_visible", "provider"], name="obligation_original_due"),
            # (PostgreSQL answers from the index alone only when it holds each column the
            # expression reads, met_at and closed_at among them.)
            models.Index(until("met_at", "closed_at", "waived_at"), F("created_at"), F("state"),
                         F("kind"), F("usps_visible"), F("provider"), F("incident_id"),
                         F("met_at"), F("closed_at"), F("waived_at"),
                         name="obligation_owed_until"),
            # The USPS inbox: what still waits on USPS, nearest target first.
            models.Index(fields=["due_at"], name="obligation_usps_waiting",
                         condition=OWED & Q(kind__in=[k.value for k in USPS_KINDS])),
            models.Index(fields=["kind", "object_id"], name="obligation_usps_object",
                         condition=Q(object_id__isnull=False)),
            # What is still owed (OWED), nearest due first, with the columns the questions
            # about it read, so the index answers alone: everything owed and whether past
            # due (the home page) ...
            models.Index(fields=["due_at", "incident_id", "kind", "usps_visible", "provider"],
                         name="obligation_outstanding_due",
                         condition=OWED),
            # ... how much USPS sees owed in all (its home page counts it) ...
            models.Index(fields=["kind"], name="obligation_owed_kind",
                         condition=OWED & Q(usps_visible=True)),
            # ... what one provider owes (its staff's home page) ...
            models.Index(fields=["provider", "due_at", "kind"],
                         name="obligation_outstanding_owner",
                         condition=OWED),
            # ... and what is owed on each case: the case clock's three times, which its
            # triggers read again whenever one of the case's duties changes
            # (incidents/clock.py), and the queue's kind of the next duty.
            models.Index(fields=["incident_id", "due_at", "kind", "created_at", "usps_visible"],
                         name="obligation_owed_on_case",
                         condition=OWED & Q(incident_id__isnull=False)),
        ]

    def __str__(self):
        # No time here: the text is kept in audit events and read in each viewer's zone.
        return duty_name(self.kind, self.subject)

    # The labels of the kind and the state, which every row of a list of duties shows, read
    # from tables made once (Django's own get_FOO_display makes the table on each call).
    def get_kind_display(self):
        return KIND_LABELS.get(self.kind, self.kind)

    def get_state_display(self):
        return STATE_LABELS.get(self.state, self.state)

    @property
    def is_outstanding(self):
        return self.state in OUTSTANDING_STATES and self.closed_at is None

    @property
    def standing(self):
        """How a duty no longer owed stands, after "An obligation …" in a refusal."""
        if self.state == ObligationState.MISSED and self.closed_at is not None:
            return "that was missed and is closed"
        return f"that is {self.get_state_display().lower()}"

    @property
    def is_usps_target(self):
        return self.kind in USPS_KINDS

    @property
    def proceeding_id(self):
        """The proceeding a period of one belongs to (its USPS target's too), else None."""
        in_proceeding = (self.kind in PROCEEDING_KINDS
                         or self.kind == ObligationKind.USPS_PROCEEDING_DECISION)
        return self.object_id if in_proceeding else None

    @property
    def audit_drafting_stage(self):
        """A duty USPS cannot see yet belongs to a draft: its events are the provider's."""
        return not self.usps_visible
