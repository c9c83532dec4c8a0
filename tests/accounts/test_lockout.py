"""Throttled sign-in: a username is locked after repeated failures, whether or not it exists."""

import re
from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from axes.models import AccessAttempt
from django.contrib.auth.hashers import MD5PasswordHasher
from django.utils import timezone

from accounts.services import current_lockouts
from compliance.models import AuditEvent
from tests import factories
from tests.conftest import sign_in_with_password

pytestmark = pytest.mark.django_db

LOCKED = "Too many failed sign-ins for this username"


def fail(client, username, times, address="203.0.113.7"):
    for _ in range(times):
        client.post("/accounts/login/", {"login": username, "password": "guess"},
                    REMOTE_ADDR=address)


def attempt(client, username, password=factories.PASSWORD, address="203.0.113.7"):
    return client.post("/accounts/login/", {"login": username, "password": password},
                       REMOTE_ADDR=address)


def test_it_locks_a_username_after_five_failures_even_with_the_right_password(client,
                                                                              officer_a):
    fail(client, "officer_a", 4)
    assert attempt(client, "officer_a", password="guess").status_code == 429

    response = attempt(client, "officer_a")

    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert response["Retry-After"] == "900"
    assert client.get("/").status_code == 302


def test_it_answers_the_same_whether_or_not_the_account_exists(client, officer_a):
    fail(client, "officer_a", 5)
    fail(client, "nobody_here", 5)

    real, ghost = attempt(client, "officer_a"), attempt(client, "nobody_here")

    assert real.status_code == ghost.status_code == 429
    assert real["Retry-After"] == ghost["Retry-After"]
    bodies = {re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "",
                     r.content.decode().replace(name, "USERNAME"))
              for r, name in [(real, "officer_a"), (ghost, "nobody_here")]}
    assert len(bodies) == 1
    assert LOCKED in bodies.pop()


def test_it_answers_a_wrong_password_the_same_whether_or_not_the_account_exists(client,
                                                                               officer_a):
    real = attempt(client, "officer_a", password="guess").content.decode()
    ghost = attempt(client, "nobody_here", password="guess").content.decode()

    assert "not correct" in real and "not correct" in ghost
    assert real.count("not correct") == ghost.count("not correct")


def test_it_hashes_a_password_once_whether_or_not_the_account_exists(client, officer_a):
    """The same work for both, so timing tells nothing."""
    with mock.patch.object(MD5PasswordHasher, "encode", autospec=True,
                           side_effect=MD5PasswordHasher.encode) as encode:
        attempt(client, "officer_a", password="guess")
        real = encode.call_count
        attempt(client, "nobody_here", password="guess")
        ghost = encode.call_count - real

    assert real == ghost == 1


def test_it_records_one_lockout_event_per_lockout(client, officer_a):
    fail(client, "officer_a", 8)

    event = AuditEvent.objects.get(action="user.locked_out")
    assert event.object_id == str(officer_a.pk)
    assert event.changes["address"] == [None, "203.0.113.7"]


def test_it_records_the_lockout_of_a_username_nobody_has(client):
    fail(client, "ghost", 5)

    event = AuditEvent.objects.get(action="user.locked_out")
    assert event.changes["username"] == [None, "ghost"]


def test_it_counts_a_username_whatever_its_case(client, officer_a):
    fail(client, "OFFICER_A", 3)
    fail(client, "Officer_A", 2)

    assert attempt(client, "officer_a").status_code == 429


def test_failures_on_one_account_do_not_lock_out_another_spelled_alike(client, provider_a):
    """"strasse" and "straße" are two accounts, which sign-in tells apart: five failures
    on one leave the other free."""
    factories.OfficerFactory(username="strasse", provider=provider_a)
    factories.OfficerFactory(username="straße", provider=provider_a)
    fail(client, "strasse", 5)

    assert attempt(client, "strasse").status_code == 429
    assert sign_in_with_password(client, "straße").status_code != 429


def test_it_unlocks_after_fifteen_minutes(client, officer_a):
    fail(client, "officer_a", 5)

    with time_machine.travel(timezone.now() + timedelta(minutes=14)):
        assert attempt(client, "officer_a").status_code == 429
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        assert attempt(client, "officer_a").status_code == 302


