"""The USPS metrics page (every provider, the last twelve months) at 200,000 incidents, and
the EXPLAIN ANALYZE of its slowest query. Goal: under 300 ms."""

from benchmarks.stats import line, summary

RUNS = 9
GOAL_MS = 300


def slowest_query(user_id):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from compliance.models import User

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(pk=user_id))
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/metrics/").status_code == 200
    slowest = max(queries.captured_queries, key=lambda q: float(q["time"]))
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, TIMING OFF) {slowest['sql']}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    return len(queries.captured_queries), float(slowest["time"]) * 1000, plan


def run(server, reviewer_id, goals):
    from benchmarks.cases import session_cookie

    print("\nUSPS metrics page, every provider, the last twelve months")
    client = server.client(Cookie=session_cookie(reviewer_id))
    status, body, _ = client.get("/metrics/")
    assert status == 200, (status, body[:300])
    times = [client.get("/metrics/")[2] for _ in range(RUNS)]
    count, slowest_ms, plan = slowest_query(reviewer_id)
    print(line("metrics page", times, f"  {count} queries"))
    print(f"  slowest query ({slowest_ms:.1f} ms):\n    " + plan.replace("\n", "\n    "))
    goals.below("metrics page p50", summary(times)[1], GOAL_MS)
