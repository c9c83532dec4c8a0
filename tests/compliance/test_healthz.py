"""`/healthz`: the database, the broker and the heartbeats of the scheduler, a worker and
the sweep, as JSON; 503 when one is bad; an answer within a second whatever is down.

The checks run in threads with their own database connection, so these tests commit."""

import os
import socket
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import OperationalError
from django.db.utils import ConnectionHandler

from compliance import health
from compliance.models import Heartbeat
from compliance.tasks import record_heartbeat_task
from config.beat import Scheduler
from config.celery import app, beat_schedule

T0 = datetime(2026, 3, 8, 6, 30, tzinfo=UTC)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def broker_ok(monkeypatch):
    monkeypatch.setattr(health, "check_broker", lambda: {"ok": True})


@pytest.fixture
def interval(settings):
    settings.HEARTBEAT_INTERVAL_SECONDS = 30
    return timedelta(seconds=30)


@pytest.fixture(autouse=True)
def sweep_is_alive(settings):
    """/healthz also watches the deadline sweep's heartbeat; these tests are about the rest."""
    settings.SWEEP_INTERVAL_SECONDS = 10 * 365 * 24 * 3600
    Heartbeat.objects.create(name="sweep", at=T0)


def alive_at(at, *names):
    for name in names:
        Heartbeat.record(name, at)


def get_healthz(client):
    started = time.monotonic()
    response = client.get("/healthz")
    return response, time.monotonic() - started


def test_it_reports_all_ok_with_fresh_heartbeats(client, broker_ok, interval):
    alive_at(T0, "beat")
    with time_machine.travel(T0, tick=False):
        record_heartbeat_task.delay()
    with time_machine.travel(T0 + interval, tick=False):
        response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert {name: check["ok"] for name, check in body["checks"].items()} == {
        "database": True, "broker": True, "scheduler": True, "worker": True, "sweep": True}
    assert body["checks"]["scheduler"]["age_seconds"] == 30.0
    assert body["checks"]["worker"]["age_seconds"] == 30.0


def test_it_needs_no_sign_in(client, broker_ok):
    alive_at(datetime.now(UTC), "beat", "worker")

    response = client.get("/healthz")
    assert response.status_code == 200, response.json()


def test_it_answers_the_containers_check_whatever_hosts_the_deployment_names(
        client, broker_ok, settings):
    """docker-compose's health check asks http://127.0.0.1:8000/healthz from inside the
    container; a deployment's ALLOWED_HOSTS name only its own site. Every other page
    still refuses that Host."""
    settings.ALLOWED_HOSTS = ["cases.usps.gov"]
    alive_at(datetime.now(UTC), "beat", "worker")

    response = client.get("/healthz", HTTP_HOST="127.0.0.1:8000")

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "ok"
    assert client.get("/accounts/login/", HTTP_HOST="127.0.0.1:8000").status_code == 400


def test_it_reports_503_when_the_scheduler_heartbeat_is_stale(client, broker_ok, interval):
    alive_at(T0, "beat")
    alive_at(T0 + 3 * interval, "worker")

    with time_machine.travel(T0 + 3 * interval, tick=False):
        assert client.get("/healthz").status_code == 200
    with time_machine.travel(T0 + 3 * interval + timedelta(seconds=1), tick=False):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["status"] == "fail"
    assert response.json()["checks"]["scheduler"]["ok"] is False
    assert response.json()["checks"]["scheduler"]["age_seconds"] == 91.0
    assert response.json()["checks"]["worker"]["ok"] is True


def test_it_reports_a_worker_that_has_taken_no_task_for_two_intervals(client, broker_ok,
                                                                     interval):
    alive_at(T0, "worker")

    with time_machine.travel(T0 + 2 * interval, tick=False):
        alive_at(T0 + 2 * interval, "beat")
        assert client.get("/healthz").status_code == 200
    with time_machine.travel(T0 + 2 * interval + timedelta(seconds=1), tick=False):
        response = client.get("/healthz")

    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["worker"] == {"ok": False, "age_seconds": 61.0, "last_at": T0.isoformat()}
    assert checks["scheduler"]["ok"] is True


def test_it_reports_503_when_the_scheduler_never_ran(client, broker_ok):
    alive_at(datetime.now(UTC), "worker")

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["checks"]["scheduler"] == {
        "ok": False, "age_seconds": None, "error": "never ran"}


def test_it_reports_503_when_the_database_is_down(client, broker_ok, monkeypatch):
    alive_at(datetime.now(UTC), "beat", "worker")

    def database_down(now):
        raise OperationalError("connection refused")

    monkeypatch.setattr(health, "check_database", database_down)
    response = client.get("/healthz")

    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["database"] == {"ok": False, "error": "OperationalError"}
    assert checks["worker"] == {"ok": False, "error": "OperationalError"}
    assert checks["broker"] == {"ok": True}


