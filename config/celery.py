"""The Celery app and the whole beat schedule, in one place."""

import os

from celery import Celery
from celery.schedules import crontab
from celery.signals import beat_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("pes_cases")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def _every(seconds):
    """A fixed interval; a run still queued when the next is due is dropped (it expires),
    so runs never pile up in the broker while no worker takes them."""
    return {"schedule": float(seconds), "options": {"expire_seconds": max(int(seconds), 1)}}


def beat_schedule(settings):
    """The periodic tasks. django-celery-beat copies these into its tables at start."""
    return {
        "worker-heartbeat": {
            "task": "compliance.tasks.record_heartbeat_task",
            "args": ("worker",),
            **_every(settings.HEARTBEAT_INTERVAL_SECONDS),
        },
        "deadline-sweep": {
            "task": "notifications.tasks.sweep_deadlines_task",
            **_every(settings.SWEEP_INTERVAL_SECONDS),
        },
        "send-due-emails": {
            "task": "notifications.tasks.send_due_emails_task",
            **_every(settings.OUTBOX_INTERVAL_SECONDS),
        },
        "daily-digest": {
            "task": "notifications.tasks.send_digests_task",
            "schedule": crontab(hour=11, minute=0),
        },
        "forget-sent-forms": {
            "task": "compliance.tasks.forget_sent_forms_task",
            "schedule": crontab(hour=4, minute=30),
        },
    }


@app.on_after_finalize.connect
def _install_beat_schedule(sender, **kwargs):
    from django.conf import settings

    sender.conf.beat_schedule = beat_schedule(settings)


@beat_init.connect
def _note_scheduler_start(sender=None, **kwargs):
    from compliance.tasks import record_scheduler_start

    record_scheduler_start()
