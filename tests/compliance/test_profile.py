"""The profile page: time zone and personal API tokens."""

import pytest
from rest_framework.test import APIClient

from compliance.models import ApiToken, AuditEvent
from compliance.services import create_api_token


@pytest.fixture
def officer_client(client, officer_a):
    client.force_login(officer_a)
    return client


def test_it_shows_the_profile(officer_client):
    response = officer_client.get("/profile/")

    assert response.status_code == 200
    assert b"America/New_York" in response.content
    assert b"No tokens yet." in response.content


def test_it_changes_the_time_zone(officer_client, officer_a):
    response = officer_client.post("/profile/", {"action": "timezone",
                                                 "timezone": "Europe/Berlin"})

    assert response.status_code == 302
    officer_a.refresh_from_db()
    assert officer_a.timezone == "Europe/Berlin"
    assert b"Europe/Berlin" in officer_client.get("/").content


def test_it_refuses_an_unknown_time_zone(officer_client, officer_a):
    response = officer_client.post("/profile/", {"action": "timezone", "timezone": "Mars/Base"})

    assert response.status_code == 200
    assert response.context["profile_form"].errors["timezone"]
    officer_a.refresh_from_db()
    assert officer_a.timezone == "America/New_York"


def test_a_closed_accounts_stale_request_does_not_change_its_time_zone(officer_a, manager):
    """Every write reads its author again: a request read before the account was closed."""
    from django.core.exceptions import PermissionDenied

    from accounts.services import deactivate_user
    from compliance.models import User
    from compliance.services.users import update_profile

    stale = User.objects.get(pk=officer_a.pk)
    deactivate_user(actor=manager, user=officer_a, reason="Left the company.")

    with pytest.raises(PermissionDenied):
        update_profile(actor=stale, timezone_name="Europe/Berlin")
    officer_a.refresh_from_db()
    assert officer_a.timezone == "America/New_York"


def test_it_makes_a_token_and_shows_the_key_once(officer_client, officer_a):
    response = officer_client.post("/profile/", {"action": "create_token", "name": "SIEM"})

    assert response.status_code == 200
    key = response.context["new_key"]
    assert key and key.encode() in response.content
    token = ApiToken.objects.get(user=officer_a)
    assert token.name == "SIEM"
    assert token.key_hash == ApiToken.hash_key(key)
    assert key.encode() not in officer_client.get("/profile/").content

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/me/").json()["username"] == "officer_a"


def test_the_token_form_pressed_twice_makes_one_token(officer_client, officer_a):
    sent = {"action": "create_token", "name": "SIEM", "submission_key": "k-1"}

    first = officer_client.post("/profile/", sent)
    again = officer_client.post("/profile/", sent, follow=True)

    token = ApiToken.objects.get(user=officer_a)
    assert first.context["new_key"].startswith(token.prefix)
    assert again.context["new_key"] is None
    assert (f"This form was already sent: it made token {token.prefix}…"
            in again.content.decode())
    assert AuditEvent.objects.filter(action="api_token.created").count() == 1
    another = officer_client.post("/profile/", {**sent, "submission_key": "k-2"})
    assert another.context["new_key"] and ApiToken.objects.filter(user=officer_a).count() == 2


def test_it_revokes_a_token(officer_client, officer_a):
    token, key = create_api_token(user=officer_a, name="old")

    response = officer_client.post("/profile/", {"action": "revoke_token", "token": token.pk})

    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/me/").status_code == 401
    assert AuditEvent.objects.filter(action="api_token.revoked", actor=officer_a).exists()


def test_it_cannot_revoke_someone_elses_token(officer_client, officer_b):
    token, _ = create_api_token(user=officer_b)

    response = officer_client.post("/profile/", {"action": "revoke_token", "token": token.pk})

    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_it_lists_only_your_own_tokens(officer_client, officer_a, officer_b):
    mine, _ = create_api_token(user=officer_a, name="mine")
    theirs, _ = create_api_token(user=officer_b, name="theirs")

    response = officer_client.get("/profile/")

    assert list(response.context["tokens"]) == [mine]
    assert theirs.prefix.encode() not in response.content


def test_it_reads_the_profile_in_a_fixed_number_of_queries(officer_client, officer_a,
                                                           django_assert_max_num_queries):
    for n in range(5):
        create_api_token(user=officer_a, name=f"t{n}")

    with django_assert_max_num_queries(4):
        assert officer_client.get("/profile/").status_code == 200


def test_a_token_asked_for_as_the_account_is_closed_is_refused_and_none_made(
        client, officer_a, monkeypatch):
    """A manager's deactivation committed after the request read its user: refused (403),
    not a server error, and no token made."""
    from compliance import views
    from compliance.models import ApiToken, User

    client.force_login(officer_a)
    real_first_sending = views.first_sending

    def closed_meanwhile(user, *args, **kwargs):
        User.objects.filter(pk=user.pk).update(is_active=False)
        return real_first_sending(user, *args, **kwargs)

    monkeypatch.setattr(views, "first_sending", closed_meanwhile)
    client.raise_request_exception = False

    response = client.post("/profile/", {"action": "create_token", "name": "SIEM",
                                         "submission_key": "k1"})

    assert response.status_code == 403
    assert "Nothing was changed" in response.content.decode()
    assert not ApiToken.objects.filter(user=officer_a).exists()
