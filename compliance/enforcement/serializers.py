"""The API's shapes for the compliance record and for proceedings, their steps and notes."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from compliance.api.fields import MAX_ID, SaneDateField, VisiblePrimaryKeyRelatedField
from compliance.models import (
    Outcome,
    Proceeding,
    ProceedingKind,
    ProceedingNote,
    ProceedingStep,
    ProceedingStepVersion,
    Provider,
    RevenueRisk,
    StepKind,
)
from compliance.models.obligations import RECORD_KINDS
from compliance.models.register import AuthorizationStatus

from . import services

# --- The compliance record ---------------------------------------------------------

class RecordQuerySerializer(serializers.Serializer):
    """`?from=YYYY-MM-DD&to=YYYY-MM-DD`: whole days in the provider's time zone, both
    included; one alone reads the 365 days beside it (never past today), neither the last
    365 days to today."""

    to = SaneDateField(required=False)

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = SaneDateField(required=False)  # a keyword in Python
        return fields

    def validate(self, attrs):
        if attrs.get("from") and attrs.get("to") and attrs["from"] > attrs["to"]:
            raise serializers.ValidationError({"from": ["Give a first day before the last."]})
        return attrs


# The clauses of a compliance record (named `RecordKindEnum` in the schema).
RECORD_KIND_CHOICES = [(k.value, k.label) for k in RECORD_KINDS]


class ClauseFiguresSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=RECORD_KIND_CHOICES)
    label = serializers.CharField()
    clause = serializers.CharField()
    owed = serializers.IntegerField(help_text="Duties whose original due time is in the period.")
    met = serializers.IntegerField(help_text="Met on time.")
    late = serializers.IntegerField(help_text="Met after the due time.")
    missed = serializers.IntegerField(help_text="Due, and still not met.")
    waived = serializers.IntegerField()
    extended = serializers.IntegerField(help_text=(
        "Given more time by USPS on a request (a granted extension); a due time the "
        "provider revised itself, or USPS moved at triage, is not counted."))
    open = serializers.IntegerField(help_text="Not yet due.")


class HoursSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Notifications filed.")
    median = serializers.FloatField(allow_null=True)
    max = serializers.FloatField(allow_null=True)


class AgeSerializer(serializers.Serializer):
    median = serializers.FloatField(allow_null=True)
    max = serializers.FloatField(allow_null=True)


class ComplianceRecordSerializer(serializers.Serializer):
    provider = serializers.IntegerField()
    to = serializers.DateField()
    clauses = ClauseFiguresSerializer(many=True)
    notification_hours = HoursSerializer(
        help_text="Hours from discovery to the filing of the notification.")
    open_cases = serializers.IntegerField(
        help_text="Cases filed and not closed at the end of the period (or now).")
    open_case_age_days = AgeSerializer(help_text="Their age in days since filing.")
    open_cases_at = serializers.DateTimeField()

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.DateField()
        return fields


# --- Proceedings -----------------------------------------------------------------------

class VersionSerializer(serializers.ModelSerializer):
    version = serializers.IntegerField(source="number")
    submitted_by = serializers.SlugRelatedField(slug_field="username", read_only=True,
                                                allow_null=True)
    canonical_json = serializers.CharField(
        help_text="The document exactly as hashed (UTF-8): re-hash it to check `sha256`.")

    class Meta:
        model = ProceedingStepVersion
        fields = ["version", "submitted_at", "submitted_by", "sha256", "amendment_reason",
                  "changes", "canonical_json"]


def _blank_choice(choices, help_text):
    """A read-only choice that may be empty (""), documented so."""
    return serializers.ChoiceField(choices=choices, allow_blank=True, read_only=True,
                                   help_text=help_text)


class StepSerializer(serializers.ModelSerializer):
    outcome = _blank_choice(Outcome.choices, "A decision's outcome; empty for other steps.")
    to_status = _blank_choice(AuthorizationStatus.choices,
                              "The authorization status the step brings, if any.")
    issued_by = serializers.SlugRelatedField(slug_field="username", read_only=True,
                                             allow_null=True)
    version = serializers.IntegerField(source="current_version", read_only=True)
    sha256 = serializers.SerializerMethodField()
    period_due_at = serializers.DateTimeField(source="period.due_at", read_only=True,
                                              allow_null=True)
    versions = VersionSerializer(many=True, read_only=True)

    class Meta:
        model = ProceedingStep
        fields = ["id", "number", "kind", "side", "body", "outcome", "days", "effective_at",
                  "to_status", "status_applied_at", "is_late", "late_reason", "issued_by",
                  "issued_at", "version", "sha256", "period", "period_due_at", "answered",
                  "versions"]
        read_only_fields = fields

    def get_sha256(self, step) -> str:
        """The hash of the newest version: the receipt."""
        return max(step.versions.all(), key=lambda v: v.number).sha256


def opening_version(proceeding):
    """Version 1 of the first step: the notice that froze the cited record (read from the
    prefetched steps and versions)."""
    first = min(proceeding.steps.all(), key=lambda s: s.number)
    return min(first.versions.all(), key=lambda v: v.number)


class ProceedingSerializer(serializers.ModelSerializer):
    revenue_risk = _blank_choice(RevenueRisk.choices,
                                 "What a suspension's correction period follows.")
    outcome = _blank_choice(Outcome.choices, "USPS's decision, once taken.")
    opened_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    obligations = serializers.PrimaryKeyRelatedField(source="cited_obligations", many=True,
                                                     read_only=True)
    incidents = serializers.ListField(source="cited_case_ids", child=serializers.IntegerField(),
                                      read_only=True)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True,
                                      allow_null=True)
    sha256 = serializers.SerializerMethodField()
    evidence = serializers.SerializerMethodField()
    next_steps = serializers.SerializerMethodField()
    steps = StepSerializer(many=True, read_only=True)

    class Meta:
        model = Proceeding
        fields = ["id", "reference", "provider", "kind", "state", "grounds", "willful",
                  "revenue_risk", "correction_period_days", "sanction", "amount", "outcome",
                  "pes_models", "obligations", "incidents", "suspension_days",
                  "suspension_ends_at", "opened_by", "opened_at", "closed_at", "sha256",
                  "evidence", "next_steps", "steps"]
        read_only_fields = fields

    def get_sha256(self, proceeding) -> str:
        """The hash of the opening notice (version 1), which froze the cited record."""
        return opening_version(proceeding).sha256

    @extend_schema_field({"type": "object", "additionalProperties": True})
    def get_evidence(self, proceeding):
        """The cited duties and cases as the record showed them when it opened."""
        return opening_version(proceeding).content.get("evidence", {})

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(
        choices=StepKind.choices)))
    def get_next_steps(self, proceeding):
        """The steps the caller may issue now."""
        return services.may_issue(self.context["request"].user, proceeding)


class ProceedingRowSerializer(serializers.ModelSerializer):
    """A proceeding as one CSV row: its terms and state, and the opening notice's hash."""

    opened_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    sha256 = serializers.SerializerMethodField()

    class Meta:
        model = Proceeding
        fields = ["id", "reference", "provider", "kind", "state", "outcome", "willful",
                  "revenue_risk", "correction_period_days", "sanction", "amount",
                  "suspension_days", "suspension_ends_at", "opened_by", "opened_at",
                  "closed_at", "sha256"]
        read_only_fields = fields

    def get_sha256(self, proceeding) -> str:
        return opening_version(proceeding).sha256


