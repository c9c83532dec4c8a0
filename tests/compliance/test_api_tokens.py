"""Authentication: personal tokens (`Authorization: Token <key>`) and the browser session."""

import pytest
from rest_framework.test import APIClient

from compliance.models import Affiliate, ApiToken
from compliance.services import create_api_token, revoke_api_token
from tests import factories

ME = "/api/v1/me/"
AFFILIATES = "/api/v1/affiliates/"


def token_client(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_it_authenticates_with_a_personal_token(officer_a):
    _, key = create_api_token(user=officer_a, name="SIEM")

    response = token_client(key).get(ME)

    assert response.status_code == 200
    assert response.json()["username"] == "officer_a"


def test_it_stores_only_the_hash_of_the_key(officer_a):
    token, key = create_api_token(user=officer_a)

    assert key not in (token.key_hash, token.prefix)
    assert token.key_hash == ApiToken.hash_key(key)
    assert token.prefix == key[:8]


def test_it_scopes_token_callers_like_everyone_else(officer_b, provider_a):
    affiliate = factories.AffiliateFactory(provider=provider_a)
    _, key = create_api_token(user=officer_b)

    assert token_client(key).get(f"{AFFILIATES}{affiliate.pk}/").status_code == 404


def test_it_writes_with_a_token_and_no_csrf(officer_a, provider_a):
    _, key = create_api_token(user=officer_a)
    client = APIClient(enforce_csrf_checks=True)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    response = client.post(AFFILIATES, {"name": "Tokened", "relationship": "assign",
                                        "country": "US"}, format="json")

    assert response.status_code == 201


def test_it_records_when_a_token_was_last_used(officer_a):
    token, key = create_api_token(user=officer_a)

    token_client(key).get(ME)

    token.refresh_from_db()
    assert token.last_used_at is not None


def test_it_refuses_a_revoked_token(officer_a):
    token, key = create_api_token(user=officer_a)
    revoke_api_token(user=officer_a, token=token)

    assert token_client(key).get(ME).status_code == 401


def test_it_refuses_a_token_of_a_deactivated_user(officer_a):
    _, key = create_api_token(user=officer_a)
    officer_a.is_active = False
    officer_a.save()

    assert token_client(key).get(ME).status_code == 401


@pytest.mark.parametrize("header", ["Token not-a-real-key", "Token", "Bearer abc"])
def test_it_refuses_a_bad_authorization_header(header, officer_a):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)

    assert client.get(ME).status_code == 401


def test_it_refuses_to_make_a_token_for_an_inactive_user(officer_a):
    from django.core.exceptions import ValidationError

    officer_a.is_active = False
    officer_a.save()
    with pytest.raises(ValidationError):
        create_api_token(user=officer_a)
    assert not ApiToken.objects.exists()


@pytest.fixture
def session_client(officer_a):
    client = APIClient(enforce_csrf_checks=True)
    client.get("/accounts/login/")  # the CSRF cookie
    response = client.post("/accounts/login/", {
        "login": "officer_a", "password": factories.PASSWORD,
        "csrfmiddlewaretoken": client.cookies["csrftoken"].value}, format="multipart")
    assert response.status_code == 302
    return client


def test_it_reads_with_the_browser_session(session_client):
    response = session_client.get(ME)

    assert response.status_code == 200
    assert response.json()["username"] == "officer_a"


def test_it_refuses_a_session_write_without_csrf(session_client):
    response = session_client.post(
        AFFILIATES, {"name": "No CSRF", "relationship": "dealer", "country": "US"}, format="json"
    )

    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert not Affiliate.objects.filter(name="No CSRF").exists()


def test_it_accepts_a_session_write_with_csrf(session_client):
    session_client.get("/profile/")  # any page with a form sets the CSRF cookie
    csrf = session_client.cookies["csrftoken"].value

    response = session_client.post(
        AFFILIATES, {"name": "With CSRF", "relationship": "dealer", "country": "US"},
        format="json", HTTP_X_CSRFTOKEN=csrf,
    )

    assert response.status_code == 201, response.json()


def test_a_token_asked_for_by_a_request_read_before_a_deactivation_is_refused(provider_a):
    from django.core.exceptions import ValidationError

    from accounts.services.people import deactivate_user
    from compliance.models import ApiToken, User
    from compliance.services import create_api_token

    officer = factories.OfficerFactory(provider=provider_a)
    read_before = User.objects.get(pk=officer.pk)  # the request's user, then deactivated
    deactivate_user(actor=factories.ManagerFactory(), user=officer)

    with pytest.raises(ValidationError):
        create_api_token(user=read_before, name="retry")

    assert not ApiToken.objects.filter(user=officer).exists()
