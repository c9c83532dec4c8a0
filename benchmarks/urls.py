"""The project's URLs and, beside them, the hand-tuned ceiling of the incident list."""

from django.urls import path

from benchmarks.ceiling import incident_list
from config.urls import handler404, handler500  # noqa: F401
from config.urls import urlpatterns as project

urlpatterns = [path("bench/ceiling/incidents/", incident_list), *project]
