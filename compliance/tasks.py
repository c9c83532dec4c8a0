from celery import shared_task
from django.utils import timezone

from .models import Heartbeat

# Heartbeat names: the deadline sweep's last pass, and the scheduler's last start.
SWEEP = "sweep"
SCHEDULER_STARTED = "beat_started"


@shared_task(ignore_result=False)
def record_heartbeat_task(name="beat"):
    """Record that the scheduler is alive (it enqueues this on a fixed interval)."""
    now = timezone.now()
    Heartbeat.objects.update_or_create(name=name, defaults={"at": now})
    return now.isoformat()


def record_scheduler_start(**kwargs):
    """When the beat scheduler starts (its `beat_init` signal): pages hold the "sweep has
    not run" warning for the first two sweep intervals after it."""
    Heartbeat.objects.update_or_create(name=SCHEDULER_STARTED,
                                       defaults={"at": timezone.now()})
