from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("proceedings", api.ProceedingViewSet, basename="api-proceeding")

urlpatterns = [
    path("providers/<int:pk>/compliance-record/", api.ComplianceRecordView.as_view(),
         name="api-compliance-record"),
    path("proceedings/<int:proceeding_pk>/steps/", api.StepListView.as_view(),
         name="api-proceeding-steps"),
    path("proceedings/<int:proceeding_pk>/steps/<int:pk>/amend/", api.StepAmendView.as_view(),
         name="api-proceeding-step-amend"),
    path("proceedings/<int:proceeding_pk>/notes/", api.NoteListView.as_view(),
         name="api-proceeding-notes"),
    *router.urls,
]
