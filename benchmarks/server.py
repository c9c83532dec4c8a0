"""The project served as in production (gunicorn with `config/gunicorn.py`: two processes
of four threads) on the benchmark database, and a keep-alive HTTP client that times each
request."""

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
THREADS = int(os.environ.get("BENCH_THREADS", "4"))


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """`with Server(database_url) as server:` — gunicorn until the block ends."""

    def __init__(self, database_url):
        self.database_url = database_url
        self.port = _free_port()

    def __enter__(self):
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
               "DATABASE_URL": self.database_url, "DEBUG": "false", "LOG_LEVEL": "WARNING",
               "WEB_CONCURRENCY": str(WORKERS), "WEB_THREADS": str(THREADS)}
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.process = subprocess.Popen(
            [str(gunicorn), "--config", "config/gunicorn.py",
             "--bind", f"127.0.0.1:{self.port}", "--keep-alive", "30",
             "--log-level", "warning"],
            cwd=ROOT, env=env)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                status, _, _ = Client(self.port).get("/accounts/login/")
                if status == 200:
                    return self
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("the benchmark server did not start")

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=30)

    def client(self, **headers):
        return Client(self.port, headers)


class Client:
    """One keep-alive connection; each call returns (status, body, milliseconds).
    `worker` is the server process that answered the last call."""

    def __init__(self, port, headers=None):
        self.port = port
        self.worker = None
        self.headers = {"Host": "127.0.0.1", **(headers or {})}
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def request(self, method, path, body=None):
        headers = dict(self.headers)
        if body is not None:
            body = json.dumps(body)
            headers["Content-Type"] = "application/json"
        started = time.perf_counter()
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            data = response.read()
        except (http.client.HTTPException, OSError):
            self.connection.close()  # the server closed an idle connection: once more
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            started = time.perf_counter()
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            data = response.read()
        self.worker = response.getheader("X-Bench-Worker")
        return response.status, data, (time.perf_counter() - started) * 1000

    def close(self):
        self.connection.close()

    def get(self, path):
        return self.request("GET", path)

    def post(self, path, body):
        return self.request("POST", path, body)
