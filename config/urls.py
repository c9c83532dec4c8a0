from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from compliance.admin import admin_site
from compliance.exports.api import JsonErrorsMixin
from compliance.health import healthz
from notifications.failures import failed_emails


class SchemaView(JsonErrorsMixin, SpectacularAPIView):
    """The OpenAPI schema; refusals (a format not offered) in JSON, as the API's are."""


class DocsView(JsonErrorsMixin, SpectacularSwaggerSplitView):
    """The interactive API docs; a refusal (a bad token, a format not offered) in JSON, as
    the API's are."""


urlpatterns = [
    path("accounts/", include("accounts.account_urls")),
    path("accounts/", include("allauth.urls")),
    path("people/", include("accounts.urls")),
    path("admin/", admin_site.urls),
    path("healthz", healthz, name="healthz"),
    path("notifications/failed/", failed_emails, name="failed-emails"),
    path("api/schema/", SchemaView.as_view(), name="api-schema"),
    # The split view serves its script as a file: no inline script under the CSP.
    path("api/docs/", DocsView.as_view(url_name="api-schema"),
         name="api-docs"),
    path("api/v1/", include("reports.extensions.api_urls")),
    path("api/v1/", include("incidents.api.urls")),
    path("api/v1/", include("compliance.api.urls")),
    path("api/v1/", include("compliance.enforcement.api_urls")),
    path("api/v1/", include("reports.api.urls")),
    path("notifications/", include("notifications.urls")),
    path("incidents/", include("incidents.urls")),
    path("reports/", include("reports.urls")),
    path("", include("reports.extensions.urls")),
    path("", include("reports.procedures.urls")),
    path("", include("reports.metrics.urls")),
    path("", include("compliance.enforcement.urls")),
    path("", include("compliance.urls")),
]

handler400 = "compliance.api.exceptions.bad_request"
handler500 = "config.views.server_error"
handler404 = "compliance.api.exceptions.not_found"
