"""The shared cache (config/cache.py) while its Redis is away: in docker-compose.yml the
broker and the cache are one Redis server, so a broker outage is a cache outage too, and
requests must still be answered (unthrottled) rather than fail."""

import socket

import pytest
from django.core.cache import caches

from incidents.models import Incident, IncidentStatus
from tests.incidents.factories import make_draft


def dead_redis_url():
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    return f"redis://127.0.0.1:{port}"


@pytest.fixture
def redis_away(settings):
    """The deployment's cache and broker, on a Redis nobody answers at."""
    dead = dead_redis_url()
    settings.CELERY_BROKER_URL = f"{dead}/0"
    settings.CACHES = {"default": {"BACKEND": "config.cache.SharedCache",
                                   "LOCATION": f"{dead}/1",
                                   "OPTIONS": {"socket_connect_timeout": 0.5,
                                               "socket_timeout": 0.5}}}
    yield
    caches["default"].close()


@pytest.mark.django_db(transaction=True)
def test_a_filing_is_answered_while_redis_is_away(officer_a, api_for, redis_away):
    draft = make_draft(officer_a)

    response = api_for(officer_a).post(f"/api/v1/incidents/{draft.pk}/submit/", {})

    assert response.status_code == 201, response.content
    assert Incident.objects.get(pk=draft.pk).status == IncidentStatus.SUBMITTED


@pytest.mark.django_db
def test_the_sign_in_answers_while_redis_is_away(client, officer_a, redis_away):
    refused = client.post("/accounts/login/", {"login": officer_a.username,
                                               "password": "wrong-password"})
    assert refused.status_code == 200


def test_it_answers_as_an_empty_cache(redis_away):
    cache = caches["default"]
    assert cache.get("k", "default") == "default"
    assert cache.add("k", 1) is True
    assert cache.set("k", 1) is None
    assert cache.get_many(["k"]) == {}
    assert cache.incr("k", 3) == 3
    assert cache.delete("k") is False
