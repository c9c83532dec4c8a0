from django.urls import path

from . import views

urlpatterns = [
    path("preferences/", views.preferences, name="notification-preferences"),
    path("calendar/<str:secret>.ics", views.calendar_feed, name="calendar-feed"),
    path("policy/", views.deadline_policy, name="deadline-policy"),
]
