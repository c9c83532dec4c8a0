"""`/healthz`: the database, the broker, and the heartbeats of the scheduler, a worker and
the deadline sweep, as JSON (503 if any is bad), within a second whatever is down.

Each check runs in its own thread with its own deadline: a check that has not answered
in time reports a timeout and is left to finish on its own.
"""

import os
from concurrent.futures import ThreadPoolExecutor, wait

from django.conf import settings
from django.db import connections
from django.http import JsonResponse
from django.utils import timezone
from kombu import Connection

from .models import Heartbeat

# Seconds the checks may take together; one still running then reports a timeout.
CHECK_TIMEOUT = 0.8
# The broker's own socket timeouts, well inside that: a silent broker is an error.
BROKER_TIMEOUT = 0.5
# name: (setting with the interval, intervals after which it is stale)
HEARTBEATS = {
    "scheduler": ("beat", "HEARTBEAT_INTERVAL_SECONDS", 3),
    "worker": ("worker", "HEARTBEAT_INTERVAL_SECONDS", 2),
    "sweep": ("sweep", "SWEEP_INTERVAL_SECONDS", 2),
}


def check_database(now):
    """The database answers; with it, the age of each heartbeat."""
    try:
        beats = Heartbeat.objects.in_bulk([name for name, _, _ in HEARTBEATS.values()])
    finally:
        connections.close_all()  # this thread's connection; the thread ends here
    checks = {"database": {"ok": True}}
    for check, (name, setting, stale_after) in HEARTBEATS.items():
        checks[check] = heartbeat(beats.get(name), getattr(settings, setting), now, stale_after)
    return checks


def heartbeat(beat, interval_seconds, now, stale_after_intervals):
    if beat is None:
        return {"ok": False, "age_seconds": None, "error": "never ran"}
    age = (now - beat.at).total_seconds()
    return {"ok": age <= stale_after_intervals * interval_seconds, "age_seconds": round(age, 1),
            "last_at": beat.at.isoformat()}


def check_broker():
    if settings.CELERY_BROKER_URL.startswith("filesystem://"):
        # Kombu "connects" to a folder broker without looking at the folders, so a
        # missing or read-only queue folder would pass; check what the worker needs.
        options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
        for key in ("data_folder_in", "data_folder_out"):
            folder = options.get(key)
            if not folder or not os.path.isdir(folder):
                return {"ok": False, "error": f"{key} is not a folder"}
            if not os.access(folder, os.R_OK | os.W_OK | os.X_OK):
                return {"ok": False, "error": f"{key} is not writable"}
    options = {**settings.CELERY_BROKER_TRANSPORT_OPTIONS,
               "socket_timeout": BROKER_TIMEOUT, "socket_connect_timeout": BROKER_TIMEOUT}
    with Connection(settings.CELERY_BROKER_URL, transport_options=options,
                    connect_timeout=BROKER_TIMEOUT) as conn:
        conn.ensure_connection(max_retries=0, timeout=BROKER_TIMEOUT)
    return {"ok": True}


def _outcome(future, names):
    """The check's answer, or each of `names` failed with the reason (a timeout if the check
    is still running). The class only: a health answer is public and must not leak
    addresses or details."""
    if not future.done():
        return {name: {"ok": False, "error": "timeout"} for name in names}
    try:
        return future.result()
    except Exception as exc:  # a health check reports failures, it does not raise them
        return {name: {"ok": False, "error": exc.__class__.__name__} for name in names}


def healthz(request):
    now = timezone.now()
    pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="healthz")
    database = pool.submit(check_database, now)
    broker = pool.submit(lambda: {"broker": check_broker()})
    wait([database, broker], timeout=CHECK_TIMEOUT)
    pool.shutdown(wait=False)  # a hung check must not hold the answer back
    checks = {**_outcome(database, ("database", *HEARTBEATS)), **_outcome(broker, ("broker",))}
    ok = all(c["ok"] for c in checks.values())
    return JsonResponse({"status": "ok" if ok else "fail", "checks": checks},
                        status=200 if ok else 503)


class HealthBeforeHostCheckMiddleware:
    """Answers `/healthz` before anything reads the Host header: a container's health
    check asks over the loopback (`127.0.0.1:8000`), a name the deployment's
    ALLOWED_HOSTS need not hold, and must be told what is up or down, not refused as a bad
    host. Every other path keeps the Host check (links are built from SITE_URL anyway)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == "/healthz" and request.method in ("GET", "HEAD"):
            return healthz(request)
        return self.get_response(request)
