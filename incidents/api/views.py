from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import SAFE_METHODS, IsAuthenticated
from rest_framework.response import Response

from compliance.api.idempotency import idempotency_key, key_parameter, made_once
from compliance.api.pagination import FewRowsPagination
from compliance.api.parsers import UPLOAD_PARSERS
from compliance.errors import Conflict
from compliance.exports.api import CsvListMixin
from compliance.sent_once import digest_of
from compliance.uploads import file_sha256
from incidents import counts, services
from incidents.downloads import attachment_response
from incidents.filters import IncidentFilter
from incidents.models import Attachment, Incident, IncidentVersion, RiskStatement

from . import listing
from .permissions import OfficersOfTheProviderWrite
from .serializers import (
    AmendmentSerializer,
    AttachmentSerializer,
    AttachmentUploadSerializer,
    IncidentSerializer,
    IncidentVersionSerializer,
    ReceiptSerializer,
    SubmitSerializer,
)


def with_relations(incidents):
    """`incidents` with what `IncidentSerializer` reads of their relations."""
    return incidents.select_related("provider", "discovered_by_affiliate").prefetch_related(
        "pes_models",
        Prefetch("risk_statements", queryset=RiskStatement.objects.order_by("position")),
    )


def incidents_for(user):
    return with_relations(Incident.objects.visible_to(user))