def test_it_answers_within_a_second_when_the_database_hangs(client, broker_ok, monkeypatch):
    release = threading.Event()
    monkeypatch.setattr(health, "check_database", lambda now: release.wait(30))
    try:
        response, took = get_healthz(client)
    finally:
        release.set()

    assert took < 1.0
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["database"] == {"ok": False, "error": "timeout"}
    assert checks["scheduler"] == {"ok": False, "error": "timeout"}
    assert checks["broker"] == {"ok": True}


def test_a_database_that_never_answers_fails_a_connection_in_seconds(settings):
    """A PostgreSQL server that takes the connection and says nothing (a host gone behind a
    proxy, a server stuck) fails it after DATABASE_CONNECT_TIMEOUT, not minutes later."""
    configured = settings.DATABASES["default"]
    if configured["ENGINE"] != "django.db.backends.postgresql":
        assert "connect_timeout" not in configured.get("OPTIONS", {})
        return
    timeout = configured["OPTIONS"]["connect_timeout"]
    with socket.socket() as silent:  # accepts connections, never says a word
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        handler = ConnectionHandler({"default": {
            **configured, "HOST": "127.0.0.1", "PORT": silent.getsockname()[1]}})
        started = time.monotonic()
        with pytest.raises(OperationalError, match="timeout"):
            handler["default"].ensure_connection()
        waited = time.monotonic() - started
    assert timeout == 5
    assert timeout - 1 < waited < timeout + 3


def test_it_answers_within_a_second_when_the_broker_hangs(client, settings):
    alive_at(datetime.now(UTC), "beat", "worker")
    with socket.socket() as silent:  # accepts connections, never says a word
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{silent.getsockname()[1]}/0"
        settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}

        response, took = get_healthz(client)

    assert took < 1.0
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["broker"] == {"ok": False, "error": "OperationalError"}
    assert checks["database"] == {"ok": True}


def test_it_reports_503_when_the_broker_is_down(client, monkeypatch):
    alive_at(datetime.now(UTC), "beat", "worker")

    def broker_down():
        raise ConnectionRefusedError("no broker")

    monkeypatch.setattr(health, "check_broker", broker_down)
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["checks"]["broker"]["ok"] is False
    assert "no broker" not in response.content.decode()  # the class, not the details


def test_it_reaches_a_filesystem_broker_with_its_folders(settings, tmp_path):
    queue = tmp_path / "queue"
    queue.mkdir()
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(queue), "data_folder_out": str(queue),
        "processed_folder": str(tmp_path / "processed"), "store_processed": False,
    }

    assert health.check_broker() == {"ok": True}


def test_it_reports_a_filesystem_broker_without_its_folder(settings, tmp_path):
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(tmp_path / "missing"), "data_folder_out": str(tmp_path / "missing"),
    }

    assert health.check_broker()["ok"] is False


def test_it_reaches_the_configured_broker(settings):
    """The folder broker of `make run`, or Redis when CELERY_BROKER_URL names it (CI)."""
    if settings.CELERY_BROKER_URL.startswith("filesystem://"):
        for key in ("data_folder_in", "data_folder_out"):
            os.makedirs(settings.CELERY_BROKER_TRANSPORT_OPTIONS[key], exist_ok=True)

    assert health.check_broker() == {"ok": True}


def test_it_reports_an_unreachable_redis_broker(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}

    response, took = get_healthz(client)

    assert took < 1.0
    assert response.status_code == 503
    assert response.json()["checks"]["broker"] == {"ok": False, "error": "OperationalError"}


def test_a_worker_records_its_heartbeat_when_it_takes_the_task():
    with time_machine.travel(T0, tick=False):
        record_heartbeat_task.delay()
    with time_machine.travel(T0 + timedelta(minutes=1), tick=False):
        result = record_heartbeat_task.delay("worker")

    assert Heartbeat.objects.filter(name="worker").count() == 1
    assert Heartbeat.objects.get(name="worker").at == T0 + timedelta(minutes=1)
    assert result.get() == (T0 + timedelta(minutes=1)).isoformat()


def test_the_scheduler_records_its_own_heartbeat_once_an_interval(interval):
    scheduler = Scheduler(app=app, lazy=True)
    for seconds in (0, 10, 29):
        with time_machine.travel(T0 + timedelta(seconds=seconds), tick=False):
            scheduler.tick()
    assert Heartbeat.objects.get(name="beat").at == T0

    with time_machine.travel(T0 + interval, tick=False):
        scheduler.tick()
    assert Heartbeat.objects.get(name="beat").at == T0 + interval


def test_it_schedules_the_worker_heartbeat_every_interval(settings):
    settings.HEARTBEAT_INTERVAL_SECONDS = 15

    entry = beat_schedule(settings)["worker-heartbeat"]

    assert entry["task"] == "compliance.tasks.record_heartbeat_task"
    assert entry["schedule"] == 15.0
    assert entry["args"] == ("worker",)
    assert entry["options"] == {"expire_seconds": 15}
