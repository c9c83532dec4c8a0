"""`/healthz`: database, broker and the scheduler's heartbeat as JSON; 503 when one is bad."""

import os
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import OperationalError

from compliance import health
from compliance.models import Heartbeat
from compliance.tasks import record_heartbeat_task
from config.celery import beat_schedule

T0 = datetime(2026, 3, 8, 6, 30, tzinfo=UTC)


@pytest.fixture
def broker_ok(monkeypatch):
    monkeypatch.setattr(health, "check_broker", lambda: {"ok": True})


@pytest.fixture
def interval(settings):
    settings.HEARTBEAT_INTERVAL_SECONDS = 30
    return timedelta(seconds=30)


@pytest.fixture(autouse=True)
def sweep_is_alive(db, settings):
    """/healthz also watches the deadline sweep's heartbeat; these tests are about the rest."""
    settings.SWEEP_INTERVAL_SECONDS = 10 * 365 * 24 * 3600
    Heartbeat.objects.create(name="sweep", at=T0)


def test_it_reports_all_ok_with_a_fresh_heartbeat(client, db, broker_ok, interval):
    with time_machine.travel(T0, tick=False):
        record_heartbeat_task.delay()
    with time_machine.travel(T0 + interval, tick=False):
        response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert {name: body["checks"][name]["ok"] for name in ("database", "broker", "scheduler")} == {
        "database": True, "broker": True, "scheduler": True}
    assert body["checks"]["scheduler"]["age_seconds"] == 30.0


def test_it_needs_no_sign_in(client, db, broker_ok):
    Heartbeat.objects.create(name="beat", at=datetime.now(UTC))

    response = client.get("/healthz")
    assert response.status_code == 200, response.json()


def test_it_reports_503_when_the_heartbeat_is_stale(client, db, broker_ok, interval):
    Heartbeat.objects.create(name="beat", at=T0)

    with time_machine.travel(T0 + 3 * interval, tick=False):
        assert client.get("/healthz").status_code == 200
    with time_machine.travel(T0 + 3 * interval + timedelta(seconds=1), tick=False):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["status"] == "fail"
    assert response.json()["checks"]["scheduler"]["ok"] is False
    assert response.json()["checks"]["scheduler"]["age_seconds"] == 91.0


def test_it_reports_503_when_the_scheduler_never_ran(client, db, broker_ok):
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["checks"]["scheduler"] == {
        "ok": False, "age_seconds": None, "error": "never ran"}


def test_it_reports_503_when_the_database_is_down(client, db, broker_ok, monkeypatch):
    Heartbeat.objects.create(name="beat", at=datetime.now(UTC))

    def database_down():
        raise OperationalError("connection refused")

    monkeypatch.setattr(health, "check_database", database_down)
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["checks"]["database"] == {"ok": False, "error": "OperationalError"}


def test_it_reports_503_when_the_broker_is_down(client, db, monkeypatch):
    Heartbeat.objects.create(name="beat", at=datetime.now(UTC))

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


def test_it_reports_an_unreachable_redis_broker(client, db, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["checks"]["broker"] == {"ok": False, "error": "OperationalError"}


def test_it_records_the_heartbeat_time(db):
    with time_machine.travel(T0, tick=False):
        record_heartbeat_task.delay()
    with time_machine.travel(T0 + timedelta(minutes=1), tick=False):
        result = record_heartbeat_task.delay("beat")

    assert Heartbeat.objects.filter(name="beat").count() == 1
    assert Heartbeat.objects.get(name="beat").at == T0 + timedelta(minutes=1)
    assert result.get() == (T0 + timedelta(minutes=1)).isoformat()


def test_it_schedules_the_heartbeat_every_interval(settings):
    settings.HEARTBEAT_INTERVAL_SECONDS = 15

    entry = beat_schedule(settings)["scheduler-heartbeat"]

    assert entry["task"] == "compliance.tasks.record_heartbeat_task"
    assert entry["schedule"] == 15.0
    assert entry["args"] == ("beat",)
