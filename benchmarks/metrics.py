"""Benchmark of the USPS metrics page (every provider, the last twelve months) at 200,000
incidents on PostgreSQL. Goal: under 300 ms.

Run with `make bench` (BENCH_DATABASE_URL, default the local `pes_bench`; BENCH_INCIDENTS
to change the size). Seeds with benchmarks.seeding, then prints the median page time of
seven requests, the number of queries and the slowest query's EXPLAIN ANALYZE.
"""

import os
import statistics
import sys
import time

from benchmarks import database

TOTAL = int(os.environ.get("BENCH_INCIDENTS", "200000"))
PROVIDERS = 20
RUNS = 7
GOAL_MS = 300


def people():
    from compliance.models import Provider, Role, User

    providers = [Provider.objects.get_or_create(
        name=f"Benchmark Provider {n}", defaults={"authorization_number": f"BENCH-P{n}"})[0]
        for n in range(PROVIDERS)]
    officer, _ = User.objects.get_or_create(
        username="bench-metrics-officer",
        defaults={"role": Role.PROVIDER_OFFICER, "provider": providers[0],
                  "email": "metrics-officer@example.com"})
    reviewer, _ = User.objects.get_or_create(
        username="bench-reviewer", defaults={"role": Role.USPS_REVIEWER,
                                             "email": "reviewer@example.com"})
    return [p.pk for p in providers], officer, reviewer


def time_page(user):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    client.get("/metrics/")  # warm the caches, as a page seen before
    times = []
    for _ in range(RUNS):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get("/metrics/")
            times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    slowest = max(queries.captured_queries, key=lambda q: float(q["time"]))
    return statistics.median(times), len(queries.captured_queries), slowest


def main():
    database.setup()
    from django.db import connection

    from benchmarks.seeding import seed_cases
    from compliance.models import Obligation
    from incidents.models import Incident

    provider_ids, officer, reviewer = people()
    seeded = (Incident.objects.filter(reference__startswith="PES-B-").count() == TOTAL
              and Obligation.objects.filter(subject__startswith="PES-B-").exists())
    if not seeded:
        print(f"seeding {TOTAL:,} incidents ...", flush=True)
        seed_cases(TOTAL, provider_ids, officer.pk, reviewer.pk,
                   progress=lambda line: print(line, flush=True))
    median, count, slowest = time_page(reviewer)
    verdict = "within" if median < GOAL_MS else "OVER"
    print(f"USPS metrics page at {TOTAL:,} incidents: {median:.1f} ms (median of {RUNS}; "
          f"{count} queries; {verdict} the {GOAL_MS} ms goal)")
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, TIMING OFF) {slowest['sql']}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    print(f"\nslowest query ({float(slowest['time']) * 1000:.1f} ms):\n{plan}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
