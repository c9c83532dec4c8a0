"""The cast every test knows: officers of providers A and B, and a USPS reviewer."""

import os

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from tests import factories

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def require_service(reason):
    """Skip locally when a real service is missing; under CI=true, fail instead."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"required service missing under CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rate limits, throttles and used TOTP codes live in the cache: each test starts clean."""
    cache.clear()


@pytest.fixture
def provider_a(db):
    return factories.ProviderFactory(name="Alpha Postage")


@pytest.fixture
def provider_b(db):
    return factories.ProviderFactory(name="Bravo Meters")


@pytest.fixture
def officer_a(provider_a):
    return factories.OfficerFactory(username="officer_a", provider=provider_a)


@pytest.fixture
def viewer_a(provider_a):
    return factories.ViewerFactory(username="viewer_a", provider=provider_a)


@pytest.fixture
def officer_b(provider_b):
    return factories.OfficerFactory(username="officer_b", provider=provider_b)


@pytest.fixture
def reviewer(db):
    return factories.ReviewerFactory(username="reviewer")


@pytest.fixture
def manager(db):
    return factories.ManagerFactory(username="manager")


@pytest.fixture
def api():
    """An API client; `api.force_authenticate(user)` signs a user in."""
    return APIClient()


@pytest.fixture
def signed_in(client):
    """`signed_in(user)` is the test client with `user` signed in."""

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


def sign_in_with_password(client, username, password=factories.PASSWORD, code=None,
                          secret=None):
    """Sign in through the real sign-in page, and the second-factor page when `code` is
    given, or the code of the authenticator app with `secret` (`factories.enrol_totp`),
    read once the password is through: a code read before could be a period old by then.
    Returns the last answer."""
    response = client.post("/accounts/login/", {"login": username, "password": password})
    if secret is not None:
        code = factories.totp_code(secret)
    if code is not None:
        response = client.post("/accounts/2fa/authenticate/", {"code": code})
    return response


def setting_from_environment(name, tmp_path, **environment):
    """The value of setting `name`, as printed, in a fresh process of the real settings
    given only `environment` (and a PATH, a VAR_DIR under `tmp_path` and the suite's
    SECRET_KEY)."""
    import os
    import subprocess
    import sys

    from django.conf import settings

    env = {"DJANGO_SETTINGS_MODULE": "config.settings", "VAR_DIR": str(tmp_path),
           "PATH": "/usr/bin:/bin", "SECRET_KEY": os.environ["SECRET_KEY"], **environment}
    script = f"from django.conf import settings; print(repr(settings.{name}))"
    out = subprocess.run([sys.executable, "manage.py", "shell", "-c", script], env=env,
                         cwd=settings.BASE_DIR, capture_output=True, text=True, check=True)
    return out.stdout.strip().splitlines()[-1]


def api_as(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def api_for():
    return api_as


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """After the run, end connections other threads or processes left open (a live server
    thread, a killed worker) so the test database can be dropped."""
    yield
    from django.db import connection

    with django_db_blocker.unblock():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                               "WHERE datname = current_database() AND pid <> pg_backend_pid()")
