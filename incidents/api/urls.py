from django.urls import path
from rest_framework.routers import SimpleRouter

from . import review, timeline, views

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
    path("incidents/<int:incident_pk>/close/", review.CloseView.as_view(),
         name="api-incident-close"),
    path("incidents/<int:incident_pk>/comments/", review.CommentListView.as_view(),
         name="api-incident-comments"),
    path("incidents/<int:incident_pk>/timeline/", timeline.TimelineView.as_view(),
         name="api-incident-timeline"),
    *router.urls,
]
