"""USPS review through the API: triage, assignment, and the comment thread."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from compliance.api.fields import AwareDateTimeField, StrictPrimaryKeyRelatedField
from compliance.api.idempotency import idempotency_key, key_parameter
from compliance.exports.api import CsvListMixin
from compliance.models import Obligation, ObligationKind, User
from incidents import services
from incidents.models import Comment, CommentVisibility, Incident, RevenueRisk
from incidents.services.triage import require_usps, triage_state, written_report_obligation
from reports.services import close_case


def _reviewers():
    return User.objects.reviewers()


class TriageSerializer(serializers.Serializer):
    revenue_risk = serializers.ChoiceField(choices=RevenueRisk.choices)
    rationale = serializers.CharField(
        allow_blank=True, required=False, default="",
        help_text="Why this risk or deadline: internal to USPS, never shown to the provider. "
                  "Required at first triage and for any later change.")
    written_report_due_at = AwareDateTimeField(
        required=False, allow_null=True,
        help_text="Overrides the policy's due time for the risk (with its UTC offset).")
    status_report_interval_days = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=365,
        help_text="Overrides the policy's status-report interval for the risk.")
    reviewer = StrictPrimaryKeyRelatedField(
        queryset=_reviewers(), required=False, allow_null=True,
        help_text="The USPS reviewer to assign; by default the triaging reviewer, if none is.")
    expect_first = serializers.BooleanField(
        required=False, default=False,
        help_text="This is meant as the case's first triage: refused (409, nothing changed) "
                  "if a colleague has triaged it since and this would change their triage.")
    based_on = serializers.CharField(
        required=False, allow_null=True, default=None, max_length=200,
        help_text="The `triage_state` the change was decided on (from `GET` of this "
                  "address): refused (409, nothing changed) once another triage changed it.")


class AssignSerializer(serializers.Serializer):
    reviewer = StrictPrimaryKeyRelatedField(
        queryset=_reviewers(), allow_null=True, help_text="A USPS reviewer, or null for none.")


class WrittenReportDutySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    due_at = AwareDateTimeField()
    original_due_at = AwareDateTimeField()
    state = serializers.CharField()


class ReviewSerializer(serializers.ModelSerializer):
    """Where the review of an incident stands (USPS view)."""

    triaged_at = AwareDateTimeField(read_only=True)
    assigned_reviewer = StrictPrimaryKeyRelatedField(read_only=True)
    written_report = serializers.SerializerMethodField()
    triage_state = serializers.SerializerMethodField(
        help_text="The triage as it stands, as one opaque string: send it back as "
                  "`based_on` so that a colleague's change since is not undone unseen.")

    class Meta:
        model = Incident
        fields = ["id", "reference", "status", "revenue_risk", "triaged_at",
                  "status_report_interval_days", "assigned_reviewer", "written_report",
                  "triage_state"]

    @extend_schema_field(WrittenReportDutySerializer(allow_null=True))
    def get_written_report(self, incident):
        duty = written_report_obligation(incident)
        return WrittenReportDutySerializer(duty).data if duty else None

    def get_triage_state(self, incident) -> str:
        return triage_state(incident, Obligation.objects.filter(
            incident_id=incident.pk, kind=ObligationKind.WRITTEN_REPORT))


class CommentSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.username", read_only=True)
    author_side = serializers.SerializerMethodField()
    created_at = AwareDateTimeField(read_only=True)

    class Meta:
        model = Comment
        fields = ["id", "incident", "author", "author_side", "body", "visibility", "created_at"]
        read_only_fields = ["incident"]

    def get_author_side(self, comment) -> str:
        return comment.author_side


class CommentInputSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=services.comments.MAX_BODY)
    visibility = serializers.ChoiceField(
        choices=CommentVisibility.choices, required=False,
        help_text="`shared` or `internal` (USPS staff only: never shown to the provider). "
                  "USPS staff say which, as on the page, so that nothing internal is "
                  "shared by a default; a provider officer's comment is `shared`.")


class ReviewActionView(generics.GenericAPIView):
    """A USPS action on a visible incident: 404 outside reach, then 403 for provider staff."""

    permission_classes = [IsAuthenticated]

    def get_incident(self):
        incident = get_object_or_404(Incident.objects.visible_to(self.request.user),
                                     pk=self.kwargs["incident_pk"])
        require_usps(self.request.user)
        return incident

    def answer(self, incident):
        incident = Incident.objects.get(pk=incident.pk)
        return Response(ReviewSerializer(incident).data, status=status.HTTP_200_OK)


@extend_schema(tags=["review"])
class TriageView(ReviewActionView):
    serializer_class = TriageSerializer

    @extend_schema(summary="Where the triage stands (USPS)", responses={200: ReviewSerializer})
    def get(self, request, incident_pk):
        return self.answer(self.get_incident())

    @extend_schema(summary="Triage: set the revenue risk and the written-report deadline (USPS)",
                   request=TriageSerializer,
                   responses={200: ReviewSerializer, 409: OpenApiResponse(
                       description="The incident is closed, or triaged since in a way the "
                                   "request has not seen (`expect_first`, `based_on`).")})
    def post(self, request, incident_pk):
        incident = self.get_incident()
        serializer = TriageSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.triage_incident(actor=request.user, incident=incident,
                     **serializer.validated_data)
        return self.answer(incident)


@extend_schema(tags=["review"])
class AssignView(ReviewActionView):
    serializer_class = AssignSerializer

    @extend_schema(summary="Assign the incident to a USPS reviewer (USPS)",
                   request=AssignSerializer, responses={200: ReviewSerializer})
    def post(self, request, incident_pk):
        incident = self.get_incident()
        serializer = AssignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.assign_reviewer(actor=request.user, incident=incident,
                     reviewer=serializer.validated_data["reviewer"])
        return self.answer(incident)


class CloseSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=2_000, help_text="Why the case is closed without an accepted final "
                                    "summary: the provider's officers read it.")


@extend_schema(tags=["review"])
class CloseView(ReviewActionView):
    serializer_class = CloseSerializer

    @extend_schema(
        summary="Close the case without an accepted final summary (USPS)",
        description="For a duplicate filing, or a case whose written report or final "
                    "summary USPS waived: every duty the provider still owes on it is "
                    "closed and nothing more is filed on it. A case already closed is "
                    "answered as it is, unchanged.",
        request=CloseSerializer,
        responses={200: ReviewSerializer, 409: OpenApiResponse(
            description="A report on the case waits on USPS's review.")})
    def post(self, request, incident_pk):
        incident = self.get_incident()
        serializer = CloseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        close_case(actor=request.user, incident=incident,
                   reason=serializer.validated_data["reason"])
        return self.answer(incident)


@extend_schema(tags=["review"])
class CommentListView(CsvListMixin, generics.ListCreateAPIView):
    """The incident's thread, oldest first. Provider staff never see internal comments."""

    serializer_class = CommentSerializer
    permission_classes = [IsAuthenticated]

    def get_incident(self):
        if not hasattr(self, "_incident"):
            self._incident = get_object_or_404(
                Incident.objects.visible_to(self.request.user), pk=self.kwargs["incident_pk"])
        return self._incident

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Comment.objects.none()
        return (Comment.objects.visible_to(self.request.user)
                .filter(incident=self.get_incident()).select_related("author")
                .order_by("created_at", "id"))

    @extend_schema(summary="Comment on the incident (provider officers: shared only)",
                   request=CommentInputSerializer, responses={201: CommentSerializer},
                   parameters=[key_parameter(
                       "with the same comment answers the comment the first added, and "
                       "adds nothing more (a comment is never removed).")])
    def post(self, request, *args, **kwargs):
        incident = self.get_incident()
        if not services.may_comment(request.user, incident):
            # Who may not comment learns that first, whatever the body holds.
            raise PermissionDenied("Only the provider's officers and USPS staff comment.")
        serializer = CommentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        comment = services.add_comment(actor=request.user, incident=incident,
                               submission_key=idempotency_key(request) or "",
                               **serializer.validated_data)
        return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)
