from django.urls import path

from . import views

urlpatterns = [
    path("", views.incident_list, name="incident-list"),
    path("new/", views.report_discovery, name="incident-create"),
    path("queue/", views.review_queue, name="incident-queue"),
    path("queue/assign/", views.bulk_assign, name="incident-queue-assign"),
    path("<int:pk>/", views.incident_detail, name="incident-detail"),
    path("<int:pk>/edit/", views.edit_draft, name="incident-edit"),
    path("<int:pk>/submit/", views.submit, name="incident-submit"),
    path("<int:pk>/amend/", views.amend, name="incident-amend"),
    path("<int:pk>/timeline.csv", views.incident_timeline_csv, name="incident-timeline-csv"),
    path("<int:pk>/versions/", views.incident_versions, name="incident-versions"),
    path("<int:pk>/triage/", views.triage, name="incident-triage"),
    path("<int:pk>/assign/", views.assign, name="incident-assign"),
    path("<int:pk>/close/", views.close, name="incident-close"),
    path("<int:pk>/comments/", views.comment, name="incident-comment"),
    path("<int:pk>/attachments/", views.upload_attachment, name="incident-attachment-upload"),
    path("<int:pk>/attachments/<int:attachment_pk>/download/", views.attachment_download,
         name="incident-attachment-download"),
]
