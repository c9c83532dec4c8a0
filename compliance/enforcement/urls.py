from django.urls import path

from . import views

urlpatterns = [
    path("providers/<int:pk>/compliance-record/", views.compliance_record_page,
         name="compliance-record"),
    path("providers/<int:pk>/compliance-record/duties/", views.compliance_record_duties,
         name="compliance-record-duties"),
    path("proceedings/", views.proceeding_list, name="proceeding-list"),
    path("proceedings/new/", views.proceeding_create, name="proceeding-create"),
    path("proceedings/<int:pk>/", views.proceeding_detail, name="proceeding-detail"),
    path("proceedings/<int:pk>/steps/", views.proceeding_step, name="proceeding-step"),
    path("proceedings/<int:pk>/steps/<int:step_pk>/amend/", views.proceeding_step_amend,
         name="proceeding-step-amend"),
    path("proceedings/<int:pk>/notes/", views.proceeding_note, name="proceeding-note"),
]
