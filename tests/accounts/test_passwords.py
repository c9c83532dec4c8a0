"""Forgotten and changed passwords: same answer for any address, single-use expiring link,
and every other session ends."""

import re
from datetime import timedelta

import pytest
import time_machine
from allauth.usersessions.models import UserSession
from django.test import Client
from django.utils import timezone

from compliance.models import AuditEvent
from notifications.models import OutboundEmail
from tests import factories
from tests.conftest import sign_in_with_password

pytestmark = pytest.mark.django_db

NEW = "quiet-meadow-compass-77"


def ask_reset(client, address):
    return client.post("/accounts/password/reset/", {"email": address}, follow=True)


def reset_link(officer):
    email = OutboundEmail.objects.get(template="password_reset_key", recipient=officer)
    body = email.rendered.body_text
    return re.search(r"http://\S+(/accounts/password/reset/key/\S+/)", body).group(1)


def choose(client, path, password=NEW):
    page = client.get(path, follow=True)
    return client.post(page.redirect_chain[-1][0] if page.redirect_chain else path,
                       {"password1": password, "password2": password})


def test_it_answers_the_same_for_a_known_and_an_unknown_address(client, officer_a):
    known = ask_reset(client, officer_a.email)
    unknown = ask_reset(Client(), "nobody@nowhere.example")

    assert known.status_code == unknown.status_code == 200
    assert known.redirect_chain == unknown.redirect_chain
    assert OutboundEmail.objects.filter(template="password_reset_key").count() == 1
    assert OutboundEmail.objects.get().to_address == officer_a.email


def test_it_resets_the_password_once_with_the_e_mailed_link(client, officer_a):
    ask_reset(client, officer_a.email)
    path = reset_link(officer_a)

    choose(client, path)
    officer_a.refresh_from_db()
    assert officer_a.check_password(NEW)

    again = choose(Client(), path, password="another-fine-password-9")
    officer_a.refresh_from_db()
    assert officer_a.check_password(NEW)
    assert "invalid" in again.content.decode().lower()


def test_it_refuses_an_expired_link(client, officer_a, settings):
    ask_reset(client, officer_a.email)
    path = reset_link(officer_a)

    with time_machine.travel(timezone.now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT
                                                        + 60)):
        choose(client, path)

    officer_a.refresh_from_db()
    assert officer_a.check_password(factories.PASSWORD)


def test_it_refuses_an_altered_link(client, officer_a):
    ask_reset(client, officer_a.email)
    path = reset_link(officer_a)

    choose(client, path[:-4] + "zzz/")

    officer_a.refresh_from_db()
    assert officer_a.check_password(factories.PASSWORD)


def test_it_ends_every_session_when_the_password_is_reset(client, officer_a):
    elsewhere = Client()
    sign_in_with_password(elsewhere, "officer_a")
    ask_reset(client, officer_a.email)

    choose(client, reset_link(officer_a))

    assert elsewhere.get("/").status_code == 302
    assert not UserSession.objects.filter(user=officer_a).exists()
    assert AuditEvent.objects.filter(action="user.password_reset").exists()


def test_it_changes_the_password_on_the_profile_ending_other_sessions(client, officer_a):
    elsewhere = Client()
    sign_in_with_password(elsewhere, "officer_a")
    sign_in_with_password(client, "officer_a")
    assert "Change password" in client.get("/profile/").content.decode()

    response = client.post("/accounts/password/change/", {
        "oldpassword": factories.PASSWORD, "password1": NEW, "password2": NEW,
        "next": "/profile/"})

    assert response.status_code == 302 and response["Location"] == "/profile/"
    officer_a.refresh_from_db()
    assert officer_a.check_password(NEW)
    assert client.get("/").status_code == 200
    assert elsewhere.get("/").status_code == 302
    assert UserSession.objects.filter(user=officer_a).count() == 1
    assert AuditEvent.objects.filter(action="user.password_changed", actor=officer_a).exists()


def test_it_applies_djangos_password_validators_on_change(client, officer_a):
    sign_in_with_password(client, "officer_a")

    response = client.post("/accounts/password/change/", {
        "oldpassword": factories.PASSWORD, "password1": "12345678", "password2": "12345678"})

    assert response.status_code == 200
    officer_a.refresh_from_db()
    assert officer_a.check_password(factories.PASSWORD)


def test_it_tells_the_person_by_e_mail_when_their_password_changes(client, officer_a):
    sign_in_with_password(client, "officer_a")

    client.post("/accounts/password/change/", {
        "oldpassword": factories.PASSWORD, "password1": NEW, "password2": NEW})

    notice = OutboundEmail.objects.get(template="security_notice")
    assert notice.recipient == officer_a and "password was changed" in notice.rendered.body_text


def test_the_outbox_keeps_the_reset_link_sealed(client, officer_a):
    """A copy of the database alone gives no working reset link; the e-mail sent has it."""
    import json

    ask_reset(client, officer_a.email)
    row = OutboundEmail.objects.get(template="password_reset_key")

    assert "/accounts/password/reset/key/" not in json.dumps(row.context)
    assert reset_link(officer_a).startswith("/accounts/password/reset/key/")


def test_the_reset_link_is_on_site_url_whatever_host_asked(client, officer_a, settings):
    settings.SITE_URL = "https://pes-cases.example.gov"
    settings.ALLOWED_HOSTS = ["pes-cases.example.gov", "127.0.0.1"]

    client.post("/accounts/password/reset/", {"email": officer_a.email}, HTTP_HOST="127.0.0.1")

    body = OutboundEmail.objects.get(template="password_reset_key").rendered.body_text
    [link] = [line for line in body.splitlines() if "/accounts/password/reset/key/" in line]
    assert link.strip().startswith("https://pes-cases.example.gov/accounts/password/reset/key/")
