"""403, 404 and 500 answer pages with the navigation, never a bare error."""

from unittest import mock

import pytest
from django.urls import path

from config import urls as site_urls

pytestmark = pytest.mark.django_db


def boom(request):
    raise RuntimeError("a bug")


urlpatterns = [path("boom/", boom), *site_urls.urlpatterns]
handler500 = "config.views.server_error"


def styled(response):
    body = response.content.decode()
    return 'data-testid="error-page"' in body and 'class="mainnav"' in body


def test_a_page_that_does_not_exist_answers_a_styled_404(signed_in, officer_a):
    response = signed_in(officer_a).get("/incidents/987654/")

    assert response.status_code == 404 and styled(response)
    assert "Not found" in response.content.decode()


def test_a_page_the_role_may_not_open_answers_a_styled_403(signed_in, officer_a):
    response = signed_in(officer_a).get("/incidents/queue/")

    assert response.status_code == 403 and styled(response)
    assert "As a provider compliance officer you may not" in response.content.decode()


def test_a_server_error_answers_a_styled_500_with_the_navigation(client, officer_a,
                                                                  settings):
    settings.ROOT_URLCONF = __name__
    client.raise_request_exception = False
    client.force_login(officer_a)

    response = client.get("/boom/")

    assert response.status_code == 500 and styled(response)
    assert "a bug" not in response.content.decode()


def test_the_500_page_still_answers_when_the_navigation_cannot_be_drawn(client, settings):
    settings.ROOT_URLCONF = __name__
    client.raise_request_exception = False

    with mock.patch("config.views.render", side_effect=RuntimeError("database down")):
        response = client.get("/boom/")

    assert response.status_code == 500
    assert 'data-testid="error-page"' in response.content.decode()


def test_the_api_keeps_its_json_errors(api_for, officer_a):
    response = api_for(officer_a).get("/api/v1/incidents/987654/")

    assert response.status_code == 404 and response["Content-Type"] == "application/json"
