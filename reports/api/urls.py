from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("reports", views.ReportViewSet, basename="api-report")

urlpatterns = [
    path("incidents/<int:incident_pk>/reports/", views.IncidentReportListView.as_view(),
         name="api-incident-reports"),
    *router.urls,
]
