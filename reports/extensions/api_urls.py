"""API routes of extension requests and procedures, mounted under /api/v1/ before the
compliance router so `obligations/{id}/extension-requests/` is ours."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from reports.procedures.api import ProcedureDocumentDownloadView, ProcedureDocumentListView

from .api import ExtensionRequestViewSet, ObligationExtensionRequestsView

router = SimpleRouter()
router.register("extension-requests", ExtensionRequestViewSet, basename="extensionrequest")

urlpatterns = [
    path("obligations/<int:pk>/extension-requests/", ObligationExtensionRequestsView.as_view(),
         name="obligation-extension-requests"),
    path("procedures/", ProcedureDocumentListView.as_view(), name="api-procedures"),
    path("procedures/<int:pk>/download/", ProcedureDocumentDownloadView.as_view(),
         name="api-procedures-download"),
    *router.urls,
]
