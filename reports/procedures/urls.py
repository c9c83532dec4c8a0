from django.urls import path

from . import views

urlpatterns = [
    path("procedures/", views.procedures_list, name="procedures-list"),
    path("procedures/<int:pk>/", views.procedures_review, name="procedures-review"),
    path("procedures/<int:pk>/download/", views.procedures_download,
         name="procedures-download"),
]