def _ids(help_text):
    return serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
                                 required=False, default=list, max_length=500,
                                 help_text=help_text)


class ProceedingCreateSerializer(serializers.Serializer):
    provider = VisiblePrimaryKeyRelatedField(queryset=Provider.objects.all())
    kind = serializers.ChoiceField(choices=ProceedingKind.choices)
    grounds = serializers.CharField(help_text="The deficiencies, or the grounds of the "
                                              "sanction; the first notice's text.")
    obligations = _ids("Cited duties of the provider (missed or met late).")
    incidents = _ids("Cited cases (filed incidents of the provider).")
    pes_models = _ids("PES models of the provider the proceeding is limited to.")
    willful = serializers.BooleanField(required=False, default=False,
                                       help_text="A willful violation: no correction period.")
    correction_period_days = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1, max_value=365,
        help_text="Days to correct; by default the policy's for the revenue risk.")
    revenue_risk = serializers.ChoiceField(
        choices=RevenueRisk.choices, required=False, allow_blank=True, default="",
        help_text="What the correction period follows; by default the gravest risk among "
                  "the cited cases.")
    sanction = serializers.CharField(required=False, allow_blank=True, default="",
                                     help_text="What a written demand demands.")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, required=False,
                                      allow_null=True, default=None, min_value=0,
                                      help_text="Revenue losses to recover, in US dollars.")


class StepCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=StepKind.choices)
    body = serializers.CharField(help_text="The text of the notice, decision or answer.")
    late_reason = serializers.CharField(
        required=False, allow_blank=True, default="",
        help_text="Why the provider's answer comes after its period (required then).")
    effective_date = SaneDateField(
        required=False, allow_null=True, default=None,
        help_text="When a notice of suspension, a revocation or a reinstatement takes "
                  "effect (the provider's time zone; today or later).")
    outcome = serializers.ChoiceField(
        choices=Outcome.choices, required=False, allow_blank=True, default="",
        help_text="A decision: `suspend` or `revoke` (suspension), `impose` (sanction); "
                  "on appeal: `affirm` or `reverse`.")
    days = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1, max_value=3650,
        help_text="A suspension's length (default the policy's), or the days an extension "
                  "adds.")
    after = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=0,
        help_text="The number of the last step the caller read: a step filed since answers "
                  "409, unless it is this very step sent again (answered as filed).")


class AmendSerializer(serializers.Serializer):
    body = serializers.CharField()
    amendment_reason = serializers.CharField()
    based_on = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1,
        help_text="The version the caller read: a version filed since answers 409, unless "
                  "it is this very amendment sent again (answered as filed).")


class NoteSerializer(serializers.ModelSerializer):
    author = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = ProceedingNote
        fields = ["id", "author", "body", "created_at"]
        read_only_fields = ["id", "author", "created_at"]
