"""Benchmark of one deadline-sweep pass at 10,000 and at 1,000,000 obligations.

Run with `make bench` (PostgreSQL: BENCH_DATABASE_URL, default the local server's
`pes_bench` database, created if missing). About 1 % of obligations are open, 100 of them
due now; the rest are met. Prints the median pass time at each size, their ratio and the
EXPLAIN ANALYZE of the sweep's two queries.
"""

import os
import statistics
import sys
import time

BENCH_URL = os.environ.get("BENCH_DATABASE_URL",
                           "postgres://postgres@127.0.0.1:5432/pes_bench")
os.environ["DATABASE_URL"] = BENCH_URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "true")

SIZES = [int(s) for s in os.environ.get("BENCH_SIZES", "10000,1000000").split(",")]
DUE_NOW = 100
OPEN_SHARE = 0.01
RUNS = 7


def ensure_database():
    import psycopg

    base, _, name = BENCH_URL.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def seed(total, provider_id):
    """Replace every obligation with `total` rows: 1 % open (100 due now), the rest met."""
    from django.db import connection

    open_count = max(int(total * OPEN_SHARE), DUE_NOW)
    with connection.cursor() as cur:
        cur.execute("TRUNCATE notifications_outboundemail, compliance_obligation CASCADE")
        cur.execute("TRUNCATE compliance_auditevent")  # append-only: no row deletes
        cur.execute(
            """
            INSERT INTO compliance_obligation
              (kind, clause, provider_id, incident_id, subject, due_at, original_due_at, state,
               met_at, waived_reason, usps_visible, created_at, next_action_at,
               steps_done_until)
            SELECT 'status_report', '§ 501.11(c)', %(p)s, g, 'Case ' || g,
                   now() - interval '400 days' + g * interval '30 seconds',
                   now() - interval '400 days' + g * interval '30 seconds',
                   'met', now() - interval '401 days' + g * interval '30 seconds', '', true,
                   now() - interval '500 days', NULL, NULL
            FROM generate_series(1, %(n)s) AS g
            """,
            {"p": provider_id, "n": total - open_count},
        )
        cur.execute(
            """
            INSERT INTO compliance_obligation
              (kind, clause, provider_id, incident_id, subject, due_at, original_due_at, state,
               met_at, waived_reason, usps_visible, created_at, next_action_at,
               steps_done_until)
            SELECT 'written_report', '§ 501.11(c)', %(p)s, g, 'Open ' || g,
                   now() + interval '10 days' + g * interval '1 minute',
                   now() + interval '10 days' + g * interval '1 minute',
                   'open', NULL, '', true, now(),
                   now() + interval '5 days' + g * interval '1 minute', NULL
            FROM generate_series(1, %(n)s) AS g
            """,
            {"p": provider_id, "n": open_count - DUE_NOW},
        )
        cur.execute("ANALYZE compliance_obligation")


def arm_due_now(provider_id):
    """(Re)make the 100 obligations that have come due, with their reminder step due."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("TRUNCATE notifications_outboundemail")
        cur.execute("TRUNCATE compliance_auditevent")  # append-only: no row deletes
        cur.execute("DELETE FROM compliance_obligation WHERE subject LIKE %s", ["Due now %"])
        cur.execute(
            """
            INSERT INTO compliance_obligation
              (kind, clause, provider_id, incident_id, subject, due_at, original_due_at, state,
               met_at, waived_reason, usps_visible, created_at, next_action_at,
               steps_done_until)
            SELECT 'notification', '§ 501.11(b)', %(p)s, g, 'Due now ' || g,
                   now() - interval '1 minute', now() - interval '1 minute', 'open', NULL, '',
                   true, now() - interval '1 day', now() - interval '1 minute', NULL
            FROM generate_series(1, %(n)s) AS g
            """,
            {"p": provider_id, "n": DUE_NOW},
        )


def explain_queries():
    from django.db import connection, transaction
    from django.utils import timezone

    from compliance.models import Obligation, ObligationState

    now = timezone.now()
    queries = {
        "missed": Obligation.objects.filter(state=ObligationState.OPEN, due_at__lte=now)
        .order_by("due_at").values("id", "provider_id", "kind", "subject", "due_at")[:500],
        "due steps": Obligation.objects.filter(next_action_at__lte=now)
        .order_by("next_action_at")[:500],
    }
    out = []
    with transaction.atomic(), connection.cursor() as cur:
        for name, qs in queries.items():
            sql, params = qs.query.sql_with_params()
            cur.execute(f"EXPLAIN (ANALYZE, BUFFERS, TIMING OFF) {sql} FOR UPDATE SKIP LOCKED",
                        params)
            out.append(f"-- {name}\n" + "\n".join(row[0] for row in cur.fetchall()))
        transaction.set_rollback(True)
    return "\n".join(out)


def time_passes(provider_id):
    import notifications.sweep as sweep_module  # the pass writes e-mails; the worker sends

    busy, idle = [], []
    for _ in range(RUNS):
        arm_due_now(provider_id)
        started = time.perf_counter()
        result = sweep_module.sweep()
        busy.append((time.perf_counter() - started) * 1000)
        assert result.missed == DUE_NOW, result
        started = time.perf_counter()
        sweep_module.sweep()
        idle.append((time.perf_counter() - started) * 1000)
    return statistics.median(busy), statistics.median(idle), result


def main():
    ensure_database()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from compliance.models import Provider, Role, User

    provider, _ = Provider.objects.get_or_create(
        name="Benchmark Postage", defaults={"authorization_number": "BENCH-1"})
    for n in range(2):
        User.objects.get_or_create(
            username=f"bench-officer-{n}",
            defaults={"role": Role.PROVIDER_OFFICER, "provider": provider,
                      "email": f"bench{n}@example.com"})
    User.objects.get_or_create(username="bench-reviewer",
                               defaults={"role": Role.USPS_REVIEWER,
                                         "email": "reviewer@example.com"})
    results = {}
    for size in SIZES:
        print(f"seeding {size:,} obligations ...", flush=True)
        seed(size, provider.pk)
        busy, idle, last = time_passes(provider.pk)
        results[size] = busy
        print(f"{size:>10,} obligations: pass with {DUE_NOW} due now {busy:7.1f} ms "
              f"(median of {RUNS}; {last}); idle pass {idle:5.1f} ms", flush=True)
        if size == SIZES[-1]:
            arm_due_now(provider.pk)
            print(f"\nEXPLAIN ANALYZE at this size, {DUE_NOW} due:\n" + explain_queries())
    if len(SIZES) > 1:
        small, large = results[SIZES[0]], results[SIZES[-1]]
        print(f"\nratio {SIZES[-1]:,} / {SIZES[0]:,}: {large / small:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
