from django.urls import path

from . import views

urlpatterns = [
    path("<int:pk>/", views.report_detail, name="report-detail"),
    path("<int:pk>/edit/", views.report_edit, name="report-edit"),
    path("<int:pk>/accept/", views.report_accept, name="report-accept"),
    path("<int:pk>/return/", views.report_return, name="report-return"),
    path("incident/<int:incident_pk>/<str:kind>/", views.report_create, name="report-create"),
]
