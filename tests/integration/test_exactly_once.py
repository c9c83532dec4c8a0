"""Two Celery workers and two beat schedulers, against PostgreSQL and Redis, at once:
every reminder goes out exactly once."""

import os
import re
import time
from collections import Counter
from datetime import timedelta

import pytest
import redis
from django.utils import timezone

from compliance.services.schedule import reschedule_reminders
from notifications.models import EmailState, OutboundEmail
from tests import factories
from tests.conftest import require_service

from .conftest import process_env

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def real_redis(postgresql):
    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/13")
    try:
        client = redis.Redis.from_url(url)
        client.flushdb()
    except redis.RedisError as exc:
        require_service(f"Redis unreachable at {url}: {exc}")
    return url


def test_two_workers_and_two_schedulers_send_every_reminder_once(real_redis, tmp_path,
                                                                  processes, provider_a,
                                                                  officer_a, viewer_a,
                                                                  reviewer):
    now = timezone.now()
    obligations = []
    for n in range(12):
        # Half are 30 minutes from due (the 1-hour reminder is due), half are overdue.
        due = now + timedelta(minutes=30) if n % 2 else now - timedelta(minutes=10)
        o = factories.ObligationFactory(provider=provider_a, due_at=due, original_due_at=due,
                                        subject=f"Case {n}")
        reschedule_reminders(o)
        o.save()
        obligations.append(o)

    env = process_env(tmp_path, real_redis, SWEEP_INTERVAL_SECONDS="1",
                      OUTBOX_INTERVAL_SECONDS="1")
    for i in (1, 2):
        processes.start(f"worker{i}", ["worker", "-n", f"w{i}@%h", "--pool=threads",
                                       "--concurrency=3", "--without-gossip", "--without-mingle",
                                       "--loglevel=INFO"], env)
        processes.start(f"beat{i}", ["beat", "--loglevel=INFO",
                                     f"--pidfile={tmp_path}/beat{i}.pid"], env)
    # 6 one-hour reminders to officer and viewer; 6 escalations to officer and reviewer.
    expected = 6 * 2 + 6 * 2
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if OutboundEmail.objects.filter(state=EmailState.SENT).count() >= expected:
            break
        time.sleep(0.5)
    time.sleep(4)  # several more sweeps and both schedulers keep going
    processes.stop_all()

    logs = processes.logs()
    assert logs.count("deadline-sweep") >= 4, logs[-3000:]
    rows = OutboundEmail.objects.all()
    assert rows.count() == expected, logs[-3000:]
    assert set(rows.values_list("state", flat=True)) == {EmailState.SENT}
    sent_ids = Counter()
    for path in (tmp_path / "mail").iterdir():
        sent_ids.update(re.findall(r"^X-PES-Email-Id: (\d+)$", path.read_text(), re.M))
    assert len(sent_ids) == expected
    assert set(sent_ids.values()) == {1}, "an e-mail went out more than once"
