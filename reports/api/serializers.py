from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from compliance.api.fields import AwareDateTimeField, SaneDateField
from incidents.api.serializers import ReceiptSerializer
from reports.models import Report, ReportKind, ReportReview, ReportVersion


def _content_fields(required=False):
    """The content fields of every kind; the service refuses those of another kind."""
    text = {"required": required, "allow_blank": True, "max_length": 50_000}
    return {
        "circumstances": serializers.CharField(
            help_text="Written report: the circumstances of the discovery.", **text),
        "investigative_procedure": serializers.CharField(
            help_text="Written report: the proposed investigative procedure.", **text),
        "anticipated_completion_date": SaneDateField(
            required=required, allow_null=True,
            help_text="Written and status reports: when the investigation is expected to "
                      "end (YYYY-MM-DD, not in the past when filed). The final summary is "
                      "due at the end of that day in the provider's time zone."),
        "progress": serializers.CharField(help_text="Status report: progress made.", **text),
        "findings": serializers.CharField(
            help_text="Final summary: the investigative findings.", **text),
        "root_cause": serializers.CharField(help_text="Final summary: the root cause.", **text),
        "corrective_actions": serializers.CharField(
            help_text="Final summary: the corrective actions taken.", **text),
    }


class ContentSerializer(serializers.Serializer):
    """Report content: only the fields of the report's kind."""

    def get_fields(self):
        return {**_content_fields(), **super().get_fields()}


class ReportCreateSerializer(ContentSerializer):
    kind = serializers.ChoiceField(choices=ReportKind.choices)
    draft = serializers.BooleanField(
        default=False, help_text="Only save a draft (private to the provider); file later "
                                 "with POST /api/v1/reports/{id}/submit/.")


class ReportReceiptSerializer(ReceiptSerializer):
    """The receipt of a report filing, shaped like the notification's."""

    reference = serializers.CharField(source="report.reference")

    class Meta(ReceiptSerializer.Meta):
        model = ReportVersion


class ReportReviewSerializer(serializers.ModelSerializer):
    version = serializers.IntegerField(source="version.number")
    reviewer = serializers.CharField(source="reviewer.username")
    decided_at = AwareDateTimeField()
    resubmission_due_at = AwareDateTimeField(
        allow_null=True, help_text="The corrected version's due time as the return set it.")
    resubmission_obligation = serializers.PrimaryKeyRelatedField(
        read_only=True, help_text="The duty to file the corrected version "
        "(/api/v1/obligations/{id}/), when returned.")
    resubmission_obligation_due_at = AwareDateTimeField(
        source="resubmission_obligation.due_at", read_only=True, allow_null=True,
        help_text="That duty's due time in force: later than the return set it when USPS "
                  "has granted more time or a re-triage moved it.")

    class Meta:
        model = ReportReview
        fields = ["version", "decision", "reviewer", "decided_at", "comment",
                  "resubmission_due_at", "resubmission_obligation",
                  "resubmission_obligation_due_at"]


class ReportSerializer(serializers.ModelSerializer):
    incident_reference = serializers.CharField(source="incident.reference", read_only=True)
    # A plain string here, so the schema has one `kind` enum for reports (the request's).
    kind = serializers.CharField(read_only=True, help_text="written, status or final")
    version = serializers.IntegerField(source="current_version", read_only=True,
                                       help_text="The newest filed version; 0 for a draft.")
    submitted_at = AwareDateTimeField(read_only=True)
    decided_at = AwareDateTimeField(read_only=True)
    created_at = AwareDateTimeField(read_only=True)
    updated_at = AwareDateTimeField(read_only=True)
    receipt = serializers.SerializerMethodField(help_text="The newest filing's receipt.")
    reviews = ReportReviewSerializer(many=True, read_only=True,
                                     help_text="USPS's decisions, oldest first.")

    class Meta:
        model = Report
        fields = ["id", "reference", "incident", "incident_reference", "kind", "state",
                  "circumstances", "investigative_procedure", "anticipated_completion_date",
                  "progress", "findings", "root_cause", "corrective_actions", "version",
                  "submitted_at", "decided_at", "receipt", "reviews", "created_at",
                  "updated_at"]
        read_only_fields = fields

    @extend_schema_field(ReportReceiptSerializer(allow_null=True))
    def get_receipt(self, obj):
        versions = [v for v in obj.versions.all() if v.number == obj.current_version]
        return ReportReceiptSerializer(versions[0]).data if versions else None


class ReportVersionSerializer(serializers.ModelSerializer):
    version = serializers.IntegerField(source="number")
    submitted_at = AwareDateTimeField()
    submitted_by = serializers.CharField(source="submitted_by.username")
    changes = serializers.JSONField(
        help_text="{field: [before, after]} against the previous version; empty for version 1.")
    content = serializers.JSONField(source="document",
                                    help_text="The filed document the hash is taken of.")

    class Meta:
        model = ReportVersion
        fields = ["version", "submitted_at", "sha256", "submitted_by", "obligation", "changes",
                  "content"]


class _ReadVersion(serializers.Serializer):
    version = serializers.IntegerField(
        required=False, min_value=1, max_value=2_147_483_647,
        help_text="Optional: the version read. Another filed since answers 409.")


class AcceptSerializer(_ReadVersion):
    comment = serializers.CharField(required=False, allow_blank=True,
                                    help_text="Shared with the provider's officers.")


class ReturnSerializer(_ReadVersion):
    comment = serializers.CharField(allow_blank=True,
                                    help_text="What the provider must correct; shared with "
                                              "the provider's officers.")
    resubmission_due_at = AwareDateTimeField(
        required=False, allow_null=True,
        help_text="When the corrected version is due; by default the deadline policy's "
                  "written-report window for the case's revenue risk after now.")
