"""A worker dies after the mail server took a message and before it recorded that: the
message goes out again when the claim's lease ends, under the same Message-ID, so the
receiver can drop the copy."""

import os
import signal
import threading

import pytest
from django.utils import timezone
from kombu import Connection

from config.celery import app
from notifications.models import EmailState, OutboundEmail
from notifications.services import queue_email
from tests.incidents.factories import make_filed

from .conftest import Inbox, process_env, wait_for

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


class FreezeTheFirstSender(Inbox):
    """Takes every message; the first time, it freezes the sending process before it
    answers, so that process never learns the message was taken."""

    def __init__(self):
        super().__init__()
        self.sender_pid = None
        self.frozen = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        if not self.frozen.is_set():
            os.kill(self.sender_pid, signal.SIGSTOP)
            self.frozen.set()
        return await super().handle_DATA(server, session, envelope)


def test_a_worker_killed_between_acceptance_and_commit_sends_a_copy_with_the_same_message_id(
        postgresql, redis_server, smtp_server, processes, tmp_path, officer_a, reviewer,
        settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False  # the task goes to the worker
    inbox = FreezeTheFirstSender()
    port = smtp_server(inbox)
    env = process_env(tmp_path, redis_server.url, EMAIL_URL=f"smtp://127.0.0.1:{port}")
    incident = make_filed(officer_a)
    OutboundEmail.objects.all().delete()
    [pk] = queue_email(recipients=[reviewer], template="incident_filed",
                       context={"incident": incident, "case_path": "/"}, key="news")

    def send_with_a_new_worker(name):
        worker = processes.start(name, ["worker", "--pool=solo", "--without-gossip",
                                        "--without-mingle", "--loglevel=INFO"], env)
        inbox.sender_pid = worker.pid
        processes.wait_ready(name)
        with Connection(redis_server.url) as connection:
            app.send_task("notifications.tasks.send_due_emails_task", connection=connection)

    send_with_a_new_worker("first")
    wait_for(inbox.frozen.is_set, 30, "the server to take the message")
    processes.kill("first")

    email = OutboundEmail.objects.get()
    assert (email.state, email.attempts) == (EmailState.SENDING, 0)  # sent, not recorded
    OutboundEmail.objects.filter(pk=pk).update(next_attempt_at=timezone.now())  # lease over
    send_with_a_new_worker("second")
    wait_for(lambda: OutboundEmail.objects.get().state == EmailState.SENT, 30,
             "the second attempt")

    assert len(inbox.messages) == 2
    (_, first), (_, copy) = inbox.messages
    assert first["Message-ID"] == copy["Message-ID"] == email.message_id
    assert first["Subject"] == copy["Subject"]
    assert OutboundEmail.objects.get().attempts == 1
