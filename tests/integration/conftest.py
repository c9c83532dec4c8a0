"""Real servers for the integration tests, each on a port picked at run time: an SMTP server
in this process, a Redis server of the test's own, and Celery processes against the test
database (PostgreSQL: several processes share it)."""

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection

from tests.conftest import require_service

ROOT = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).with_name("celery"))


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition, timeout, what):
    """Poll `condition` (real processes work in real time) until it holds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting {timeout} s for {what}")
        time.sleep(0.2)


class Inbox:
    """An SMTP handler that keeps every message it accepts, taking `delay` seconds over each
    (a slow server keeps sending going for a while)."""

    def __init__(self, delay=0):
        self.messages = []
        self.delay = delay

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content,
                                                                     policy=policy.default)))
        return "250 OK"

    def message_ids(self):
        return [message["Message-ID"] for _, message in self.messages]


@pytest.fixture
def smtp_server(settings):
    """`smtp_server(handler)` serves SMTP on 127.0.0.1 and points this process's e-mail at
    it; returns the port (for other processes' EMAIL_URL)."""

    def start(handler):
        port = free_port()
        controller = Controller(handler, hostname="127.0.0.1", port=port)
        controller.start()
        started.append(controller)
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = port
        settings.EMAIL_USE_TLS = False
        return port

    started = []
    yield start
    for controller in started:
        controller.stop()


class RedisServer:
    """A Redis server of the test's own, in a temporary folder, to stop and start again."""

    def __init__(self, folder):
        self.folder = folder
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [shutil.which("redis-server"), "--bind", "127.0.0.1", "--port", str(self.port),
             "--dir", str(self.folder), "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(self.answers, 10, "Redis to start")

    def stop(self):
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None

    def answers(self):
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False


@pytest.fixture
def redis_server(tmp_path):
    if shutil.which("redis-server") is None:
        require_service("redis-server is not installed")
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def postgresql():
    if connection.vendor != "postgresql":
        require_service("several processes share the test database: DATABASE_URL must name "
                        "PostgreSQL")


def process_env(tmp_path, broker_url, **extra):
    """The environment of a worker or scheduler process against the test database."""
    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "true",
        "DATABASE_URL": f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:"
                        f"{db['PORT'] or 5432}/{db['NAME']}",
        "CELERY_BROKER_URL": broker_url,
        "CELERY_RESULT_BACKEND": broker_url,
        "VAR_DIR": str(tmp_path),
        **extra,
    }
    if "EMAIL_URL" not in extra:
        env.pop("EMAIL_URL", None)
    return env


class Processes:
    """Celery processes started by a test, each logging to a file; all stopped at the end."""

    def __init__(self, tmp_path):
        self.tmp_path = tmp_path
        self.started = {}

    def start(self, name, args, env):
        log = open(self.tmp_path / f"{name}.log", "w")
        self.started[name] = subprocess.Popen(
            [CELERY, "-A", "config", *args], cwd=ROOT, env=env, stdout=log,
            stderr=subprocess.STDOUT, start_new_session=True)
        return self.started[name]

    def log(self, name):
        return (self.tmp_path / f"{name}.log").read_text()

    def logs(self):
        return "".join(f"--- {name}\n{self.log(name)}" for name in self.started)

    def wait_ready(self, name, timeout=60):
        wait_for(lambda: " ready." in self.log(name), timeout, f"{name} to be ready")

    def kill(self, name):
        process = self.started.pop(name)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def stop_all(self):
        for process in self.started.values():
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for process in self.started.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


@pytest.fixture
def processes(tmp_path):
    started = Processes(tmp_path)
    yield started
    started.stop_all()
