"""API: the compliance record of a provider, and proceedings with their steps and internal
notes. Every view reads through the `visible_to` doors; the services decide the rest."""

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, mixins, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from compliance.api.fields import StrictBooleanFilter
from compliance.api.filters import visible_providers
from compliance.api.idempotency import idempotency_key, key_parameter, made_once
from compliance.exports.api import CsvListMixin
from compliance.models import (
    Obligation,
    PESModel,
    Proceeding,
    ProceedingKind,
    ProceedingNote,
    ProceedingState,
    ProceedingStep,
    ProceedingStepVersion,
    Provider,
)
from compliance.sent_once import digest_of

from . import periods, services
from .record import compliance_record, requested_period
from .serializers import (
    AmendSerializer,
    ComplianceRecordSerializer,
    NoteSerializer,
    ProceedingCreateSerializer,
    ProceedingRowSerializer,
    ProceedingSerializer,
    RecordQuerySerializer,
    StepCreateSerializer,
    StepSerializer,
    VersionSerializer,
)


@extend_schema(tags=["enforcement"], parameters=[
    OpenApiParameter("from", OpenApiTypes.DATE, description="First day (provider's zone); "
                     "alone, the period runs 365 days from it, never past today."),
    OpenApiParameter("to", OpenApiTypes.DATE, description="Last day, included; alone, the "
                     "period is the 365 days to it."),
], responses={200: ComplianceRecordSerializer})
class ComplianceRecordView(generics.GenericAPIView):
    """The compliance record of a provider over a period, per clause of § 501.11: duties
    owed, met, late, missed, waived and extended (a duty counts when its original due time
    falls in the period), hours from discovery to notification, cases open. USPS staff
    for every provider, provider staff for their own."""

    serializer_class = ComplianceRecordSerializer
    pagination_class = None
    filter_backends = []

    def get(self, request, pk):
        provider = get_object_or_404(Provider.objects.visible_to(request.user), pk=pk)
        query = RecordQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        now = timezone.now()
        period = requested_period(provider, now, query.validated_data.get("from"),
                                  query.validated_data.get("to"))
        record = compliance_record(provider, period, now)
        return Response(ComplianceRecordSerializer({
            "provider": provider.pk, "from": period.first, "to": period.last, **record}).data)


def proceedings_for(user):
    steps = ProceedingStep.objects.select_related("issued_by", "period").prefetch_related(
        Prefetch("versions", queryset=ProceedingStepVersion.objects.select_related(
            "submitted_by").order_by("number"))).order_by("number")
    return periods.with_provider_period_due(
        Proceeding.objects.visible_to(user).select_related("opened_by")
        .prefetch_related("pes_models", "cited_obligations", Prefetch("steps", queryset=steps))
        .order_by("-opened_at", "-id"))


class ProceedingFilter(django_filters.FilterSet):
    provider = django_filters.ModelChoiceFilter(queryset=visible_providers)
    kind = django_filters.ChoiceFilter(choices=ProceedingKind.choices)
    state = django_filters.ChoiceFilter(choices=ProceedingState.choices)
    open = StrictBooleanFilter(field_name="closed_at", lookup_expr="isnull",
                               label="Still open (true) or closed (false)")

    class Meta:
        model = Proceeding
        fields = ["provider", "kind", "state", "open"]


def _objects(visible, ids, field, **scope):
    """The objects `ids` name among those `visible` (the caller's), or a 400 that says the
    same of an id that names nothing as of one the caller may not see."""
    found = list(visible.filter(pk__in=ids, **scope))
    if len(found) != len(set(ids)):
        raise ValidationError({field: ["Some of these ids name nothing of this provider."]})
    return found


