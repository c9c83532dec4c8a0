"""API: a provider's internal reporting procedures, § 501.11(d)."""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from compliance import services
from compliance.api.fields import SaneDateField
from compliance.api.filters import ProcedureDocumentFilter
from compliance.api.idempotency import idempotency_key, key_parameter, made_once
from compliance.api.parsers import UPLOAD_PARSERS
from compliance.exports.api import CsvListMixin
from compliance.models import ProcedureDocument
from compliance.sent_once import digest_of
from compliance.uploads import file_sha256
from incidents.api.views import AnyContentNegotiation

from .downloads import procedures_response


class ProcedureDocumentSerializer(serializers.ModelSerializer):
    file = serializers.FileField(write_only=True)
    effective_date = SaneDateField(help_text="From when these procedures apply (YYYY-MM-DD).")
    name = serializers.CharField(source="original_name", read_only=True)
    uploaded_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    reviewed_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    download_url = serializers.SerializerMethodField()
    superseded_by = serializers.SerializerMethodField(
        help_text="The later version USPS accepted, which supersedes this one: a `pending` "
                  "version superseded no longer waits on USPS. Null when none has been.")

    class Meta:
        model = ProcedureDocument
        fields = ["id", "provider", "version", "file", "name", "size", "sha256",
                  "content_type", "effective_date", "summary_of_changes", "uploaded_by",
                  "uploaded_at", "review_state", "reviewed_by", "reviewed_at",
                  "review_comment", "download_url", "superseded_by"]
        read_only_fields = ["id", "provider", "version", "name", "size", "sha256",
                            "content_type", "uploaded_by", "uploaded_at", "review_state",
                            "reviewed_by", "reviewed_at", "review_comment"]

    def get_superseded_by(self, document) -> int | None:
        # Read by the list's annotation; a version just filed is superseded by none.
        return getattr(document, "superseded_by", None)

    @extend_schema_field(OpenApiTypes.URI)
    def get_download_url(self, document) -> str:
        """The file through the API, for a token as for a session."""
        path = reverse("api-procedures-download", args=[document.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


@extend_schema(tags=["procedures"])
class ProcedureDocumentListView(CsvListMixin, generics.ListCreateAPIView):
    """Versions of internal reporting procedures in the caller's scope, newest first;
    provider officers upload a new version (multipart `file`)."""

    serializer_class = ProcedureDocumentSerializer
    parser_classes = UPLOAD_PARSERS
    filterset_class = ProcedureDocumentFilter

    def get_queryset(self):
        return (ProcedureDocument.objects.visible_to(self.request.user).with_superseded_by()
                .select_related("uploaded_by", "reviewed_by").order_by("provider_id", "-version"))

    @extend_schema(parameters=[key_parameter(
                       "with the same file and fields answers the version the first filed, "
                       "and files nothing more; the key sent with another version answers "
                       "409 and changes nothing.")],
                   responses={201: ProcedureDocumentSerializer, 409: OpenApiResponse(
                       description="The Idempotency-Key was sent with another version.")})
    def create(self, request, *args, **kwargs):
        if not request.user.is_provider_officer:
            raise PermissionDenied("Only provider compliance officers file procedures.")
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        summary = data.get("summary_of_changes", "")
        # Versions are never removed, and each one waits for USPS's review: a retry files
        # no second.
        document, _ = made_once(
            request, idempotency_key(request), "procedures version",
            digest_of(data["file"].name, file_sha256(data["file"]), data["effective_date"],
                      summary),
            lambda: services.upload_procedures(
                actor=request.user, provider=request.user.provider, uploaded_file=data["file"],
                effective_date=data["effective_date"], summary_of_changes=summary),
            lambda pk: ProcedureDocument.objects.visible_to(request.user).filter(
                pk=pk).first())
        return Response(self.get_serializer(document).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["procedures"])
class ProcedureDocumentDownloadView(generics.GenericAPIView):
    """A version's file, as `Content-Disposition: attachment`; 404 outside the caller's
    scope."""

    content_negotiation_class = AnyContentNegotiation
    serializer_class = None

    @extend_schema(responses={(200, "*/*"): OpenApiTypes.BINARY})
    def get(self, request, pk):
        return procedures_response(get_object_or_404(
            ProcedureDocument.objects.visible_to(request.user), pk=pk))
