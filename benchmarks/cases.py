"""The case benchmarks at 200,000 incidents: the incident list API beside its hand-tuned
ceiling, every list filter, the pages, and filing by eight officers at once. Each measures
through the server (`benchmarks.server`); query counts are read in-process."""

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from benchmarks.server import WORKERS
from benchmarks.stats import line, summary

ROUNDS = 40          # A/B rounds of the list against its ceiling, per user
FILTER_ROUNDS = 15   # rounds over every filter, per user
PAGE_ROUNDS = 15     # rounds over every page
FILERS = 8           # officers of eight providers filing at once
FILINGS = 25         # filings per officer


def api_token(user_id):
    """A fresh personal token of the user: the Authorization header."""
    from compliance.models import ApiToken

    key = ApiToken.generate_key()
    ApiToken.objects.create(user_id=user_id, name="benchmark", prefix=key[:8],
                            key_hash=ApiToken.hash_key(key))
    return f"Token {key}"


def session_cookie(user_id):
    """A signed-in browser session of the user: the Cookie header."""
    from django.test import Client

    from compliance.models import User

    client = Client()
    client.force_login(User.objects.get(pk=user_id))
    return f"sessionid={client.cookies['sessionid'].value}"


def _same_page(project, ceiling):
    import json

    a, b = json.loads(project), json.loads(ceiling)
    return a["count"] == b["count"] and a["results"] == b["results"]


def list_against_ceiling(server, who, goals):
    """Alternate the project's page and the ceiling's, request by request."""
    print("\nIncident list, status=submitted, page of 50: the API against the hand-tuned "
          "ceiling (alternating requests)")
    for name, user_id in who:
        project = server.client(Authorization=api_token(user_id))
        ceiling = server.client(**{"X-Bench-User": str(user_id)})
        status, body, _ = project.get("/api/v1/incidents/?status=submitted")
        assert status == 200, (status, body[:300])
        _, reference, _ = ceiling.get("/bench/ceiling/incidents/?status=submitted")
        identical = _same_page(body, reference)
        ours, theirs = [], []
        for _ in range(ROUNDS):
            ours.append(project.get("/api/v1/incidents/?status=submitted")[2])
            theirs.append(ceiling.get("/bench/ceiling/incidents/?status=submitted")[2])
        share = 100 * summary(theirs)[1] / summary(ours)[1]
        print(line(f"{name}: API", ours))
        print(line(f"{name}: ceiling", theirs,
                   f"  same page: {'yes' if identical else 'NO'}"))
        print(f"  {name}: the API serves {share:.0f} % of the ceiling's throughput")
        goals.at_least(f"list API throughput vs ceiling, {name}", share, 60)


