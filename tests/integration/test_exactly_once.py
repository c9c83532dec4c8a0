"""Two Celery workers and two beat schedulers, against PostgreSQL and Redis, at once:
every reminder goes out exactly once."""

import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.utils import timezone

from compliance.services.schedule import reschedule_reminders
from notifications.models import EmailState, OutboundEmail
from tests import factories
from tests.conftest import require_service

ROOT = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).with_name("celery"))

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def real_services():
    if connection.vendor != "postgresql":
        require_service("the exactly-once test needs DATABASE_URL to name PostgreSQL")
    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/13")
    try:
        client = redis.Redis.from_url(url)
        client.flushdb()
    except redis.RedisError as exc:
        require_service(f"Redis unreachable at {url}: {exc}")
    return url


def start(args, env, tmp_path, name):
    log = open(tmp_path / f"{name}.log", "w")
    return subprocess.Popen([CELERY, "-A", "config", *args], cwd=ROOT, env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)


def test_two_workers_and_two_schedulers_send_every_reminder_once(real_services, tmp_path,
                                                                  provider_a, officer_a,
                                                                  viewer_a, reviewer):
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

    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "true",
        "DATABASE_URL": f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:"
                        f"{db['PORT'] or 5432}/{db['NAME']}",
        "CELERY_BROKER_URL": real_services,
        "CELERY_RESULT_BACKEND": real_services,
        "VAR_DIR": str(tmp_path),
        "SWEEP_INTERVAL_SECONDS": "1",
    }
    env.pop("EMAIL_URL", None)
    processes = [
        start(["worker", "-n", f"w{i}@%h", "--pool=threads", "--concurrency=3",
               "--without-gossip", "--without-mingle", "--loglevel=INFO"], env, tmp_path,
              f"worker{i}")
        for i in (1, 2)
    ] + [
        start(["beat", "--loglevel=INFO", f"--pidfile={tmp_path}/beat{i}.pid"], env, tmp_path,
              f"beat{i}")
        for i in (1, 2)
    ]
    # 6 one-hour reminders to officer and viewer; 6 escalations to officer and reviewer.
    expected = 6 * 2 + 6 * 2
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if OutboundEmail.objects.filter(state=EmailState.SENT).count() >= expected:
                break
            time.sleep(0.5)
        time.sleep(4)  # several more sweeps and both schedulers keep going
    finally:
        for p in processes:
            os.killpg(p.pid, signal.SIGTERM)
        for p in processes:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)

    logs = "".join((tmp_path / f"{n}.log").read_text() for n in
                   ("worker1", "worker2", "beat1", "beat2"))
    assert logs.count("deadline-sweep") >= 4, logs[-3000:]
    rows = OutboundEmail.objects.all()
    assert rows.count() == expected, logs[-3000:]
    assert set(rows.values_list("state", flat=True)) == {EmailState.SENT}
    sent_ids = Counter()
    for path in (tmp_path / "mail").iterdir():
        sent_ids.update(re.findall(r"^X-PES-Email-Id: (\d+)$", path.read_text(), re.M))
    assert len(sent_ids) == expected
    assert set(sent_ids.values()) == {1}, "an e-mail went out more than once"
