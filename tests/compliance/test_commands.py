"""The operator commands `create_user` and `create_api_token`."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from compliance.models import ApiToken, Role, User

PASSWORD = "a-long-passphrase-for-tests"


@pytest.fixture
def new_user_password(monkeypatch):
    monkeypatch.setenv("NEW_USER_PASSWORD", PASSWORD)
    return PASSWORD


def run(*args):
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_it_creates_a_provider_officer(new_user_password, provider_a):
    output = run("create_user", "olive", "--role", "provider_officer", "--provider",
                 str(provider_a.pk), "--email", "olive@example.com", "--timezone", "Europe/Paris")

    user = User.objects.get(username="olive")
    assert (user.role, user.provider, user.email, user.timezone) == (
        Role.PROVIDER_OFFICER, provider_a, "olive@example.com", "Europe/Paris")
    assert user.check_password(new_user_password)
    assert "Created olive" in output


def test_it_creates_a_usps_reviewer_without_a_provider(new_user_password, db):
    run("create_user", "rita", "--role", "usps_reviewer")

    user = User.objects.get(username="rita")
    assert user.provider is None
    assert user.check_password(new_user_password)


def test_it_refuses_a_provider_role_without_a_provider(new_user_password, db):
    with pytest.raises(CommandError, match="exactly one provider"):
        run("create_user", "nobody", "--role", "provider_viewer")
    assert not User.objects.exists()


def test_it_refuses_a_usps_role_with_a_provider(new_user_password, provider_a):
    with pytest.raises(CommandError):
        run("create_user", "insider", "--role", "usps_manager", "--provider", str(provider_a.pk))
    assert not User.objects.exists()


def test_it_refuses_an_unknown_provider(new_user_password, db):
    with pytest.raises(CommandError, match="No provider with id 999"):
        run("create_user", "ghost", "--role", "provider_officer", "--provider", "999")


def test_it_refuses_an_unknown_role(new_user_password, db):
    with pytest.raises(CommandError):
        run("create_user", "odd", "--role", "postmaster")


def test_it_refuses_an_unknown_time_zone(new_user_password, db):
    with pytest.raises(CommandError, match="^--timezone: "):
        run("create_user", "tz", "--role", "usps_reviewer", "--timezone", "Mars/Base")
    assert not User.objects.exists()


@pytest.mark.parametrize(("arguments", "named"), [
    (["bob", "--timezone", ""], "--timezone: This field cannot be blank."),
    (["", "--timezone", "UTC"], "username: This field cannot be blank."),
    (["bob", "--email", "x" * 300 + "@example.gov"], "--email: "),
])
def test_a_refusal_names_the_argument_it_is_about(new_user_password, db, arguments, named):
    """"This field cannot be blank." alone does not say which of the arguments."""
    with pytest.raises(CommandError) as refused:
        run("create_user", *arguments, "--role", "usps_reviewer")

    assert named in str(refused.value)
    assert not User.objects.exists()


def test_it_refuses_a_weak_password(monkeypatch, db):
    monkeypatch.setenv("NEW_USER_PASSWORD", "123")

    with pytest.raises(CommandError, match="This password is too short"):
        run("create_user", "weak", "--role", "usps_reviewer")
    assert not User.objects.exists()


def test_it_refuses_a_taken_username(new_user_password, reviewer):
    with pytest.raises(CommandError):
        run("create_user", "reviewer", "--role", "usps_reviewer")


def test_it_needs_a_password_when_not_in_a_terminal(monkeypatch, db):
    monkeypatch.delenv("NEW_USER_PASSWORD", raising=False)
    monkeypatch.setattr("os.isatty", lambda fd: False)

    with pytest.raises(CommandError, match="NEW_USER_PASSWORD"):
        run("create_user", "nopass", "--role", "usps_reviewer")


def test_it_prints_a_new_token_alone_on_its_line(officer_a):
    output = run("create_api_token", "officer_a")

    lines = output.splitlines()
    assert len(lines) == 1
    key = lines[0]
    assert key == key.strip() and len(key) >= 32
    token = ApiToken.objects.get(user=officer_a)
    assert token.key_hash == ApiToken.hash_key(key)

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/me/").json()["username"] == "officer_a"


def test_it_prints_a_different_token_each_time(officer_a):
    assert run("create_api_token", "officer_a") != run("create_api_token", "officer_a")
    assert ApiToken.objects.filter(user=officer_a).count() == 2


def test_it_refuses_a_token_for_an_unknown_or_inactive_user(officer_a):
    officer_a.is_active = False
    officer_a.save()

    with pytest.raises(CommandError):
        run("create_api_token", "officer_a")
    with pytest.raises(CommandError):
        run("create_api_token", "nobody")
    assert not ApiToken.objects.exists()
