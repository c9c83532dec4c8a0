import os
import shutil
import subprocess
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
