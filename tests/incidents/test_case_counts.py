"""Case counts kept by the database (incidents/counts.py): every change of a case's
provider, status, category or triage moves it between counts, whichever code makes it; the
incident list's `count` read from them equals the rows it lists."""

from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
import time_machine
from django.db import connection

from compliance.models import ObligationKind
from incidents import counts
from incidents.models import CaseCount, Incident
from tests import factories

from .factories import NOW, IncidentFactory, make_draft, make_filed

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def at_now():
    with time_machine.travel(NOW, tick=False):
        yield


def table():
    """{(provider, status, category, untriaged): cases}, without empty counts."""
    return {(c.provider_id, c.status, c.category, c.untriaged): c.cases
            for c in CaseCount.objects.all() if c.cases}


def actual():
    found = {}
    for i in Incident.objects.all():
        key = (i.provider_id, i.status, i.category,
               i.status == "submitted" and i.triaged_at is None)
        found[key] = found.get(key, 0) + 1
    return found


def test_drafting_filing_triage_and_closing_move_the_case(officer_a, reviewer):
    from incidents import services

    incident = make_draft(officer_a)
    assert table() == actual() == {
        (officer_a.provider_id, "draft", "security_weakness", False): 1}
    incident = make_filed(officer_a)
    assert table() == actual()
    assert table()[(officer_a.provider_id, "submitted", "security_weakness", True)] == 1
    services.triage_incident(actor=reviewer, incident=incident, revenue_risk="high",
                             rationale="r")
    assert table() == actual()
    assert (officer_a.provider_id, "submitted", "security_weakness", True) not in table()


def test_direct_writes_and_deletes_are_counted(officer_a, officer_b):
    cases = [IncidentFactory(provider=officer.provider, created_by=officer)
             for officer in (officer_a, officer_b, officer_b)]
    Incident.objects.filter(pk=cases[0].pk).update(status="submitted")
    Incident.objects.filter(pk=cases[1].pk).update(category="cyber_attack",
                                                   provider=officer_a.provider)
    Incident.objects.filter(pk=cases[2].pk).update(status="submitted", triaged_at=NOW)
    assert table() == actual()
    Incident.objects.filter(pk=cases[2].pk).delete()
    assert table() == actual()


def test_recount_all_repairs_the_counts(officer_a):
    IncidentFactory(provider=officer_a.provider, created_by=officer_a)
    CaseCount.objects.update(cases=7)
    with connection.cursor() as cursor:
        counts.recount_all(cursor)
    assert table() == actual()


QUERIES = ["", "status=submitted", "category=cyber_attack", "provider={b}",
           "status=closed&category=security_weakness", "overdue=false",
           "overdue=false&status=submitted", "overdue=true", "overdue=false&provider={b}",
           "q=Weakness", "status=draft"]


@pytest.mark.parametrize("who", ["reviewer", "officer_b"])
@pytest.mark.parametrize("query", QUERIES)
def test_the_lists_count_is_the_rows_it_lists(request, api, provider_a, provider_b, who,
                                               query):
    user = request.getfixturevalue(who)
    statuses = ["draft", "submitted", "under_review", "closed"]
    for n in range(12):
        provider = provider_a if n % 2 else provider_b
        officer = factories.OfficerFactory(provider=provider)
        incident = IncidentFactory(provider=provider, created_by=officer,
                                   status=statuses[n % 4],
                                   category=["cyber_attack", "security_weakness"][n % 3 % 2])
        if n % 3 == 0:
            factories.ObligationFactory(provider=provider, incident_id=incident.pk,
                                        kind=ObligationKind.WRITTEN_REPORT,
                                        due_at=NOW - timedelta(hours=n + 1))
    api.force_authenticate(user)
    response = api.get("/api/v1/incidents/?page_size=200&" + query.format(b=provider_b.pk))
    assert response.status_code == 200
    assert response.data["count"] == len(response.data["results"])
    expected = Incident.objects.visible_to(user)
    if "status=submitted" in query:
        assert {r["status"] for r in response.data["results"]} <= {"submitted"}
    assert response.data["count"] <= expected.count()


def test_a_count_by_status_reads_the_counts_not_the_cases(api, reviewer, officer_a):
    from django.test.utils import CaptureQueriesContext

    IncidentFactory(provider=officer_a.provider, created_by=officer_a, status="closed")
    api.force_authenticate(reviewer)
    with CaptureQueriesContext(connection) as queries:
        response = api.get("/api/v1/incidents/?status=closed")
    assert response.data["count"] == 1
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert "incidents_casecount" in sql
    assert 'COUNT(*) AS "__count" FROM "incidents_incident"' not in sql


# A duty due at the end of a day in New York (23:59:59 EDT), to the second.
END_OF_DAY = datetime(2026, 6, 11, 3, 59, 59, tzinfo=UTC)


def test_overdue_false_count_and_rows_agree_when_the_second_ticks(api_for, officer_a):
    """The rows and the count read the clock once, for the whole request: a due time's last
    second passing between them drops no case and lists no overdue one."""
    with time_machine.travel(END_OF_DAY - timedelta(days=1), tick=False):
        cases = [IncidentFactory(provider=officer_a.provider, created_by=officer_a,
                                 status="submitted") for _ in range(3)]
        # One case's written report is due at END_OF_DAY; the others owe nothing past due.
        factories.ObligationFactory(provider=officer_a.provider, incident_id=cases[-1].pk,
                                    kind=ObligationKind.WRITTEN_REPORT, due_at=END_OF_DAY)
    client = api_for(officer_a)
    with time_machine.travel(END_OF_DAY + timedelta(milliseconds=999), tick=False) as traveller:
        original = counts.counted

        def counted_then_tick(*args, **kwargs):
            # The request goes on past END_OF_DAY's last second while it reads the counts.
            value = original(*args, **kwargs)
            traveller.move_to(END_OF_DAY + timedelta(seconds=1, milliseconds=1))
            return value

        with mock.patch.object(counts, "counted", side_effect=counted_then_tick):
            response = client.get("/api/v1/incidents/", {"overdue": "false"})
    assert response.status_code == 200
    listed = [row["id"] for row in response.data["results"]]
    # Read at one instant, the answer is either all three (END_OF_DAY not yet past) or the two
    # that owe nothing (END_OF_DAY past); never a case that is overdue in place of one that is not.
    assert sorted(listed) in (sorted(c.pk for c in cases), sorted(c.pk for c in cases[:-1]))
    assert response.data["count"] == len(listed)
