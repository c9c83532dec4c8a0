from drf_spectacular.utils import extend_schema
from rest_framework import generics, mixins, viewsets

from compliance import services
from compliance.exports.api import CsvListMixin
from compliance.models import Affiliate, PESModel, Provider

from .filters import AffiliateFilter, PESModelFilter, ProviderFilter
from .permissions import ReadOnlyOrOfficerOrUSPSManager, ReadOnlyOrUSPSManager
from .serializers import (
    AffiliateSerializer,
    MeSerializer,
    PESModelSerializer,
    ProviderSerializer,
)


class MeView(generics.RetrieveAPIView):
    """Who the caller is: role, provider and time zone."""

    serializer_class = MeSerializer

    def get_object(self):
        return self.request.user


class ServiceViewSet(
    CsvListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """List, read, create and PATCH; writes go through a service function, never `save()`."""

    http_method_names = ["get", "post", "patch", "head", "options"]
    model = None

    def get_queryset(self):
        return self.model.objects.visible_to(self.request.user)

    def perform_create(self, serializer):
        serializer.instance = self.create_with_service(serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = self.update_with_service(serializer.instance,
                                                       serializer.validated_data)


NO_REASON_GIVEN = "Set through the API; no reason given."


@extend_schema(tags=["register"])
class ProviderViewSet(ServiceViewSet):
    """Providers: USPS staff see all, provider staff their own; USPS managers write."""

    model = Provider
    serializer_class = ProviderSerializer
    permission_classes = [ReadOnlyOrUSPSManager]
    filterset_class = ProviderFilter

    def create_with_service(self, data):
        data.pop("reason", None)
        if "timezone" in data:
            data["timezone_name"] = data.pop("timezone")
        return services.create_provider(actor=self.request.user, **data)

    def update_with_service(self, instance, data):
        # The published PATCH takes `authorization_status` alone: a status change without
        # a reason is not refused here (a field the contract does not require), and the
        # record says none was given.
        if (data.get("authorization_status", instance.authorization_status)
                != instance.authorization_status and not data.get("reason", "").strip()):
            data["reason"] = NO_REASON_GIVEN
        return services.update_provider(actor=self.request.user, provider=instance, **data)


@extend_schema(tags=["register"])
class AffiliateViewSet(ServiceViewSet):
    """The § 501.11(a) affiliates of a provider."""

    model = Affiliate
    serializer_class = AffiliateSerializer
    permission_classes = [ReadOnlyOrOfficerOrUSPSManager]
    filterset_class = AffiliateFilter

    def create_with_service(self, data):
        return services.create_affiliate(actor=self.request.user, **data)

    def update_with_service(self, instance, data):
        return services.update_affiliate(actor=self.request.user, affiliate=instance, **data)


@extend_schema(tags=["register"])
class PESModelViewSet(ServiceViewSet):
    """PES models: read by all in scope, written by USPS managers."""

    model = PESModel
    serializer_class = PESModelSerializer
    permission_classes = [ReadOnlyOrUSPSManager]
    filterset_class = PESModelFilter

    def create_with_service(self, data):
        return services.create_pes_model(actor=self.request.user, **data)

    def update_with_service(self, instance, data):
        return services.update_pes_model(actor=self.request.user, pes_model=instance, **data)
