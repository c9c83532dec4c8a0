from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from .models import Heartbeat, SentForm

# How long a sent form's key is kept: a page kept open longer and sent again is a new
# sending.
SENT_FORMS_KEPT = timedelta(days=7)

# Heartbeat names: the deadline sweep's last pass, and the scheduler's last start.
SWEEP = "sweep"
SCHEDULER_STARTED = "beat_started"


@shared_task(ignore_result=False)
def record_heartbeat_task(name="worker"):
    """Record that a worker took a task now (the scheduler sends this on a fixed interval;
    /healthz reports a worker that has not taken one for two intervals)."""
    now = timezone.now()
    Heartbeat.record(name, now)
    return now.isoformat()


def record_scheduler_start(**kwargs):
    """When the beat scheduler starts (its `beat_init` signal): pages hold the "sweep has
    not run" warning for the first two sweep intervals after it."""
    Heartbeat.record(SCHEDULER_STARTED, timezone.now())


@shared_task
def forget_sent_forms_task():
    """Forget the keys of forms sent more than SENT_FORMS_KEPT ago (daily); an API
    request's Idempotency-Key is kept."""
    return SentForm.objects.filter(sent_at__lt=timezone.now() - SENT_FORMS_KEPT,
                                   kept=False).delete()[0]
