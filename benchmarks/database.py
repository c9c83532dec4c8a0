"""The benchmark databases: BENCH_DATABASE_URL (default the local `pes_bench`) and, beside
it on the same server, `<name>_small`; each created if missing, migrated, and vacuumed
before a run."""

import os
import time

BENCH_URL = os.environ.get("BENCH_DATABASE_URL",
                           "postgres://postgres@127.0.0.1:5432/pes_bench")
BASE, _, NAME = BENCH_URL.rpartition("/")
SMALL_NAME = f"{NAME}_small"


def setup():
    """Point Django at the benchmark database, create and migrate it."""
    os.environ["DATABASE_URL"] = BENCH_URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
    os.environ.setdefault("DEBUG", "false")
    # The server listens on the loopback only, for the run's length.
    os.environ.setdefault("SECRET_KEY", "benchmark-only-key-never-deployed-" + "x" * 32)
    import django

    django.setup()
    ensure(NAME)


def ensure(name):
    """Create database `name` if missing, point the default connection at it, migrate."""
    import psycopg
    from django.core.management import call_command

    from benchmarks.sweep import use

    with psycopg.connect(f"{BASE}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    use(name)
    call_command("migrate", verbosity=0)


def vacuum(name):
    """VACUUM (ANALYZE) database `name`, as autovacuum would keep it: the runs' own filings
    and sweep rounds leave dead rows behind, and a server may run without autovacuum.
    Returns the seconds it took."""
    import psycopg

    started = time.perf_counter()
    with psycopg.connect(f"{BASE}/{name}", autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")
    return time.perf_counter() - started
