from django.urls import path

from . import views

urlpatterns = [
    path("", views.incident_list, name="incident-list"),
    path("new/", views.report_discovery, name="incident-create"),
    path("<int:pk>/", views.incident_detail, name="incident-detail"),
    path("<int:pk>/edit/", views.edit_draft, name="incident-edit"),
    path("<int:pk>/submit/", views.submit, name="incident-submit"),
    path("<int:pk>/amend/", views.amend, name="incident-amend"),
    path("<int:pk>/versions/", views.incident_versions, name="incident-versions"),
    path("<int:pk>/attachments/", views.upload_attachment, name="incident-attachment-upload"),
    path("<int:pk>/attachments/<int:attachment_pk>/download/", views.attachment_download,
         name="incident-attachment-download"),
]
