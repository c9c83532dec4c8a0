import os
import runpy
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import require_service

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def docker_compose():
    exe = shutil.which("docker-compose")
    if exe is None:
        require_service("docker-compose is not installed")
    return exe


def test_it_describes_a_deployment_docker_compose_accepts(docker_compose):
    env = {**os.environ, "SECRET_KEY": "x" * 50}
    result = subprocess.run([docker_compose, "config"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)

    assert result.returncode == 0, result.stderr
    services = yaml.safe_load(result.stdout)["services"]
    assert {"postgres", "redis", "web", "worker", "beat"} <= set(services)
    assert "celery" in " ".join(services["worker"]["command"])
    assert services["web"]["environment"]["DATABASE_URL"].startswith("postgres://")
    assert services["beat"]["environment"]["CELERY_BROKER_URL"].startswith("redis://")


def test_it_starts_a_dead_worker_again_and_checks_health_within_its_timeouts(docker_compose):
    env = {**os.environ, "SECRET_KEY": "x" * 50}
    result = subprocess.run([docker_compose, "config"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)

    services = yaml.safe_load(result.stdout)["services"]
    assert {services[name]["restart"] for name in ("web", "worker", "beat")} == {
        "unless-stopped"}
    check = services["web"]["healthcheck"]
    assert "timeout=3" in " ".join(check["test"])  # the client gives up first
    assert check["timeout"] == "5s"
    assert all("timeout" in services[name]["healthcheck"] for name in ("postgres", "redis"))


def test_it_refuses_to_deploy_without_a_secret_key(docker_compose):
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    result = subprocess.run([docker_compose, "config", "-q"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_the_web_app_is_served_by_threaded_gunicorn_from_one_config(docker_compose):
    env = {**os.environ, "SECRET_KEY": "x" * 50}
    result = subprocess.run([docker_compose, "config"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)

    web = yaml.safe_load(result.stdout)["services"]["web"]
    assert " ".join(web["command"]).startswith("gunicorn --config config/gunicorn.py")
    assert '"gunicorn", "--config", "config/gunicorn.py"' in (ROOT / "Dockerfile").read_text()
    assert (web["environment"]["WEB_CONCURRENCY"], web["environment"]["WEB_THREADS"]) == (
        "2", "4")


def test_postgres_gets_shared_buffers_for_the_cases_table_and_can_be_given_more(
        docker_compose):
    def postgres_command(**extra):
        env = {k: v for k, v in os.environ.items() if k != "POSTGRES_SHARED_BUFFERS"}
        env.update(SECRET_KEY="x" * 50, **extra)
        result = subprocess.run([docker_compose, "config"], cwd=ROOT, env=env,
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        return yaml.safe_load(result.stdout)["services"]["postgres"]["command"]

    assert postgres_command() == ["postgres", "-c", "shared_buffers=512MB"]
    assert postgres_command(POSTGRES_SHARED_BUFFERS="2GB") == [
        "postgres", "-c", "shared_buffers=2GB"]


def test_gunicorn_takes_its_processes_and_threads_from_the_environment(monkeypatch):
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    monkeypatch.delenv("WEB_THREADS", raising=False)
    default = runpy.run_path(str(ROOT / "config" / "gunicorn.py"))
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    monkeypatch.setenv("WEB_THREADS", "6")
    configured = runpy.run_path(str(ROOT / "config" / "gunicorn.py"))

    assert (default["workers"], default["threads"]) == (2, 4)
    assert (configured["workers"], configured["threads"]) == (3, 6)
    assert configured["worker_class"] == "gthread"
    assert configured["wsgi_app"] == "config.wsgi"


def test_gunicorn_accepts_the_config_and_loads_the_app():
    gunicorn = Path(sys.executable).with_name("gunicorn")
    env = {**os.environ, "SECRET_KEY": "x" * 50, "DEBUG": "false"}
    result = subprocess.run([str(gunicorn), "--config", "config/gunicorn.py", "--check-config"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)

    assert result.returncode == 0, result.stderr


def compose_services(docker_compose, **extra):
    env = {k: v for k, v in os.environ.items() if k not in extra}
    env.update(SECRET_KEY="x" * 50, **extra)
    result = subprocess.run([docker_compose, "config"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)["services"]


def test_the_sender_of_every_email_is_set_for_the_deployment(docker_compose):
    sender = "PES Cases <no-reply@cases.example.gov>"
    services = compose_services(docker_compose, DEFAULT_FROM_EMAIL=sender)
    assert {services[name]["environment"]["DEFAULT_FROM_EMAIL"]
            for name in ("web", "worker", "beat")} == {sender}


def test_the_app_that_believes_proxy_headers_is_published_on_the_loopback_alone(
        docker_compose):
    """BEHIND_PROXY: X-Forwarded-For and -Proto are believed; a client reaching the port
    directly would choose its own address for the per-address limits."""
    web = compose_services(docker_compose)["web"]
    assert web["environment"]["BEHIND_PROXY"] == "true"
    # `docker-compose config` writes each as "host_ip:published:target" (or as a mapping).
    hosts = {port.get("host_ip") if isinstance(port, dict) else str(port).split(":")[0]
             for port in web["ports"]}
    assert web["ports"] and hosts == {"127.0.0.1"}, web["ports"]


def test_stopping_the_web_container_reaches_gunicorn(docker_compose):
    """`docker stop` signals the container's first process: gunicorn itself (exec form),
    not a shell, which as the first process ignores the signal and keeps it from gunicorn."""
    command = compose_services(docker_compose)["web"]["command"]
    assert command[:3] == ["gunicorn", "--config", "config/gunicorn.py"], command


def test_the_app_starts_once_the_database_is_migrated(docker_compose):
    """One service migrates and exits; the web app, the worker and the scheduler wait for
    it to succeed (on an upgrade they would otherwise meet tables not yet there)."""
    services = compose_services(docker_compose)
    assert services["migrate"]["command"] == ["python", "manage.py", "migrate", "--no-input"]
    assert services["migrate"]["restart"] == "no"
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"}, name
        assert services[name]["depends_on"]["postgres"] == {"condition": "service_healthy"}


@pytest.mark.parametrize("name, kwargs", [
    ("calendar-feed", {"secret": "Zx9secretCalendarFeedKey"}),
    ("invitation-accept", {"pk": 12, "secret": "Zx9secretCalendarFeedKey"}),
    ("account_reset_password_from_key", {"uidb36": "3", "key": "Zx9secretCalendarFeedKey"}),
])
def test_the_access_log_masks_the_secret_of_a_link(name, kwargs):
    """Only the secret's hash is stored; the access log (`--access-logfile -`) must not
    keep it either, in the request line, the path or the referrer."""
    import io
    import logging
    from datetime import timedelta

    from django.urls import reverse
    from gunicorn.config import Config

    cfg = Config()
    for key, value in runpy.run_path(str(ROOT / "config" / "gunicorn.py")).items():
        if key in cfg.settings:
            cfg.set(key, value)
    cfg.set("accesslog", "-")
    cfg.set("access_log_format", '%(h)s "%(r)s" %(U)s "%(f)s"')
    logger = cfg.logger_class(cfg)
    stream = io.StringIO()
    for handler in logger.access_log.handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(stream)
    path = reverse(name, kwargs=kwargs)
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": path, "PATH_INFO": path,
               "QUERY_STRING": "", "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "10.0.0.9",
               "HTTP_REFERER": f"https://pes-cases.example.gov{path}"}

    class Response:
        status = "200 OK"
        sent = 10
        headers = []

    logger.access(Response(), [], environ, timedelta(milliseconds=3))

    line = stream.getvalue().splitlines()[0]
    assert line.count("[secret]") == 3, line  # the request line, the path, the referrer
    assert "Zx9secretCalendarFeedKey" not in stream.getvalue()
