"""Sessions: an idle timeout and an absolute lifetime, enforced on the server; sign-out
ends the session there."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.utils import timezone

from tests.conftest import sign_in_with_password

pytestmark = pytest.mark.django_db


@pytest.fixture
def production_sessions(settings):
    settings.SESSION_COOKIE_AGE = 30 * 60
    settings.SESSION_MAX_HOURS = 12
    return settings


@pytest.fixture
def start():
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


def test_it_signs_out_after_thirty_idle_minutes(client, officer_a, production_sessions, start):
    sign_in_with_password(client, "officer_a")

    start.shift(timedelta(minutes=31))
    response = client.get("/incidents/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert client.get("/").status_code == 302


def test_it_keeps_an_active_session_alive_past_the_idle_timeout(client, officer_a,
                                                               production_sessions, start):
    sign_in_with_password(client, "officer_a")

    for _ in range(6):
        start.shift(timedelta(minutes=20))
        assert client.get("/").status_code == 200


def test_it_ends_even_an_active_session_after_twelve_hours(client, officer_a,
                                                           production_sessions, start):
    sign_in_with_password(client, "officer_a")
    for _ in range(12 * 3):
        start.shift(timedelta(minutes=20))
        assert client.get("/").status_code == 200

    start.shift(timedelta(minutes=10))
    response = client.get("/")

    assert response.status_code == 302
    assert "12-hour limit" in client.get(response["Location"]).content.decode()


def test_it_keeps_both_limits_configurable(client, officer_a, settings, start):
    settings.SESSION_COOKIE_AGE = 5 * 60
    settings.SESSION_MAX_HOURS = 1
    sign_in_with_password(client, "officer_a")

    start.shift(timedelta(minutes=6))

    assert client.get("/").status_code == 302


def test_it_expires_the_session_row_on_the_server_with_the_idle_timeout(client, officer_a,
                                                                        production_sessions,
                                                                        start):
    sign_in_with_password(client, "officer_a")

    session = Session.objects.get()
    assert session.expire_date <= timezone.now() + timedelta(minutes=30)


def test_it_writes_the_session_at_most_once_a_minute(client, officer_a, production_sessions,
                                                     start, django_assert_num_queries):
    sign_in_with_password(client, "officer_a")
    client.get("/")
    start.shift(timedelta(seconds=30))
    with django_assert_max_writes(0):
        client.get("/")
    start.shift(timedelta(seconds=40))
    with django_assert_max_writes(1):
        client.get("/")


def test_it_ends_the_session_on_the_server_at_sign_out(client, officer_a):
    sign_in_with_password(client, "officer_a")
    key = client.session.session_key
    assert Session.objects.filter(session_key=key).exists()

    client.post("/accounts/logout/")

    assert not Session.objects.filter(session_key=key).exists()


class django_assert_max_writes:
    """Counts UPDATEs of the session table."""

    def __init__(self, most):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        self.most = most
        self.context = CaptureQueriesContext(connection)

    def __enter__(self):
        self.context.__enter__()

    def __exit__(self, *exc):
        self.context.__exit__(*exc)
        writes = [q for q in self.context.captured_queries
                  if q["sql"].startswith("UPDATE") and "django_session" in q["sql"]]
        assert len(writes) <= self.most, writes
        if self.most:
            assert len(writes) == self.most, writes
