import zoneinfo

from django.shortcuts import render
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
