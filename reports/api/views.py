from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from compliance.api.idempotency import idempotency_key, key_parameter
from compliance.exports.api import CsvExportMixin, CsvListMixin
from incidents.api.views import IncidentChildMixin
from reports import services
from reports.models import Report, ReportReview, ReportVersion
from reports.services.access import may_file, may_review

from .serializers import (
    AcceptSerializer,
    ContentSerializer,
    ReportCreateSerializer,
    ReportSerializer,
    ReportVersionSerializer,
    ReturnSerializer,
)

CONFLICT = OpenApiResponse(description="The report's or the case's state forbids this.")


def reports_for(user):
    return (
        Report.objects.visible_to(user)
        .select_related("incident")
        .prefetch_related(
            Prefetch("versions", queryset=ReportVersion.objects.order_by("number")),
            Prefetch("reviews", queryset=ReportReview.objects.select_related(
                "reviewer", "version", "resubmission_obligation").order_by("decided_at",
                                                                           "id")),
        )
        .order_by("created_at", "id")
    )


def _content(data):
    return {k: v for k, v in data.items() if k not in ("kind", "draft")}


IDEMPOTENCY_KEY = key_parameter(
    "answers the report the first one started, and files nothing more; the key sent with "
    "another kind of report, or other content, answers 409 and changes nothing.")


@extend_schema(tags=["reports"])
class IncidentReportListView(IncidentChildMixin, CsvListMixin, generics.ListCreateAPIView):
    """The § 501.11(c) reports of an incident. Officers POST a report of a `kind`: it is
    filed at once (or saved as a draft with `"draft": true`). When a draft or a returned
    report of that kind is open, the POST fills it in and files it (a returned report
    gets a new version)."""

    serializer_class = ReportSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Report.objects.none()
        return reports_for(self.request.user).filter(incident=self.get_incident())

    @extend_schema(request=ReportCreateSerializer, parameters=[IDEMPOTENCY_KEY],
                   responses={201: ReportSerializer, 409: CONFLICT})
    def post(self, request, *args, **kwargs):
        incident = self.get_incident()
        serializer = ReportCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        report, _ = services.file_report(actor=request.user, incident=incident,
                                 kind=data["kind"], draft=data["draft"],
                                 submission_key=idempotency_key(request), **_content(data))
        return Response(ReportSerializer(reports_for(request.user).get(pk=report.pk)).data,
                        status=status.HTTP_201_CREATED)


@extend_schema(tags=["reports"])
class ReportViewSet(CsvExportMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin,
                    viewsets.GenericViewSet):
    """One report: read it, change its draft, file it, and (USPS) accept or return it."""

    serializer_class = ReportSerializer
    permission_classes = [IsAuthenticated]
    http_method_names = ["get", "post", "patch", "head", "options"]
    lookup_value_regex = r"\d+"
    csv_actions = ("versions",)

    def get_queryset(self):
        return reports_for(self.request.user)

    def _fresh(self, report):
        return ReportSerializer(reports_for(self.request.user).get(pk=report.pk)).data

    def _officer_report(self):
        report = self.get_object()
        if not may_file(self.request.user, report.incident):
            raise PermissionDenied("Only the provider's compliance officers change reports.")
        return report

    def _usps_report(self):
        report = self.get_object()
        if not may_review(self.request.user):
            raise PermissionDenied("Only USPS staff accept or return reports.")
        return report

    @extend_schema(summary="Change a draft report (409 once filed)", request=ContentSerializer,
                   responses={200: ReportSerializer, 409: CONFLICT})
    def partial_update(self, request, *args, **kwargs):
        report = self._officer_report()
        serializer = ContentSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.update_report_draft(actor=request.user, report=report,
                     **serializer.validated_data)
        return Response(self._fresh(report))

    def update(self, request, *args, **kwargs):
        if not kwargs.get("partial"):
            return self.http_method_not_allowed(request, *args, **kwargs)
        return self.partial_update(request, *args, **kwargs)

    @extend_schema(summary="File a draft, or a corrected version of a returned report",
                   request=ContentSerializer, responses={201: ReportSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        report = self._officer_report()
        serializer = ContentSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.submit_report(actor=request.user, report=report,
                     **serializer.validated_data)
        return Response(self._fresh(report), status=status.HTTP_201_CREATED)

    @extend_schema(summary="Accept the filed report (USPS)", request=AcceptSerializer,
                   responses={200: ReportSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        report = self._usps_report()
        serializer = AcceptSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.accept_report(actor=request.user, report=report,
                     comment=serializer.validated_data.get("comment", ""),
                     expect_version=serializer.validated_data.get("version"))
        return Response(self._fresh(report))

    @extend_schema(summary="Return the filed report for correction (USPS)",
                   request=ReturnSerializer, responses={200: ReportSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_for_correction(self, request, pk=None):
        report = self._usps_report()
        serializer = ReturnSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.return_report(actor=request.user, report=report,
                     comment=data["comment"],
                     resubmission_due_at=data.get("resubmission_due_at"),
                     expect_version=data.get("version"))
        return Response(self._fresh(report))

    @extend_schema(summary="Every filed version, oldest first",
                   responses={200: ReportVersionSerializer(many=True)})
    @action(detail=True, methods=["get"], serializer_class=ReportVersionSerializer)
    def versions(self, request, pk=None):
        report = self.get_object()
        versions = report.versions.select_related("submitted_by").order_by("number")
        answer = self.csv_answer(versions, ReportVersionSerializer(
            context=self.get_serializer_context()))
        if answer:
            return answer
        page = self.paginate_queryset(versions)
        return self.get_paginated_response(ReportVersionSerializer(page, many=True).data)
