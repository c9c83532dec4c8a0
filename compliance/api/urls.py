from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views
from .inbox import InboxView
from .obligations import ObligationViewSet

router = SimpleRouter()
router.register("providers", views.ProviderViewSet, basename="provider")
router.register("affiliates", views.AffiliateViewSet, basename="affiliate")
router.register("pes-models", views.PESModelViewSet, basename="pesmodel")
router.register("obligations", ObligationViewSet, basename="obligation")

urlpatterns = [
    path("me/", views.MeView.as_view(), name="api-me"),
    path("usps-inbox/", InboxView.as_view(), name="api-usps-inbox"),
    *router.urls,
]