def filters(reviewer, officer, provider_id):
    now = datetime.now(UTC)
    stamp = lambda days: (now - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")  # noqa: E731
    shared = [
        ("status=submitted", {"status": "submitted"}),
        ("q= a word", {"q": "firmware"}),
        ("q= a reference", {"q": "PES-B-123457"}),
        ("q= nothing found", {"q": "zyxwvut"}),
        ("overdue=true", {"overdue": "true"}),
        ("overdue=false", {"overdue": "false"}),
        ("category=cyber_attack", {"category": "cyber_attack"}),
        ("discovered in a month", {"discovered_after": stamp(400),
                                   "discovered_before": stamp(370)}),
        ("open_at a year ago", {"open_at": stamp(365)}),
        ("status + category + q + after", {"status": "closed",
                                           "category": "security_weakness", "q": "seal",
                                           "discovered_after": stamp(900)}),
        ("overdue + category", {"overdue": "true", "category": "security_weakness"}),
    ]
    own = [("provider=", {"provider": provider_id}),
           ("provider + overdue", {"provider": provider_id, "overdue": "true"})]
    return [(reviewer, name, query) for name, query in shared + own] + \
           [(officer, name, query) for name, query in shared + own[:1]]


def every_filter(server, reviewer_id, officer_id, provider_id, goals):
    print("\nIncident list API, every filter (page of 50, rounds over all filters)")
    clients = {reviewer_id: server.client(Authorization=api_token(reviewer_id)),
               officer_id: server.client(Authorization=api_token(officer_id))}
    names = {reviewer_id: "USPS", officer_id: "officer"}
    cases = filters(reviewer_id, officer_id, provider_id)
    times = {i: [] for i in range(len(cases))}
    counts = {}
    for _ in range(FILTER_ROUNDS):
        for i, (user_id, _, query) in enumerate(cases):
            status, body, ms = clients[user_id].get(f"/api/v1/incidents/?{urlencode(query)}")
            assert status == 200, (query, status, body[:300])
            times[i].append(ms)
            counts[i] = body.split(b",", 1)[0].decode()
    worst = 0
    for i, (user_id, name, _) in enumerate(cases):
        label = f"{names[user_id]}: {name}"
        print(line(label, times[i], f"  {counts[i]}"))
        worst = max(worst, summary(times[i])[1])
    slowest = max(range(len(cases)), key=lambda i: summary(times[i])[1])
    goals.below(f"list API p50 of the slowest filter ({names[cases[slowest][0]]}: "
                f"{cases[slowest][1]})", worst, 50)


def query_counts(paths, user_id):
    """Queries each page makes, read in-process."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from compliance.models import User

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(pk=user_id))
    found = {}
    for path in paths:
        client.get(path)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        found[path] = len(queries.captured_queries)
    return found


def pages(server, reviewer_id, officer_id, case_id, goals):
    print("\nPages (rounds over every page; the query count read in-process)")
    reviewer = server.client(Cookie=session_cookie(reviewer_id))
    officer = server.client(Cookie=session_cookie(officer_id))
    case = f"/incidents/{case_id}/"
    plan = [("queue", reviewer, "/incidents/queue/", reviewer_id, 100),
            ("home, USPS", reviewer, "/", reviewer_id, 50),
            ("home, officer", officer, "/", officer_id, 50),
            ("case page, USPS", reviewer, case, reviewer_id, 50),
            ("case page, officer", officer, case, officer_id, 50)]
    times = {name: [] for name, *_ in plan}
    for name, client, path, *_ in plan:
        status, body, _ = client.get(path)
        assert status == 200, (name, status, body[:300])
    for _ in range(PAGE_ROUNDS):
        for name, client, path, *_ in plan:
            times[name].append(client.get(path)[2])
    for name, _, path, user_id, target in plan:
        count = query_counts([path], user_id)[path]
        print(line(name, times[name], f"  {count} queries"))
        goals.below(f"{name} p50", summary(times[name])[1], target)


def draft_body(model_id, n):
    discovered = datetime.now(UTC) - timedelta(hours=2)
    return {"category": "security_weakness", "subtype": "equipment_defect",
            "title": f"Seal found broken on a returned meter ({n})",
            "description": "A returned meter arrived with its seal broken; held for study.",
            "discovered_at": discovered.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "discovery_timezone": "America/Chicago", "discovered_by_name": "Field team",
            "pes_models": [model_id]}


def filing(server, cast, goals):
    """Eight officers of eight providers each file in a loop: GET /me, create, submit."""
    from compliance.models import PESModel

    print(f"\nFiling: {FILERS} officers of {FILERS} providers at once, {FILINGS} filings "
          "each (GET /api/v1/me/, create, submit)")
    me, create, submit, both, errors = [], [], [], [], []
    served = Counter()  # (officer, server process) -> requests
    lock = threading.Lock()

    def officer_loop(officer_id, model_id, client, start):
        start.wait()
        for n in range(FILINGS):
            _, _, t_me = client.get("/api/v1/me/")
            status, body, t_create = client.post("/api/v1/incidents/", draft_body(model_id, n))
            if status != 201:
                errors.append((status, body[:300]))
                continue
            incident_id = __import__("json").loads(body)["id"]
            status, body, t_submit = client.post(f"/api/v1/incidents/{incident_id}/submit/", {})
            if status != 201:
                errors.append((status, body[:300]))
                continue
            with lock:
                served[officer_id, client.worker] += 3
                me.append(t_me)
                create.append(t_create)
                submit.append(t_submit)
                both.append(t_create + t_submit)

    officers = [(cast.officers[p][1], PESModel.objects.filter(provider_id=p).first().pk)
                for p in cast.providers[:FILERS]]
    clients = spread_evenly(server, [api_token(o) for o, _ in officers])
    start = threading.Event()
    threads = [threading.Thread(target=officer_loop, args=(o, m, client, start))
               for (o, m), client in zip(officers, clients, strict=True)]
    for thread in threads:
        thread.start()
    start.set()
    for thread in threads:
        thread.join()
    assert not errors, errors[:3]
    print(line("GET /api/v1/me/", me))
    print(line("create", create))
    print(line("submit", submit))
    print(line("create + submit", both))
    ratio = summary(both)[1] / summary(me)[1]
    print(f"  create + submit p50 is {ratio:.1f}x the p50 of GET /api/v1/me/")
    print(f"  {spread(served)}")
    gaps = reference_gaps()
    print(f"  references this year: {gaps}")
    goals.at_most("filing p50 (create + submit) vs GET /me p50", ratio, 5)
    goals.below("submit p95 with 8 officers filing at once", summary(submit)[2], 100)
    goals.check("references gap-free under load", gaps, "none missing, none twice",
                gaps.startswith("gap-free"))


def spread_evenly(server, tokens):
    """One keep-alive connection per token, the same number on each server process: a
    connection stays with the process that took it, and the figures depend on how they
    fall (with all on one process its threads take turns and GET /me waits less)."""
    share = -(-len(tokens) // WORKERS)
    held, clients = Counter(), []
    for token in tokens:
        for _ in range(200):
            client = server.client(Authorization=token)
            client.get("/api/v1/me/")
            if held[client.worker] < share:
                break
            client.close()
        else:
            raise RuntimeError("the server's processes did not take the connections evenly")
        held[client.worker] += 1
        clients.append(client)
    return clients


def spread(served):
    """How the officers' keep-alive connections fell on the server's processes: the figures
    above depend on it (the processes share the cores; threads of one share its lock)."""
    requests, officers = Counter(), Counter()
    for (_, worker), count in served.items():
        requests[worker] += count
    for officer in {officer for officer, _ in served}:
        officers[max(requests, key=lambda w: served[officer, w])] += 1
    workers = sorted(requests, key=requests.get, reverse=True)
    return ("officers per server process: " + " / ".join(str(officers[w]) for w in workers)
            + "; requests: " + " / ".join(str(requests[w]) for w in workers))


def reference_gaps():
    """Every number up to the year's counter on one filing, or in reserve for the next."""
    from django.utils import timezone

    from incidents.models import Incident, ReferenceCounter, ReferenceReservation

    year = timezone.now().year
    numbers = sorted(int(ref.rsplit("-", 1)[1]) for ref in Incident.objects.filter(
        reference__startswith=f"PES-{year}-").values_list("reference", flat=True))
    reserved = sorted(ReferenceReservation.objects.filter(year=year)
                      .values_list("number", flat=True))
    last = ReferenceCounter.objects.filter(year=year).values_list("last_number", flat=True)
    last = last[0] if last else 0
    if sorted(numbers + reserved) == list(range(1, last + 1)):
        return f"gap-free, 1 to {last} ({len(reserved)} in reserve)"
    return (f"{len(numbers)} references and {len(reserved)} in reserve for a counter at "
            f"{last}: gaps or repeats")
