from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from compliance.exports.api import CsvListMixin
from compliance.models import Obligation
from compliance.services.waivers import waive_obligation

from .filters import ObligationFilter


class ObligationSerializer(serializers.ModelSerializer):
    incident = serializers.IntegerField(source="incident_id", read_only=True, allow_null=True)

    class Meta:
        model = Obligation
        fields = ["id", "kind", "clause", "incident", "provider", "subject", "due_at",
                  "original_due_at", "state", "met_at", "missed_at", "waived_reason",
                  "closed_at", "closed_reason"]
        read_only_fields = fields


class WaiveSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text="Why USPS waives this obligation; kept for good.")


@extend_schema(tags=["obligations"])
class ObligationViewSet(CsvListMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                        viewsets.GenericViewSet):
    """The ledger of § 501.11 duties with their due times, nearest first."""

    serializer_class = ObligationSerializer
    filterset_class = ObligationFilter

    def get_queryset(self):
        return Obligation.objects.visible_to(self.request.user).order_by("due_at", "id")

    @extend_schema(request=WaiveSerializer, responses={200: ObligationSerializer})
    @action(detail=True, methods=["post"])
    def waive(self, request, pk=None):
        """USPS releases the provider from a duty still owed, with a reason."""
        obligation = self.get_object()  # 404 outside the caller's reach, before 403
        if not request.user.is_usps:
            raise PermissionDenied("Only USPS staff waive obligations.")
        body = WaiveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        obligation = waive_obligation(actor=request.user, obligation=obligation,
                                      reason=body.validated_data["reason"])
        return Response(ObligationSerializer(obligation).data)