def test_it_keeps_the_limit_and_the_lock_configurable(client, officer_a, settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = timedelta(minutes=2)

    fail(client, "officer_a", 3)

    assert attempt(client, "officer_a").status_code == 429
    with time_machine.travel(timezone.now() + timedelta(minutes=3)):
        assert attempt(client, "officer_a").status_code == 302


def test_it_forgets_failures_after_a_good_sign_in(client, officer_a):
    fail(client, "officer_a", 4)
    assert attempt(client, "officer_a").status_code == 302
    client.post("/accounts/logout/")

    fail(client, "officer_a", 4)

    assert attempt(client, "officer_a").status_code == 302


def test_it_throttles_an_address_that_sprays_many_usernames(client, officer_a, settings):
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "3/15m/ip"}
    for name in ("alice", "bob", "carol"):
        fail(client, name, 1)

    response = attempt(client, "officer_a")

    assert "Too many failed login attempts" in response.content.decode()
    assert client.get("/").status_code == 302
    assert attempt(client, "officer_a", address="198.51.100.1").status_code == 302


def test_it_shows_lockouts_to_managers_who_clear_them(client, signed_in, officer_a, manager):
    fail(client, "officer_a", 5)
    fail(client, "ghost", 5)
    managers = signed_in(manager)

    page = managers.get("/people/lockouts/").content.decode()
    response = managers.post("/people/lockouts/clear/", {"username": "officer_a"})

    assert "officer_a" in page and "ghost" in page and "no such account" in page
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="officer_a").exists()
    assert AccessAttempt.objects.filter(username="ghost").exists()
    event = AuditEvent.objects.get(action="user.lockout_cleared")
    assert (event.actor, event.object_id) == (manager, str(officer_a.pk))
    from django.test import Client

    assert attempt(Client(), "officer_a").status_code == 302


# Attempts are kept under Python's lower case ("Émile" is "émile"), which SQLite's LOWER
# (make run's database) folds for ASCII letters only: the page names the account all the same.
@pytest.mark.parametrize("username", ["Alice.Smith", "Émile.Durand"])
def test_it_names_the_account_of_a_locked_username_whatever_its_case(
        client, signed_in, manager, provider_a, username):
    """Attempts are kept under the folded username: the page still links the account."""
    person = factories.OfficerFactory(username=username, provider=provider_a)
    fail(client, username, 5)

    page = signed_in(manager).get("/people/lockouts/").content.decode()

    assert username.lower() in page
    assert f"/people/{person.pk}/" in page
    assert "no such account" not in page


@pytest.mark.parametrize("who", ["officer_a", "reviewer"])
def test_it_keeps_lockouts_from_everyone_but_managers(who, request, client, signed_in):
    fail(client, "victim", 5)
    other = signed_in(request.getfixturevalue(who))

    assert other.get("/people/lockouts/").status_code == 403
    assert other.post("/people/lockouts/clear/", {"username": "victim"}).status_code == 403
    assert AccessAttempt.objects.filter(username="victim").exists()


def test_it_locks_the_admin_too_as_it_has_the_same_sign_in(client, manager):
    fail(client, "manager", 5)

    response = sign_in_with_password(client, "manager")

    assert response.status_code == 429
    assert client.get("/admin/").status_code == 302


def test_it_still_lets_tests_use_client_login_with_a_request(client, officer_a):
    from django.http import HttpRequest

    assert client.login(request=HttpRequest(), username="officer_a",
                        password=factories.PASSWORD)
    assert client.get("/").status_code == 200


def test_a_sign_in_without_a_password_says_what_is_wrong(client, officer_a):
    response = client.post("/accounts/login/", {"login": "officer_a", "password": ""})

    page = response.content.decode()
    # The error follows the field, and is the field's description.
    assert re.search(r'id="id_password"[^>]*>\s*<div id="id_password_error"><p class="error '
                     r'field-error">[^<]+</p>', page)
    assert re.search(r'<input[^>]*id="id_password"[^>]*aria-describedby="id_password_error"',
                     page)


