from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from compliance.admin import admin_site
from compliance.health import healthz
from notifications.failures import failed_emails

urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True),
         name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin_site.urls),
    path("healthz", healthz, name="healthz"),
    path("notifications/failed/", failed_emails, name="failed-emails"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/", include("reports.extensions.api_urls")),
    path("api/v1/", include("incidents.api.urls")),
    path("api/v1/", include("compliance.api.urls")),
    path("api/v1/", include("reports.api.urls")),
    path("notifications/", include("notifications.urls")),
    path("incidents/", include("incidents.urls")),
    path("reports/", include("reports.urls")),
    path("", include("reports.extensions.urls")),
    path("", include("reports.procedures.urls")),
    path("", include("reports.metrics.urls")),
    path("", include("compliance.urls")),
]
