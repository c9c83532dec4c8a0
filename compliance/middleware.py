import json
import zoneinfo

from django.conf import settings
from django.http.response import HttpResponseRedirectBase
from django.shortcuts import render
from django.urls import is_valid_path
from django.utils import timezone

# The API publishes times in UTC (`Z`), whoever calls; DRF renders datetimes in the
# current time zone, so it must stay UTC there even for a browser-session caller.
API_PREFIX = "/api/"


class UserTimezoneMiddleware:
    """Show times in the signed-in user's time zone on pages; everything is stored in UTC."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        timezone.deactivate()
        if (user is not None and user.is_authenticated
                and not request.path_info.startswith(API_PREFIX)):
            try:
                timezone.activate(zoneinfo.ZoneInfo(user.timezone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                pass
        return self.get_response(request)


class StyledMethodNotAllowedMiddleware:
    """A page address reached with a method it does not take (a form's address opened by
    GET) answers a page with the navigation and a way on, never a bare 405."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (response.status_code == 405 and not response.content
                and not request.path_info.startswith(API_PREFIX)):
            styled = render(request, "405.html", status=405)
            if response.has_header("Allow"):
                styled["Allow"] = response["Allow"]
            return styled
        return response


class PermanentRedirectKeepingMethod(HttpResponseRedirectBase):
    status_code = 308


class ApiSlashMiddleware:
    """A write to an API path without its trailing slash (`POST /api/v1/incidents`) is
    answered 308 to the path with it, which a client follows with the same method and body;
    Django's own redirect (301) is followed as a GET, which files nothing and answers 200.
    Goes before CommonMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if (request.method not in ("GET", "HEAD") and path.startswith(API_PREFIX)
                and not path.endswith("/") and settings.APPEND_SLASH
                and not is_valid_path(path, getattr(request, "urlconf", None))
                and is_valid_path(f"{path}/", getattr(request, "urlconf", None))):
            location = request.get_full_path(force_append_slash=True)
            return PermanentRedirectKeepingMethod(
                location, content=json.dumps(
                    {"detail": f"The address ends with a slash: {location}"}),
                content_type="application/json")
        return self.get_response(request)
