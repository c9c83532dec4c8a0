"""`GET /api/v1/usps-inbox/`: what waits on USPS, nearest target first (USPS staff only)."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers

from compliance.exports.api import CsvListMixin
from compliance.inbox import InboxFilter, inbox, short_kind, target_path

from .permissions import IsUSPS


class InboxItemSerializer(serializers.Serializer):
    """One item waiting on USPS: the target (an obligation internal to USPS) and what it
    waits on."""

    id = serializers.IntegerField(read_only=True, help_text="The USPS target's obligation id.")
    kind = serializers.SerializerMethodField()
    incident = serializers.IntegerField(source="incident_id", allow_null=True, read_only=True)
    provider = serializers.IntegerField(source="provider_id", read_only=True)
    object_id = serializers.IntegerField(
        read_only=True, help_text="What waits: the incident to triage, the report to review, "
                                  "the extension request or the procedures version.")
    subject = serializers.CharField(read_only=True)
    waiting_since = serializers.DateTimeField(source="created_at", read_only=True)
    target_due_at = serializers.DateTimeField(source="due_at", read_only=True)
    state = serializers.CharField(read_only=True, help_text="`open`, or `missed` once past.")
    filed_late = serializers.BooleanField(read_only=True)
    assigned_to = serializers.IntegerField(source="reviewer_id", allow_null=True,
                                           read_only=True)
    url = serializers.SerializerMethodField()

    def get_kind(self, target) -> str:
        return short_kind(target)

    def get_url(self, target) -> str:
        return target_path(target)


@extend_schema(tags=["obligations"])
class InboxView(CsvListMixin, generics.ListAPIView):
    """What waits on USPS (triage, report review, extension decision, procedures review),
    nearest USPS target first. Internal to USPS: provider staff are refused (403)."""

    serializer_class = InboxItemSerializer
    permission_classes = [IsUSPS]
    filterset_class = InboxFilter

    def get_queryset(self):
        return inbox(self.request.user)
