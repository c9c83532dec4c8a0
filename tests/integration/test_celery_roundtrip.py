"""A task goes through the real broker to a real worker and its effect lands in the database."""

import pytest
from celery.contrib.testing.worker import start_worker

from compliance.models import Heartbeat
from compliance.tasks import record_heartbeat_task
from config.celery import app
from tests.conftest import require_service

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def real_broker(settings):
    if not settings.CELERY_BROKER_URL.startswith("redis://"):
        require_service("CELERY_BROKER_URL does not name a Redis broker")
    with app.connection_for_write() as conn:
        try:
            conn.ensure_connection(max_retries=2, timeout=3)
        except Exception as exc:
            require_service(f"Redis broker unreachable: {exc}")
    # Celery reads its settings from Django's as it goes: tasks now go through Redis.
    settings.CELERY_TASK_ALWAYS_EAGER = False


def test_it_runs_a_task_through_redis_on_a_real_worker(real_broker):
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        result = record_heartbeat_task.delay("roundtrip")
        returned = result.get(timeout=30)

    beat = Heartbeat.objects.get(name="roundtrip")
    assert beat.at.isoformat() == returned
