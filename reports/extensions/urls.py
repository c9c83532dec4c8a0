from django.urls import path

from . import views

urlpatterns = [
    path("obligations/<int:pk>/", views.obligation_detail, name="obligation-detail"),
]
