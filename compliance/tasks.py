from celery import shared_task
from django.utils import timezone

from .models import Heartbeat


@shared_task(ignore_result=False)
def record_heartbeat_task(name="worker"):
    """Record that a worker took a task now (the scheduler sends this on a fixed interval;
    /healthz reports a worker that has not taken one for two intervals)."""
    now = timezone.now()
    Heartbeat.record(name, now)
    return now.isoformat()