@extend_schema(tags=["enforcement"])
class ProceedingViewSet(CsvListMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                        mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Enforcement proceedings (§ 501.6 suspension, § 501.12 sanction): USPS staff see
    all, provider staff their own; USPS managers open them."""

    serializer_class = ProceedingSerializer
    filterset_class = ProceedingFilter
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return proceedings_for(self.request.user)

    def get_serializer_class(self):
        # As CSV, a proceeding is one flat row; its steps are a list of their own.
        renderer = getattr(self.request, "accepted_renderer", None)
        if self.action == "list" and getattr(renderer, "format", None) == "csv":
            return ProceedingRowSerializer
        return ProceedingSerializer

    @extend_schema(request=ProceedingCreateSerializer, responses={201: ProceedingSerializer},
                   parameters=[key_parameter(
                       "answers the proceeding the first one opened, and opens no other; "
                       "the key sent with another body answers 409 and changes nothing.")])
    def create(self, request, *args, **kwargs):
        """Open a proceeding: its first step (the notice of proposed suspension, or the
        written demand) is issued with it and freezes the cited record."""
        services.require_manager(request.user)
        body = ProceedingCreateSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        provider = data.pop("provider")
        user = request.user
        data["obligations"] = _objects(Obligation.objects.visible_to(user),
                                       data["obligations"], "obligations", provider=provider)
        data["pes_models"] = _objects(PESModel.objects.visible_to(user), data["pes_models"],
                                      "pes_models", provider=provider)
        # A proceeding is never removed, and its first notice goes to the provider: a retry
        # with its Idempotency-Key opens no second.
        proceeding, _ = made_once(
            request, idempotency_key(request), "proceeding", digest_of(provider.pk, data),
            lambda: services.open_proceeding(actor=request.user, provider=provider, **data),
            lambda pk: self.get_queryset().filter(pk=pk).first())
        return Response(self.get_serializer(self.get_queryset().get(pk=proceeding.pk)).data,
                        status=status.HTTP_201_CREATED)


class ProceedingChildMixin:
    def get_proceeding(self):
        return get_object_or_404(Proceeding.objects.visible_to(self.request.user)
                                 .select_related("provider"), pk=self.kwargs["proceeding_pk"])


@extend_schema(tags=["enforcement"])
class StepListView(ProceedingChildMixin, CsvListMixin, generics.ListCreateAPIView):
    """A proceeding's steps in order. POST issues the next one: USPS managers issue notices
    and decisions, the provider's officers file responses, defenses and appeals; a step
    out of turn answers 409."""

    serializer_class = StepSerializer
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ProceedingStep.objects.none()
        return (ProceedingStep.objects.filter(proceeding=self.get_proceeding())
                .select_related("issued_by", "period")
                .prefetch_related(Prefetch("versions", queryset=ProceedingStepVersion.objects
                                           .select_related("submitted_by").order_by("number")))
                .order_by("number"))

    @extend_schema(request=StepCreateSerializer, responses={201: StepSerializer})
    def post(self, request, *args, **kwargs):
        proceeding = self.get_proceeding()
        body = StepCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        step = services.issue_step(actor=request.user, proceeding=proceeding,
                                   **body.validated_data)
        return Response(StepSerializer(self.get_queryset().get(pk=step.pk)).data,
                        status=status.HTTP_201_CREATED)


@extend_schema(tags=["enforcement"], request=AmendSerializer,
               responses={201: VersionSerializer})
class StepAmendView(ProceedingChildMixin, generics.GenericAPIView):
    """File a new version of a step's text (its own side, while nothing has followed it)."""

    serializer_class = VersionSerializer
    filter_backends = []

    def post(self, request, *args, **kwargs):
        step = get_object_or_404(ProceedingStep.objects.filter(
            proceeding=self.get_proceeding()), pk=self.kwargs["pk"])
        body = AmendSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        version = services.amend_step(actor=request.user, step=step,
                                      body=body.validated_data["body"],
                                      reason=body.validated_data["amendment_reason"],
                                      based_on=body.validated_data["based_on"])
        return Response(VersionSerializer(version).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["enforcement"])
class NoteListView(ProceedingChildMixin, CsvListMixin, generics.ListCreateAPIView):
    """Internal USPS notes on a proceeding: USPS staff only (403 for provider staff)."""

    serializer_class = NoteSerializer
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ProceedingNote.objects.none()
        proceeding = self.get_proceeding()  # 404 outside the caller's reach, before 403
        if not self.request.user.is_usps:
            raise PermissionDenied("Internal notes are for USPS staff.")
        return (ProceedingNote.objects.visible_to(self.request.user)
                .filter(proceeding=proceeding).select_related("author"))

    @extend_schema(parameters=[key_parameter(
        "answers the note the first one added, and adds no other; the key sent with "
        "another note answers 409 and changes nothing.")])
    def post(self, request, *args, **kwargs):
        notes = self.get_queryset()
        body = NoteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        proceeding, text = self.get_proceeding(), body.validated_data["body"]
        # A note is never removed: a retry with its Idempotency-Key adds no second.
        note, _ = made_once(
            request, idempotency_key(request), "note", digest_of(proceeding.pk, text),
            lambda: services.add_proceeding_note(actor=request.user, proceeding=proceeding,
                                                 body=text),
            lambda pk: notes.filter(pk=pk).first())
        return Response(NoteSerializer(note).data, status=status.HTTP_201_CREATED)
