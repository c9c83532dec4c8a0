"""`GET /api/v1/me/`: who the caller is."""

from rest_framework.test import APIClient

URL = "/api/v1/me/"


def test_it_describes_a_provider_officer(officer_a, api_for):
    response = api_for(officer_a).get(URL)

    assert response.status_code == 200
    assert response.json() == {
        "username": "officer_a",
        "role": "provider_officer",
        "provider": officer_a.provider_id,
        "timezone": "America/New_York",
    }


def test_it_gives_usps_staff_no_provider(reviewer, manager, api_for):
    assert api_for(reviewer).get(URL).json()["provider"] is None
    assert api_for(reviewer).get(URL).json()["role"] == "usps_reviewer"
    assert api_for(manager).get(URL).json()["role"] == "usps_manager"


def test_it_describes_a_viewer(viewer_a, api_for):
    body = api_for(viewer_a).get(URL).json()

    assert body["role"] == "provider_viewer"
    assert body["provider"] == viewer_a.provider_id


def test_it_answers_401_to_anonymous_callers(db):
    response = APIClient().get(URL)

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Token")


def test_it_is_read_only(officer_a, api_for):
    response = api_for(officer_a).patch(URL, {"timezone": "Europe/Berlin"})

    assert response.status_code == 405
    officer_a.refresh_from_db()
    assert officer_a.timezone == "America/New_York"
