from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.utils import html

from compliance.api.fields import AwareDateTimeField, VisiblePrimaryKeyRelatedField
from compliance.models import Affiliate, PESModel
from incidents.models import Attachment, Incident, IncidentVersion, RiskStatement
from incidents.services.validation import MAX_PES_MODELS, MAX_RISK_STATEMENTS, TOO_MANY


class RiskStatementSerializer(serializers.ModelSerializer):
    pes_model = VisiblePrimaryKeyRelatedField(queryset=PESModel.objects.all(),
                                              help_text="An affected PES model of the provider.")

    class Meta:
        model = RiskStatement
        fields = ["pes_model", "nature_of_risk", "effect_on_pes"]


class IncidentSerializer(serializers.ModelSerializer):
    discovered_at = AwareDateTimeField(help_text="When discovered, with its UTC offset; "
                                                 "not in the future.")
    discovery_timezone = serializers.CharField(
        max_length=64, help_text="The IANA zone the discoverer stated, e.g. America/New_York.")
    discovered_by_affiliate = VisiblePrimaryKeyRelatedField(
        queryset=Affiliate.objects.all(), allow_null=True, required=False,
        help_text="The affiliate that discovered it, or null for the provider itself.")
    pes_models = VisiblePrimaryKeyRelatedField(
        queryset=PESModel.objects.all(), many=True, required=False,
        help_text=f"Affected PES models of the provider; at least one for test findings and "
                  f"security weaknesses, at most {MAX_PES_MODELS}.")
    risk_statements = RiskStatementSerializer(
        many=True, required=False, max_length=MAX_RISK_STATEMENTS,
        help_text="For cyber attacks, at least one: the nature of each material risk and "
                  f"how it affects a named PES model; at most {MAX_RISK_STATEMENTS}.")
    notification_due_at = AwareDateTimeField(read_only=True)
    submitted_at = AwareDateTimeField(read_only=True)
    created_at = AwareDateTimeField(read_only=True)
    updated_at = AwareDateTimeField(read_only=True)
    version = serializers.IntegerField(source="current_version", read_only=True,
                                       help_text="The newest filed version; 0 for a draft.")

    class Meta:
        model = Incident
        fields = [
            "id", "reference", "provider", "category", "subtype", "title", "description",
            "discovered_at", "discovery_timezone", "discovered_by_affiliate",
            "discovered_by_name", "pes_models", "risk_statements", "status",
            "notification_due_at", "submitted_at", "is_late", "late_reason", "revenue_risk",
            "version", "created_at", "updated_at",
        ]
        read_only_fields = ["reference", "provider", "status", "is_late", "late_reason",
                            "revenue_risk"]
        extra_kwargs = {
            "title": {"help_text": "One line: a line break or tab reads as a space, and "
                                   "invisible format characters are left out."},
            "discovered_by_name": {"help_text": "Who discovered it; one line, as the title."},
        }

    def to_internal_value(self, data):
        """A list longer than an incident may hold is refused before each of its items is
        looked up (a body of a hundred thousand ids would be as many queries); so is an
        object where a list belongs (DRF would look up each of its keys)."""
        refused = {}
        for field, most in (("pes_models", MAX_PES_MODELS),
                            ("risk_statements", MAX_RISK_STATEMENTS)):
            items = _sent(data, field)
            if isinstance(items, dict):
                refused[field] = ['Expected a list of items but got type "dict".']
            elif isinstance(items, list) and len(items) > most:
                refused[field] = [TOO_MANY[field]]
        if refused:
            raise serializers.ValidationError(refused)
        return super().to_internal_value(data)


def _sent(data, field):
    """The list sent as `field`: of a JSON body, or of a form body (ids repeated, risk
    statements as `risk_statements[0]pes_model`, ...); None when not sent."""
    if hasattr(data, "getlist"):
        if field == "risk_statements":
            try:
                return html.parse_html_list(data, prefix=field, default=None)
            except ValueError:  # an index too long to read as a number
                raise serializers.ValidationError({field: [
                    "Number the risk statements risk_statements[0], risk_statements[1], "
                    "and so on."]}) from None
        return data.getlist(field) if field in data else None
    return data.get(field) if isinstance(data, dict) else None


class SubmitSerializer(serializers.Serializer):
    late_reason = serializers.CharField(
        required=False, allow_blank=True,
        help_text="Why the notification is filed after its 24-hour due time (required then).")


class AmendmentSerializer(IncidentSerializer):
    """The changed fields and the reason: every field but the reason may be left out (the
    published schema says so too, as the endpoint reads it)."""

    amendment_reason = serializers.CharField(help_text="Why the filing is amended.")

    class Meta(IncidentSerializer.Meta):
        fields = [
            "category", "subtype", "title", "description", "discovered_at",
            "discovery_timezone", "discovered_by_affiliate", "discovered_by_name",
            "pes_models", "risk_statements", "amendment_reason",
        ]
        read_only_fields = []

    def get_fields(self):
        fields = super().get_fields()
        for name, field in fields.items():
            if name != "amendment_reason":
                field.required = False
        return fields


class ReceiptSerializer(serializers.ModelSerializer):
    """What both sides keep of a filing: reference, version, server time and content hash."""

    reference = serializers.CharField(source="incident.reference")
    version = serializers.IntegerField(source="number")
    submitted_at = AwareDateTimeField()

    class Meta:
        model = IncidentVersion
        fields = ["reference", "version", "submitted_at", "sha256"]


class IncidentVersionSerializer(serializers.ModelSerializer):
    version = serializers.IntegerField(source="number")
    submitted_at = AwareDateTimeField()
    submitted_by = serializers.CharField(source="submitted_by.username")
    changes = serializers.JSONField(
        help_text="{field: [before, after]} against the previous version; empty for version 1.")
    content = serializers.JSONField(source="document",
                                    help_text="The filed document the hash is taken of.")

    class Meta:
        model = IncidentVersion
        fields = ["version", "submitted_at", "sha256", "submitted_by", "amendment_reason",
                  "changes", "content"]


class AttachmentSerializer(serializers.ModelSerializer):
    uploaded_at = AwareDateTimeField()
    uploaded_by = serializers.CharField(source="uploaded_by.username")
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "name", "size", "sha256", "content_type", "uploaded_at", "uploaded_by",
                  "download_url"]

    @extend_schema_field(OpenApiTypes.URI)
    def get_download_url(self, obj) -> str:
        path = reverse("api-incident-attachment-download", args=[obj.incident_id, obj.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class AttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="PDF, PNG, JPEG, plain text (.txt, .log), CSV or e-mail (.eml).")
