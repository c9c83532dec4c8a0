"""API: extension requests on obligations, and USPS's decisions on them."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from compliance import services
from compliance.api.fields import AwareDateTimeField
from compliance.exports.api import CsvListMixin
from compliance.models import ExtensionRequest, Obligation


class ExtensionRequestSerializer(serializers.ModelSerializer):
    requested_due_at = AwareDateTimeField()
    requested_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    decided_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = ExtensionRequest
        fields = ["id", "obligation", "requested_by", "due_at_when_requested",
                  "requested_due_at", "justification", "state", "decided_by", "decided_at",
                  "granted_due_at", "comment", "created_at"]
        read_only_fields = ["id", "obligation", "requested_by", "due_at_when_requested",
                            "state", "decided_by", "decided_at", "granted_due_at", "comment",
                            "created_at"]


class DecisionSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="",
                                    help_text="Required to deny; optional to grant.")


class GrantSerializer(DecisionSerializer):
    due_at = AwareDateTimeField(
        required=False, allow_null=True, default=None,
        help_text="Grant until this time (with its UTC offset) instead of the one asked "
                  "for; it must be after the current due time.")


def _queryset(user):
    return (ExtensionRequest.objects.visible_to(user)
            .select_related("requested_by", "decided_by").order_by("created_at", "id"))


@extend_schema(tags=["obligations"])
class ObligationExtensionRequestsView(CsvListMixin, generics.ListCreateAPIView):
    """An obligation's extension requests, oldest first; provider officers ask for one."""

    serializer_class = ExtensionRequestSerializer

    def get_obligation(self):
        return get_object_or_404(Obligation.objects.visible_to(self.request.user),
                                 pk=self.kwargs["pk"])

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ExtensionRequest.objects.none()
        return _queryset(self.request.user).filter(obligation=self.get_obligation())

    def create(self, request, *args, **kwargs):
        obligation = self.get_obligation()  # 404 outside the caller's scope, before 403
        if not (request.user.is_provider_officer
                and request.user.provider_id == obligation.provider_id):
            raise PermissionDenied("Only the provider's compliance officers ask for time.")
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        extension = services.request_extension(actor=request.user,
                                 obligation=obligation, **body.validated_data)
        return Response(self.get_serializer(extension).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["obligations"])
class ExtensionRequestViewSet(CsvListMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                              viewsets.GenericViewSet):
    """Extension requests in the caller's scope; USPS grants or denies pending ones."""

    serializer_class = ExtensionRequestSerializer

    def get_queryset(self):
        return _queryset(self.request.user)

    def _decide(self, request, service, body_class=DecisionSerializer):
        extension = self.get_object()  # 404 outside the caller's scope, before 403
        if not request.user.is_usps:
            raise PermissionDenied("Only USPS staff decide extension requests.")
        body = body_class(data=request.data)
        body.is_valid(raise_exception=True)
        extension = service(actor=request.user, extension=extension, **body.validated_data)
        return Response(ExtensionRequestSerializer(extension).data)

    @extend_schema(request=GrantSerializer, responses={200: ExtensionRequestSerializer})
    @action(detail=True, methods=["post"])
    def grant(self, request, pk=None):
        """USPS grants more time: the obligation's due time moves to the time asked for,
        or to `due_at` when USPS chooses another."""
        return self._decide(request, services.grant_extension, GrantSerializer)

    @extend_schema(request=DecisionSerializer, responses={200: ExtensionRequestSerializer})
    @action(detail=True, methods=["post"])
    def deny(self, request, pk=None):
        """USPS denies the request with a comment; the due time stays."""
        return self._decide(request, services.deny_extension)
