"""The benchmark database: BENCH_DATABASE_URL (default the local `pes_bench`), created
if missing, migrated, with Django set up on it."""

import os

BENCH_URL = os.environ.get("BENCH_DATABASE_URL",
                           "postgres://postgres@127.0.0.1:5432/pes_bench")


def setup():
    """Point Django at the benchmark database, create and migrate it."""
    import psycopg

    os.environ["DATABASE_URL"] = BENCH_URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "true")
    # The benchmark signs its users in directly; no second factor to enrol.
    os.environ.setdefault("MFA_REQUIRED_ROLES", "")
    base, _, name = BENCH_URL.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
