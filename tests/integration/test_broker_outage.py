"""The broker goes away: requests do not wait for it, workers outlive it, and every e-mail
goes out exactly once when it is back."""

import socket
import statistics
import threading
import time
from collections import Counter

import pytest
from django.utils import timezone
from kombu import Producer

from notifications.models import EmailState, OutboundEmail
from tests import factories
from tests.incidents.factories import make_draft, make_filed

from .conftest import Inbox, process_env, wait_for

pytestmark = pytest.mark.services

OUTAGE_SECONDS = 8
SWEEP_INTERVAL_SECONDS = 15


def all_sent():
    return not OutboundEmail.objects.exclude(state=EmailState.SENT).exists()


@pytest.mark.django_db(transaction=True)
def test_workers_outlive_a_broker_outage_and_every_email_goes_out_once(
        postgresql, redis_server, smtp_server, processes, tmp_path, officer_a):
    factories.ReviewerFactory.create_batch(10)
    inbox = Inbox(delay=0.25)
    port = smtp_server(inbox)
    env = process_env(tmp_path, redis_server.url, EMAIL_URL=f"smtp://127.0.0.1:{port}",
                      OUTBOX_INTERVAL_SECONDS="1", HEARTBEAT_INTERVAL_SECONDS="1",
                      SWEEP_INTERVAL_SECONDS=str(SWEEP_INTERVAL_SECONDS))
    # The deployment's worker (prefork) and make run's (threads); each holds a task when
    # the broker goes, with more fetched and waiting.
    workers = ["prefork", "threads"]
    for pool in workers:
        processes.start(pool, ["worker", "-n", f"{pool}@%h", f"--pool={pool}",
                               "--concurrency=2", "--loglevel=INFO"], env)
    processes.start("beat", ["beat", "--loglevel=INFO"], env)
    for pool in workers:
        processes.wait_ready(pool)

    for _ in range(5):  # 5 filings: 5 receipts and 50 e-mails to reviewers
        make_filed(officer_a, at=timezone.now())
    wait_for(lambda: len(inbox.messages) >= 8, 60, "sending to be under way")
    redis_server.stop()
    stopped = time.monotonic()
    wait_for(lambda: all(processes.log(p).count("Connection to broker lost") for p in workers),
             30, "the workers to notice")
    wait_for(all_sent, 60, "the e-mails already taken to go out without the broker")
    for _ in range(2):  # filed while the broker is away
        make_filed(officer_a, at=timezone.now())
    time.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - stopped)))
    redis_server.start()
    back = time.monotonic()

    wait_for(all_sent, 2 * SWEEP_INTERVAL_SECONDS, "every e-mail within two sweep intervals")
    recovered_in = time.monotonic() - back
    make_filed(officer_a, at=timezone.now())  # and the next ones go out as usual
    wait_for(all_sent, 30, "an e-mail queued after the outage")
    running = {name: process.poll() is None for name, process in processes.started.items()}
    processes.stop_all()

    logs = processes.logs()
    assert running == {"prefork": True, "threads": True, "beat": True}, logs[-5000:]
    assert "Unrecoverable error" not in logs
    assert recovered_in <= 2 * SWEEP_INTERVAL_SECONDS
    rows = OutboundEmail.objects.all()
    assert rows.count() == 8 * 11
    sent = Counter(inbox.message_ids())
    assert set(sent.values()) == {1}, "an e-mail went out more than once"
    assert set(sent) == {row.message_id for row in rows}


class DeadBroker:
    """A port where the broker should be: it counts the connections it is asked for and
    drops each at once."""

    def __init__(self):
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(16)
        self.url = f"redis://127.0.0.1:{self.socket.getsockname()[1]}/0"
        self.connections = 0
        threading.Thread(target=self._drop, daemon=True).start()

    def _drop(self):
        while True:
            try:
                peer, _ = self.socket.accept()
            except OSError:
                return
            self.connections += 1
            peer.close()

    def close(self):
        self.socket.close()


@pytest.fixture
def published(settings, monkeypatch):
    """Tasks go to the broker for real (not run in this process), and every message
    published, through whichever connection, is kept here."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    messages = []
    publish = Producer.publish

    def keep(producer, body, *args, **kwargs):
        messages.append(body)
        return publish(producer, body, *args, **kwargs)

    monkeypatch.setattr(Producer, "publish", keep)
    return messages


@pytest.mark.django_db(transaction=True)
def test_a_filing_during_a_broker_outage_answers_in_its_usual_time(officer_a, api_for,
                                                                  published, settings):
    factories.ReviewerFactory.create_batch(4)
    api = api_for(officer_a)

    def file_one():
        draft = make_draft(officer_a)
        started = time.monotonic()
        response = api.post(f"/api/v1/incidents/{draft.pk}/submit/", {})
        assert response.status_code == 201
        return time.monotonic() - started

    usual = statistics.median(file_one() for _ in range(5))
    dead = DeadBroker()
    settings.CELERY_BROKER_URL = dead.url
    try:
        during_outage = statistics.median(file_one() for _ in range(5))
    finally:
        dead.close()

    assert published == [] and dead.connections == 0, "a request called the broker"
    assert during_outage <= usual + 0.1
    assert OutboundEmail.objects.filter(state=EmailState.PENDING).count() == 10 * 5
