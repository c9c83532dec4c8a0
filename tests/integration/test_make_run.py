"""`make run` (honcho with Procfile.dev) starts a worker again when it dies."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT, wait_for

HONCHO = str(Path(sys.executable).with_name("honcho"))

pytestmark = pytest.mark.services


def celery_pids(group):
    """Celery processes in process group `group` (honcho starts each entry in its own)."""
    pids = []
    for proc in Path("/proc").iterdir():
        try:
            stat = (proc / "stat").read_text()
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, ValueError):
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[2]) == group and "bin/celery" in cmdline and "keep-running" not in cmdline:
            pids.append(int(proc.name))
    return pids


def test_make_run_starts_a_dead_worker_again(tmp_path):
    env = {**os.environ, "VAR_DIR": str(tmp_path), "CELERY_BROKER_URL": "filesystem://",
           "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3"}
    env.pop("CELERY_RESULT_BACKEND", None)
    log_path = tmp_path / "honcho.log"
    with open(log_path, "w") as log:
        honcho = subprocess.Popen([HONCHO, "start", "-f", "Procfile.dev", "worker"], cwd=ROOT,
                                  env=env, stdout=log, stderr=subprocess.STDOUT,
                                  start_new_session=True)
    output = log_path.read_text
    try:
        wait_for(lambda: " ready." in output(), 60, "the worker to start")
        group = int(output().split("started (pid=")[1].split(")")[0])
        [worker] = celery_pids(group)

        os.kill(worker, signal.SIGKILL)

        wait_for(lambda: output().count(" ready.") == 2, 60, "the worker to start again")
        [again] = celery_pids(group)
        assert again != worker
        assert honcho.poll() is None
    finally:
        honcho.terminate()
        try:
            honcho.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(honcho.pid, signal.SIGKILL)
    assert "starting it again" in output()
    wait_for(lambda: not celery_pids(group), 15, "Ctrl-C to stop the worker")
