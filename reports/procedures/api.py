"""API: a provider's internal reporting procedures, § 501.11(d)."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import generics, parsers, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from compliance import services
from compliance.api.fields import SaneDateField, id_from
from compliance.exports.api import CsvListMixin
from compliance.models import ProcedureDocument


class ProcedureDocumentSerializer(serializers.ModelSerializer):
    file = serializers.FileField(write_only=True)
    effective_date = SaneDateField(help_text="From when these procedures apply (YYYY-MM-DD).")
    name = serializers.CharField(source="original_name", read_only=True)
    uploaded_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    reviewed_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ProcedureDocument
        fields = ["id", "provider", "version", "file", "name", "size", "sha256",
                  "content_type", "effective_date", "summary_of_changes", "uploaded_by",
                  "uploaded_at", "review_state", "reviewed_by", "reviewed_at",
                  "review_comment", "download_url"]
        read_only_fields = ["id", "provider", "version", "name", "size", "sha256",
                            "content_type", "uploaded_by", "uploaded_at", "review_state",
                            "reviewed_by", "reviewed_at", "review_comment"]

    def get_download_url(self, document) -> str:
        return reverse("procedures-download", args=[document.pk])


@extend_schema(tags=["procedures"])
class ProcedureDocumentListView(CsvListMixin, generics.ListCreateAPIView):
    """Versions of internal reporting procedures in the caller's scope, newest first;
    provider officers upload a new version (multipart `file`)."""

    serializer_class = ProcedureDocumentSerializer
    parser_classes = [parsers.MultiPartParser, parsers.FormParser]

    def get_queryset(self):
        qs = ProcedureDocument.objects.visible_to(self.request.user).select_related(
            "uploaded_by", "reviewed_by")
        provider_id = id_from(self.request.query_params.get("provider"))
        if provider_id is not None:
            qs = qs.filter(provider_id=provider_id)
        return qs.order_by("provider_id", "-version")

    def create(self, request, *args, **kwargs):
        if not request.user.is_provider_officer:
            raise PermissionDenied("Only provider compliance officers file procedures.")
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        document = services.upload_procedures(actor=request.user, provider=request.user.provider,
            uploaded_file=data["file"], effective_date=data["effective_date"],
            summary_of_changes=data.get("summary_of_changes", ""))
        return Response(self.get_serializer(document).data, status=status.HTTP_201_CREATED)