def test_the_locked_out_page_keeps_where_the_user_was_going(client, officer_a):
    for _ in range(6):
        response = client.post("/accounts/login/?next=/incidents/",
                               {"login": "officer_a", "password": "guess", "next": "/incidents/"},
                               REMOTE_ADDR="203.0.113.7")

    assert response.status_code == 429
    assert '<input type="hidden" name="next" value="/incidents/">' in response.content.decode()
    response = client.post("/accounts/login/", {"login": "officer_a", "password": "guess",
                                                "next": "https://evil.example/"},
                           REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 429 and "evil.example" not in response.content.decode()


def test_a_cleared_lockout_lets_the_person_in_after_tries_made_while_it_held(
        client, signed_in, officer_a, manager):
    """Someone guesses five times (the lock) and keeps trying while it holds; a manager
    clears it: the officer signs in with the right password, from another address."""
    from django.test import Client

    for _ in range(10):
        attempt(client, "officer_a", password="guess")
    assert signed_in(manager).post("/people/lockouts/clear/",
                                   {"username": "officer_a"}).status_code == 302

    response = attempt(Client(), "officer_a", address="198.51.100.20")

    assert response.status_code == 302


# Five failures, each within 15 minutes of the one before, lock the username whatever
# browsers and addresses they came from (django-axes keeps a row for each).
def _try(client, password="guess", address="203.0.113.7", agent="Mozilla/5.0"):
    return client.post("/accounts/login/", {"login": "officer_a", "password": password},
                       REMOTE_ADDR=address, HTTP_USER_AGENT=agent)


def test_five_failures_four_minutes_apart_lock_whatever_user_agent_each_sends(client,
                                                                               officer_a):
    start = timezone.now()
    for n in range(5):  # each 4 minutes after the one before, from one address
        with time_machine.travel(start + timedelta(minutes=4 * n), tick=False):
            _try(client, agent=f"Mozilla/5.0 (try {n})")

    with time_machine.travel(start + timedelta(minutes=17), tick=False):
        response = _try(client, password=factories.PASSWORD, agent="Mozilla/5.0")
        assert [lock.username for lock in current_lockouts()] == ["officer_a"]

    assert response.status_code == 429
    assert AuditEvent.objects.filter(action="user.locked_out").count() == 1


def test_five_failures_four_minutes_apart_from_several_addresses_lock(client, officer_a):
    start = timezone.now()
    for n in range(5):
        with time_machine.travel(start + timedelta(minutes=4 * n), tick=False):
            _try(client, address=f"203.0.113.{n + 1}")

    with time_machine.travel(start + timedelta(minutes=17), tick=False):
        response = _try(client, password=factories.PASSWORD, address="198.51.100.9")

    assert response.status_code == 429


def test_the_same_spread_from_one_browser_locks(client, officer_a):
    """The control: the same timing from one browser and address locks, as it should."""
    start = timezone.now()
    for n in range(5):
        with time_machine.travel(start + timedelta(minutes=4 * n), tick=False):
            _try(client)

    with time_machine.travel(start + timedelta(minutes=17), tick=False):
        assert _try(client, password=factories.PASSWORD).status_code == 429


def test_the_lockouts_page_keeps_the_first_failure_of_a_chain_from_several_addresses(
        client, officer_a, manager):
    """Five failures four minutes apart from five addresses: the lockouts page's "First"
    is the first failure, "Last" the last."""
    start = timezone.now().replace(microsecond=0)
    for n in range(5):
        with time_machine.travel(start + timedelta(minutes=4 * n), tick=False):
            _try(client, address=f"203.0.113.{n + 1}")

    with time_machine.travel(start + timedelta(minutes=17), tick=False):
        [lockout] = current_lockouts()

    assert lockout.failures == 5
    assert lockout.last_failure_at == start + timedelta(minutes=16)
    assert lockout.first_failure_at == start, (
        f"first failure shown at {lockout.first_failure_at - start} after the first one")


def test_a_lockout_cleared_twice_is_recorded_once(client, signed_in, officer_a, manager):
    fail(client, "officer_a", 5)
    managers = signed_in(manager)

    managers.post("/people/lockouts/clear/", {"username": "officer_a"})
    again = managers.post("/people/lockouts/clear/", {"username": "officer_a"}, follow=True)

    assert AuditEvent.objects.filter(action="user.lockout_cleared").count() == 1
    assert "no failed sign-ins to clear" in again.content.decode()


def test_clearing_a_username_never_locked_records_nothing(signed_in, officer_a, manager):
    response = signed_in(manager).post("/people/lockouts/clear/", {"username": "officer_a"},
                                       follow=True)

    assert not AuditEvent.objects.filter(action="user.lockout_cleared").exists()
    assert "may sign in again" not in response.content.decode()
