import re
from datetime import UTC, datetime

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers

from compliance.exports.api import CsvListMixin
from compliance.models import AuditEvent
from incidents.views.common import timeline

from .views import IncidentChildMixin

# A time as events record it (ISO 8601 with an offset: `+00:00`, or an offset typed in).
RECORDED_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$")


class ChangesField(serializers.JSONField):
    """An event's changes, the times among them (fields named `…_at`) given as every answer
    gives times: UTC, `Z`. Text filed by people (a title, a description) is answered as
    typed, whatever it looks like. (The record itself, hashed into the chain, is kept.)"""

    times = serializers.DateTimeField(default_timezone=UTC)

    def to_representation(self, value):
        value = super().to_representation(value)
        if not isinstance(value, dict):
            return value
        return {key: self._utc(item) if key.endswith("_at") else item
                for key, item in value.items()}

    def _utc(self, value):
        if isinstance(value, list):
            return [self._utc(item) for item in value]
        if isinstance(value, str) and RECORDED_TIME.match(value):
            try:
                moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                return value
            return self.times.to_representation(moment.astimezone(UTC))
        return value


class TimelineEventSerializer(serializers.ModelSerializer):
    position = serializers.IntegerField(source="sequence", read_only=True,
                                        help_text="The event's position in the audit chain.")
    actor = serializers.CharField(source="actor_label", read_only=True)
    label = serializers.CharField(source="action_label", read_only=True)
    object = serializers.CharField(source="object_repr", read_only=True)
    internal = serializers.BooleanField(source="usps_only", read_only=True,
                                        help_text="Internal to USPS (only USPS staff see it).")
    changes = ChangesField(read_only=True,
                           help_text="Each changed field: [before, after]; times in UTC.")

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
