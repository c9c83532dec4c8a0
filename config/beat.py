"""The beat scheduler: django-celery-beat's database scheduler, recording its own heartbeat.

The scheduler writes the `beat` heartbeat itself, so /healthz tells a stopped scheduler
from a stopped worker (whose heartbeat is a task the scheduler sends).
"""

import logging

from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone
from django_celery_beat.schedulers import DatabaseScheduler

from compliance.models import Heartbeat

log = logging.getLogger(__name__)


class Scheduler(DatabaseScheduler):
    _heartbeat_at = None

    def tick(self, *args, **kwargs):
        self.record_heartbeat()
        return super().tick(*args, **kwargs)

    def record_heartbeat(self):
        """Record the `beat` heartbeat, at most once per heartbeat interval."""
        now = timezone.now()
        every = settings.HEARTBEAT_INTERVAL_SECONDS
        if self._heartbeat_at and (now - self._heartbeat_at).total_seconds() < every:
            return
        try:
            Heartbeat.record("beat", now)
        except DatabaseError as exc:  # the scheduler keeps going; /healthz will say
            log.warning("could not record the scheduler's heartbeat: %s", exc)
            return
        self._heartbeat_at = now
