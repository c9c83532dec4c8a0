"""gunicorn's settings for the web app: the same in production (Dockerfile, docker-compose)
and under `make bench`. Each process serves requests on a few threads, so a quick request
is not queued behind a slow one; `WEB_CONCURRENCY` sets the processes, `WEB_THREADS` the
threads of each."""

import os

wsgi_app = "config.wsgi"
bind = os.environ.get("GUNICORN_BIND") or "0.0.0.0:8000"
worker_class = "gthread"
# Set empty, as unset.
workers = int(os.environ.get("WEB_CONCURRENCY") or "2")
threads = int(os.environ.get("WEB_THREADS") or "4")
keepalive = 5
# The access log masks the secrets of calendar-feed, invitation and reset URLs.
logger_class = "config.access_log.AccessLogger"
