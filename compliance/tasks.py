from celery import shared_task
from django.utils import timezone

from .models import Heartbeat


@shared_task(ignore_result=False)
def record_heartbeat_task(name="beat"):
    """Record that the scheduler is alive (it enqueues this on a fixed interval)."""
    now = timezone.now()
    Heartbeat.objects.update_or_create(name=name, defaults={"at": now})
    return now.isoformat()
