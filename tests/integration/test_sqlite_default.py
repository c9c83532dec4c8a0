"""`make run` on its embedded defaults (SQLite in a file, one web process with threads, a
worker, a scheduler): two officers filing at the same moment must both get their receipt.

The suite's own concurrency tests need PostgreSQL, and on SQLite its test database is in
memory; this one runs the real settings (config.settings, as `make run` does) in a fresh
process on a fresh SQLite file, whatever DATABASE_URL the suite was given.
"""

import json
import os
import subprocess
import sys

from django.conf import settings

SCRIPT = r"""
import json, threading
from django.db import connections
from incidents import services
from tests import factories
from tests.incidents.factories import draft_values

officers = [factories.OfficerFactory() for _ in range(4)]
drafts = {o.pk: [services.create_draft(actor=o, **draft_values(o.provider)) for _ in range(4)]
          for o in officers}
barrier = threading.Barrier(len(officers))
results = []

def file(officer):
    try:
        barrier.wait(timeout=30)
        for draft in drafts[officer.pk]:
            try:
                services.submit_incident(actor=officer, incident=draft)
                results.append("ok")
            except Exception as exc:
                results.append(f"{type(exc).__name__}: {exc}")
    finally:
        connections.close_all()

threads = [threading.Thread(target=file, args=(o,)) for o in officers]
[t.start() for t in threads]
[t.join() for t in threads]
print("RESULT " + json.dumps(results))
"""


def run(args, env):
    return subprocess.run([sys.executable, "manage.py", *args], env=env, cwd=settings.BASE_DIR,
                          capture_output=True, text=True, timeout=600)


def test_two_officers_filing_at_once_on_the_default_sqlite_database_both_succeed(tmp_path):
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "VAR_DIR": str(tmp_path),
           "DJANGO_SETTINGS_MODULE": "config.settings", "SECRET_KEY": os.environ["SECRET_KEY"],
           "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    migrated = run(["migrate", "--no-input"], env)
    assert migrated.returncode == 0, migrated.stderr[-3000:]

    out = run(["shell", "-c", SCRIPT], env)
    assert out.returncode == 0, out.stderr[-3000:]
    results = json.loads(out.stdout.split("RESULT ", 1)[1].splitlines()[0])

    failures = [r for r in results if r != "ok"]
    # Every filing gets its receipt; none answers "database is locked" (a 500 on the page
    # or the API).
    assert failures == [], f"{len(failures)} of {len(results)} filings failed: {failures[:3]}"