@extend_schema(tags=["incidents"])
class IncidentViewSet(CsvListMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                      mixins.CreateModelMixin, mixins.UpdateModelMixin,
                      viewsets.GenericViewSet):
    """Incidents and their 24-hour notification: drafts, filing and amendments."""

    serializer_class = IncidentSerializer
    permission_classes = [IsAuthenticated, OfficersOfTheProviderWrite]
    filterset_class = IncidentFilter
    pagination_class = FewRowsPagination
    http_method_names = ["get", "post", "patch", "head", "options"]
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        if self.action == "list":
            # The list reads rows of its own.
            return Incident.objects.visible_to(self.request.user)
        if self.action == "submit":
            # What the checks before the filing read; the filing reads the incident again,
            # locked, with what it needs.
            return Incident.objects.visible_to(self.request.user).only(
                "id", "provider_id", "status")
        return incidents_for(self.request.user)

    def filter_queryset(self, queryset):
        """The list's filters narrow what is read; a change names its incident by id alone
        (a filing or an amendment is not refused for a query string)."""
        if self.request.method not in SAFE_METHODS:
            return queryset
        return super().filter_queryset(queryset)

    def known_count(self):
        """The list's count from the case counts, when its filters are among those the
        counts are kept by (and `overdue`); None when the rows must be counted."""
        if self.action != "list":
            return None
        filterset = IncidentFilter(self.request.query_params, request=self.request,
                                   queryset=Incident.objects.none())
        return counts.count_of_list(self.request.user, filterset)

    def list(self, request, *args, **kwargs):
        incidents = self.filter_queryset(self.get_queryset())
        answer = self.csv_answer(with_relations(incidents), self.get_serializer())
        if answer is not None:
            return answer
        page = self.paginate_queryset(listing.list_rows(incidents))
        if page is None:
            return Response(listing.rows(listing.list_rows(incidents)))
        return self.get_paginated_response(listing.rows(page))

    def _fresh(self, incident):
        """The incident as the API shows it, read again after the change: one row with its
        PES models and risk statements, by the list's reader (the serializer's JSON, field
        for field)."""
        found = Incident.objects.visible_to(self.request.user).filter(pk=incident.pk)
        return listing.rows(listing.list_rows(found))[0]

    @extend_schema(summary="Create a draft incident (provider officers)",
                   parameters=[key_parameter(
                       "answers the draft the first one made, and makes no other; the key "
                       "sent with another draft answers 409 and changes nothing.")],
                   responses={201: IncidentSerializer, 409: OpenApiResponse(
                       description="The Idempotency-Key was sent with another draft.")})
    def create(self, request, *args, **kwargs):
        key = idempotency_key(request)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = serializer.validated_data
        # A draft is never removed and its 24-hour duty reminds: a retry makes no second.
        incident, _ = made_once(
            request, key, "draft", digest_of(values),
            lambda: services.create_draft(actor=request.user, **values),
            lambda pk: Incident.objects.visible_to(request.user).filter(pk=pk).first())
        return Response(self._fresh(incident), status=status.HTTP_201_CREATED)

    @extend_schema(summary="Change a draft (409 once submitted)",
                   responses={200: IncidentSerializer, 409: OpenApiResponse(
                       description="The incident has been filed; amend it instead.")})
    def partial_update(self, request, *args, **kwargs):
        incident = self.get_object()
        if not incident.is_draft:
            raise Conflict("This incident has been filed: it is not edited; amend it.")
        serializer = self.get_serializer(incident, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        incident = services.update_draft(actor=request.user, incident=incident,
                                **serializer.validated_data)
        return Response(self._fresh(incident))

    def update(self, request, *args, **kwargs):
        if not kwargs.get("partial"):
            return self.http_method_not_allowed(request, *args, **kwargs)
        return self.partial_update(request, *args, **kwargs)

    @extend_schema(summary="File the notification", request=SubmitSerializer,
                   responses={201: ReceiptSerializer})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        incident = self.get_object()
        serializer = SubmitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        version = services.submit_incident(actor=request.user,
                               incident=incident,
                               late_reason=serializer.validated_data.get("late_reason", ""))
        return Response(ReceiptSerializer(version).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Amend a filed incident: a new version", request=AmendmentSerializer,
                   responses={201: ReceiptSerializer})
    @action(detail=True, methods=["post"])
    def amend(self, request, pk=None):
        incident = self.get_object()
        if incident.is_draft:
            raise Conflict("A draft is edited, not amended; submit it first.")
        serializer = AmendmentSerializer(data=request.data, partial=True,
                                         context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        reason = data.pop("amendment_reason", "")
        version = services.amend_incident(actor=request.user, incident=incident,
                               amendment_reason=reason, **data)
        return Response(ReceiptSerializer(version).data, status=status.HTTP_201_CREATED)


class IncidentChildMixin:
    """Views under /incidents/{incident_pk}/: the incident is looked up first (404)."""

    permission_classes = [IsAuthenticated, OfficersOfTheProviderWrite]

    def get_incident(self):
        if not hasattr(self, "_incident"):
            self._incident = get_object_or_404(
                Incident.objects.visible_to(self.request.user).select_related("provider"),
                pk=self.kwargs["incident_pk"])
            self.check_object_permissions(self.request, self._incident)
        return self._incident


@extend_schema(tags=["incidents"])
class IncidentVersionListView(IncidentChildMixin, CsvListMixin, generics.ListAPIView):
    """Every filed version, oldest first, with its hash, author, time and changes."""

    serializer_class = IncidentVersionSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return IncidentVersion.objects.none()
        return self.get_incident().versions.select_related("submitted_by").order_by("number")


@extend_schema(tags=["incidents"])
class AttachmentListView(IncidentChildMixin, CsvListMixin, generics.ListCreateAPIView):
    """Files of an incident; officers add them as multipart `file`."""

    serializer_class = AttachmentSerializer
    parser_classes = UPLOAD_PARSERS

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Attachment.objects.none()
        return self.get_incident().attachments.select_related("uploaded_by").order_by(
            "uploaded_at", "id")

    @extend_schema(request={"multipart/form-data": AttachmentUploadSerializer},
                   parameters=[key_parameter(
                       "with the same file answers the attachment the first added, and adds "
                       "nothing more (an attachment is never removed); the key sent with "
                       "another file answers 409 and changes nothing.")],
                   responses={201: AttachmentSerializer,
                              409: OpenApiResponse(
                                  description="The Idempotency-Key was sent with another "
                                              "file, or the case is closed."),
                              413: OpenApiResponse(description="The file is too large.")})
    def post(self, request, *args, **kwargs):
        incident = self.get_incident()
        upload = AttachmentUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        uploaded = upload.validated_data["file"]
        attachment, _ = made_once(
            request, idempotency_key(request), "file",
            digest_of(incident.pk, uploaded.name, file_sha256(uploaded)),
            lambda: services.add_attachment(actor=request.user, incident=incident,
                                            uploaded_file=uploaded),
            lambda pk: Attachment.objects.visible_to(request.user).filter(
                pk=pk, incident=incident).first())
        return Response(AttachmentSerializer(attachment, context={"request": request}).data,
                        status=status.HTTP_201_CREATED)


class AnyContentNegotiation(BaseContentNegotiation):
    """A download answers with the file whatever the client accepts (never 406)."""

    refuses_formats = False

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


@extend_schema(tags=["incidents"])
class AttachmentDownloadView(IncidentChildMixin, generics.GenericAPIView):
    """The file itself, as `Content-Disposition: attachment`."""

    content_negotiation_class = AnyContentNegotiation
    serializer_class = None

    @extend_schema(responses={(200, "*/*"): OpenApiTypes.BINARY})
    def get(self, request, incident_pk, pk):
        attachment = get_object_or_404(
            Attachment.objects.filter(incident=self.get_incident()), pk=pk)
        return attachment_response(attachment)
