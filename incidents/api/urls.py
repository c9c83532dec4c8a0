from django.urls import path
from rest_framework.routers import SimpleRouter

from . import review, views

router = SimpleRouter()
router.register("incidents", views.IncidentViewSet, basename="api-incident")

urlpatterns = [
    path("incidents/<int:incident_pk>/versions/", views.IncidentVersionListView.as_view(),
         name="api-incident-versions"),
    path("incidents/<int:incident_pk>/attachments/", views.AttachmentListView.as_view(),
         name="api-incident-attachments"),
    path("incidents/<int:incident_pk>/attachments/<int:pk>/download/",
         views.AttachmentDownloadView.as_view(), name="api-incident-attachment-download"),
    path("incidents/<int:incident_pk>/triage/", review.TriageView.as_view(),
         name="api-incident-triage"),
    path("incidents/<int:incident_pk>/assign/", review.AssignView.as_view(),
         name="api-incident-assign"),
    path("incidents/<int:incident_pk>/comments/", review.CommentListView.as_view(),
         name="api-incident-comments"),
    *router.urls,
]
