"""Times are shown in the user's zone on pages; the API always speaks UTC."""

from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import timezone

from compliance.middleware import UserTimezoneMiddleware


def zone_seen_by_view(user, path):
    seen = {}

    def view(request):
        seen["zone"] = timezone.get_current_timezone_name()
        return HttpResponse()

    request = RequestFactory().get(path)
    request.user = user
    UserTimezoneMiddleware(view)(request)
    return seen["zone"]


def test_it_shows_pages_in_the_users_time_zone(officer_a):
    officer_a.timezone = "Asia/Tokyo"

    assert zone_seen_by_view(officer_a, "/profile/") == "Asia/Tokyo"


def test_it_keeps_the_api_in_utc_for_a_session_user(officer_a):
    officer_a.timezone = "Asia/Tokyo"

    assert zone_seen_by_view(officer_a, "/api/v1/me/") == "UTC"


def test_it_uses_utc_for_anonymous_visitors(db):
    from django.contrib.auth.models import AnonymousUser

    assert zone_seen_by_view(AnonymousUser(), "/accounts/login/") == "UTC"


def test_it_falls_back_to_utc_for_an_unknown_zone(officer_a):
    officer_a.timezone = "Mars/Olympus_Mons"

    assert zone_seen_by_view(officer_a, "/") == "UTC"
