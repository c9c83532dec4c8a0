from django.urls import path
from rest_framework.routers import SimpleRouter

from reports.casefile.api import CaseFileView

from . import views

router = SimpleRouter()
router.register("reports", views.ReportViewSet, basename="api-report")

urlpatterns = [
    path("incidents/<int:incident_pk>/reports/", views.IncidentReportListView.as_view(),
         name="api-incident-reports"),
    path("incidents/<int:incident_pk>/case-file.pdf", CaseFileView.as_view(),
         name="api-incident-case-file"),
    *router.urls,
]
