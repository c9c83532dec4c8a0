"""`/healthz`: database, broker and the scheduler's heartbeat, as JSON (503 if any is bad)."""

import os

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from kombu import Connection

from .models import Heartbeat


def check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return {"ok": True}


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
    with Connection(settings.CELERY_BROKER_URL,
                    transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS,
                    connect_timeout=2) as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return {"ok": True}


def check_heartbeat(name, interval_seconds, now, stale_after_intervals=3):
    beat = Heartbeat.objects.filter(name=name).first()
    if beat is None:
        return {"ok": False, "age_seconds": None, "error": "never ran"}
    age = (now - beat.at).total_seconds()
    return {"ok": age <= stale_after_intervals * interval_seconds, "age_seconds": round(age, 1),
            "last_at": beat.at.isoformat()}


def _safely(check, *args):
    try:
        return check(*args)
    except Exception as exc:  # a health check reports failures, it does not raise them
        return {"ok": False, "error": exc.__class__.__name__}


def healthz(request):
    now = timezone.now()
    checks = {
        "database": _safely(check_database),
        "broker": _safely(check_broker),
        "scheduler": _safely(check_heartbeat, "beat", settings.HEARTBEAT_INTERVAL_SECONDS, now),
        "sweep": _safely(check_heartbeat, "sweep", settings.SWEEP_INTERVAL_SECONDS, now, 2),
    }
    ok = all(c["ok"] for c in checks.values())
    return JsonResponse({"status": "ok" if ok else "fail", "checks": checks},
                        status=200 if ok else 503)
