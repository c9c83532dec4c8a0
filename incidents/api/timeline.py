from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers

from compliance.exports.api import CsvListMixin
from compliance.models import AuditEvent
from incidents.views.common import timeline

from .views import IncidentChildMixin


class TimelineEventSerializer(serializers.ModelSerializer):
    position = serializers.IntegerField(source="sequence", read_only=True,
                                        help_text="The event's position in the audit chain.")
    actor = serializers.CharField(source="actor_label", read_only=True)
    label = serializers.CharField(source="action_label", read_only=True)
    object = serializers.CharField(source="object_repr", read_only=True)
    internal = serializers.BooleanField(source="usps_only", read_only=True,
                                        help_text="Internal to USPS (only USPS staff see it).")

    class Meta:
        model = AuditEvent
        fields = ["position", "at", "actor", "action", "label", "object", "changes", "reason",
                  "internal", "sha256"]
        read_only_fields = fields


@extend_schema(tags=["incidents"])
class TimelineView(IncidentChildMixin, CsvListMixin, generics.ListAPIView):
    """The case's timeline as the caller may see it, oldest first, each event with its
    audit-chain position and hash."""

    serializer_class = TimelineEventSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return AuditEvent.objects.none()
        return timeline(self.request.user, self.get_incident())
