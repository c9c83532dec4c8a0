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
    assert "gunicorn --config config/gunicorn.py" in str(web["command"])
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
