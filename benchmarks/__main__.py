"""`make bench`: seed (once) and measure every goal, ending with one line per goal.

    BENCH_DATABASE_URL   the case database (default postgres://…/pes_bench); the sweep's
                         small database is `<name>_small` beside it
    BENCH_INCIDENTS      cases to seed (default 200,000)
    BENCH_ONLY           comma-separated parts to run: list,filters,pages,filing,metrics,sweep
"""

import os
import sys
import time

from benchmarks import cases, database, metrics, sweep
from benchmarks.stats import Goals

TOTAL = int(os.environ.get("BENCH_INCIDENTS", "200000"))
PARTS = os.environ.get("BENCH_ONLY", "list,filters,pages,filing,metrics,sweep").split(",")


def drafts(total):
    return sum(1 for g in range(int(total * 0.99) + 1, total + 1) if g % 40 == 0)


def prepare(name, total, obligations, emails):
    """Seed database `name` with `total` cases unless it holds them; pad it."""
    from benchmarks.seeding import seed_cases, seed_people
    from incidents.models import Incident

    database.ensure(name)
    cast = seed_people()
    filed = Incident.objects.filter(reference__startswith="PES-B-").count()
    if filed != total - drafts(total):
        print(f"seeding {total:,} incidents into {name} ...", flush=True)
        seed_cases(total, cast, progress=lambda text: print(text, flush=True))
        sweep.pad(name, obligations, emails)
    print(f"vacuumed {name} ({database.vacuum(name):.0f} s)", flush=True)
    return cast


def machine_speed():
    """Seconds for ten million additions in a Python loop: the same code's figures scale
    with it, and it varies between machines and from day to day."""
    started = time.perf_counter()
    total = 0
    for n in range(10_000_000):
        total += n
    return time.perf_counter() - started


def main():
    started = time.perf_counter()
    speed = machine_speed()
    database.setup()
    goals = Goals()
    if "sweep" in PARTS:
        prepare(database.SMALL_NAME, sweep.SMALL_CASES, sweep.SMALL_OBLIGATIONS,
                sweep.SMALL_CASES * 3)
    cast = prepare(database.NAME, TOTAL, sweep.LARGE_OBLIGATIONS, sweep.LARGE_EMAILS)
    reviewer = cast.reviewers[0]
    provider = cast.providers[1]
    officer = cast.officers[provider][0]
    from incidents.models import Incident

    case = (Incident.objects.filter(provider_id=provider, status="investigating")
            .order_by("-discovered_at").values_list("pk", flat=True).first())
    from benchmarks.server import Server

    with Server(database.BENCH_URL) as server:
        if "list" in PARTS:
            cases.list_against_ceiling(server, [("USPS", reviewer), ("officer", officer)],
                                       goals)
        if "filters" in PARTS:
            cases.every_filter(server, reviewer, officer, provider, goals)
        if "pages" in PARTS:
            cases.pages(server, reviewer, officer, case, goals)
        if "filing" in PARTS:
            cases.filing(server, cast, goals)
        if "metrics" in PARTS:
            metrics.run(server, reviewer, goals)
    if "sweep" in PARTS:
        sweep.run(database.NAME, database.SMALL_NAME, goals)
    print(f"\n(bench took {time.perf_counter() - started:.0f} s; machine: ten million "
          f"additions in a Python loop took {speed:.2f} s at the start, "
          f"{machine_speed():.2f} s at the end)\n")
    print("\n".join(goals.lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
