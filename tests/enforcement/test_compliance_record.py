"""The compliance record against hand-computed figures: per clause over a period (a duty
counts when its original due time falls in it, in the provider's zone), the hours from
discovery to notification, the cases open; through the page, the lists behind the
figures and the API."""

import itertools
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from compliance.enforcement.record import Period, compliance_record
from compliance.models import ExtensionRequest, Obligation
from tests import factories
from tests.incidents.factories import IncidentFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 10, 16, 0, tzinfo=UTC)
MAY = Period(date(2026, 5, 1), date(2026, 5, 31), "America/New_York")
QUERY = "?from=2026-05-01&to=2026-05-31"


def utc(month, day, hour=12):
    return datetime(2026, month, day, hour, 0, tzinfo=UTC)


def duty(provider, kind, due, state, met_at=None, due_at=None, **extra):
    return factories.ObligationFactory(provider=provider, kind=kind, original_due_at=due,
                                       due_at=due_at or due, state=state, met_at=met_at,
                                       **extra)


@pytest.fixture
def ledger(provider_a, provider_b):
    """Provider A's duties of May 2026, and what must not count."""
    a = provider_a
    rows = {
        # Notifications: filed 18 h, 36 h and 14 h after discovery, one missed.
        "n1": duty(a, "notification", utc(5, 2, 10), "met", met_at=utc(5, 2, 4)),
        "n2": duty(a, "notification", utc(5, 10), "late", met_at=utc(5, 11, 0)),
        "n3": duty(a, "notification", utc(5, 20), "missed"),
        "n4": duty(a, "notification", utc(5, 25), "met", met_at=utc(5, 25, 2)),
        "w1": duty(a, "written_report", utc(5, 15), "met", met_at=utc(5, 20),
                   due_at=utc(5, 22)),
        "w2": duty(a, "written_report", utc(5, 28), "waived"),
        "s1": duty(a, "status_report", utc(5, 5), "late", met_at=utc(5, 6)),
        # 21:00 on May 31 in New York: in May there, though June in UTC.
        "s2": duty(a, "status_report", utc(6, 1, 1), "open"),
        "p1": duty(a, "procedures", utc(5, 31), "missed"),
    }
    # None of these counts: June in New York, April in New York, USPS's own target, a
    # draft's duty, another provider's, a proceeding's period.
    duty(a, "status_report", utc(6, 1, 5), "open")
    duty(a, "final_summary", utc(4, 30, 23), "missed")
    duty(a, "usps_triage", utc(5, 12), "missed", clause="USPS target")
    duty(a, "notification", utc(5, 13), "missed", usps_visible=False)
    duty(provider_b, "written_report", utc(5, 13), "missed")
    duty(a, "proceeding_defense", utc(5, 14), "missed")
    # w1 was given more time by USPS on a request; s1's due time moved without one.
    granted(rows["w1"], utc(5, 22))
    Obligation.objects.filter(pk=rows["s1"].pk).update(due_at=utc(5, 6))
    return rows


def granted(obligation, until):
    officer = factories.OfficerFactory(provider=obligation.provider)
    reviewer = factories.ReviewerFactory()
    return ExtensionRequest.objects.create(
        obligation=obligation, requested_by=officer, justification="The lab is booked.",
        due_at_when_requested=obligation.original_due_at, requested_due_at=until,
        granted_due_at=until, state="granted", decided_by=reviewer,
        decided_at=obligation.original_due_at - timedelta(days=1),
        created_at=obligation.original_due_at - timedelta(days=2))


@pytest.fixture
def cases(provider_a, provider_b):
    numbers = itertools.count(1)

    def case(provider, submitted, closed=None, status="investigating"):
        return IncidentFactory(provider=provider, status=status, submitted_at=submitted,
                               closed_at=closed, reference=f"PES-2026-{next(numbers):05d}")
    open_a = case(provider_a, utc(5, 1, 4))                 # 31 days old on June 1
    case(provider_a, utc(4, 1), closed=utc(5, 15), status="closed")
    closed_later = case(provider_a, utc(5, 21, 4), closed=utc(6, 5), status="closed")  # 11 d
    case(provider_a, None, status="draft")
    case(provider_a, utc(6, 2))
    case(provider_b, utc(5, 2))
    return [open_a, closed_later]


def figures(record, kind):
    row = next(c for c in record["clauses"] if c["kind"] == kind)
    return {k: row[k] for k in ("owed", "met", "late", "missed", "waived", "extended", "open")}


def test_it_counts_each_clause_from_hand_computed_data(ledger, cases, provider_a):
    record = compliance_record(provider_a, MAY, NOW)

    assert figures(record, "notification") == {"owed": 4, "met": 2, "late": 1, "missed": 1,
                                               "waived": 0, "extended": 0, "open": 0}
    assert figures(record, "written_report") == {"owed": 2, "met": 1, "late": 0, "missed": 0,
                                                 "waived": 1, "extended": 1, "open": 0}
    assert figures(record, "status_report") == {"owed": 2, "met": 0, "late": 1, "missed": 0,
                                                "waived": 0, "extended": 0, "open": 1}
    assert figures(record, "final_summary") == dict.fromkeys(figures(record, "final_summary"), 0)
    assert figures(record, "procedures")["missed"] == 1
    assert record["totals"]["owed"] == 9
    assert record["notification_hours"] == {"count": 3, "median": 18.0, "max": 36.0}


def test_a_case_filed_as_the_period_ends_is_not_open_in_it_and_one_closed_then_is(
        provider_a):
    end = datetime(2026, 6, 1, 4, 0, tzinfo=UTC)  # midnight after May 31 in New York
    IncidentFactory(provider=provider_a, status="submitted", submitted_at=end,
                    reference="PES-2026-00001")
    IncidentFactory(provider=provider_a, status="closed", submitted_at=utc(5, 3),
                    closed_at=end, reference="PES-2026-00002")

    assert compliance_record(provider_a, MAY, NOW)["open_cases"] == 1


def test_it_counts_the_cases_open_at_the_end_of_the_period(ledger, cases, provider_a):
    record = compliance_record(provider_a, MAY, NOW)

    assert record["open_cases_at"] == datetime(2026, 6, 1, 3, 59, 59, 999999, tzinfo=UTC)
    assert record["open_cases"] == 2
    assert record["open_case_age_days"] == {"median": 21.0, "max": 31.0}


def test_it_reads_in_a_handful_of_queries_however_many_duties(ledger, cases, provider_a):
    with CaptureQueriesContext(connection) as few:
        compliance_record(provider_a, MAY, NOW)
    for n in range(30):
        duty(provider_a, "notification", utc(5, 3) + timedelta(hours=n), "met",
             met_at=utc(5, 2))
    with CaptureQueriesContext(connection) as many:
        compliance_record(provider_a, MAY, NOW)

    assert len(few) == len(many) <= 6


def test_the_api_answers_the_same_figures_to_usps_and_to_the_provider(
        ledger, cases, provider_a, reviewer, officer_a, api_for):
    url = f"/api/v1/providers/{provider_a.pk}/compliance-record/{QUERY}"
    with time_machine.travel(NOW, tick=False):
        answers = [api_for(user).get(url) for user in (reviewer, officer_a)]

    assert [a.status_code for a in answers] == [200, 200]
    assert answers[0].json() == answers[1].json()
    body = answers[0].json()
    assert (body["provider"], body["from"], body["to"]) == (provider_a.pk, "2026-05-01",
                                                             "2026-05-31")
    assert [c["kind"] for c in body["clauses"]] == [
        "notification", "written_report", "status_report", "final_summary", "procedures"]
    assert body["clauses"][0]["missed"] == 1
    assert body["notification_hours"] == {"count": 3, "median": 18.0, "max": 36.0}
    assert body["open_cases"] == 2


def test_the_api_hides_another_providers_record(ledger, provider_a, officer_b, api_for):
    url = f"/api/v1/providers/{provider_a.pk}/compliance-record/"

    assert api_for(officer_b).get(url).status_code == 404
    assert api_for(officer_b).get("/api/v1/providers/987654/compliance-record/").status_code \
        == 404


@pytest.mark.parametrize("query", ["?from=2026-06-01&to=2026-05-01", "?from=31/05/2026",
                                   "?to=9999-01-01"])
def test_the_api_refuses_a_bad_period(provider_a, reviewer, api_for, query):
    response = api_for(reviewer).get(
        f"/api/v1/providers/{provider_a.pk}/compliance-record/{query}")

    assert response.status_code == 400


def record_periods(client, provider, query):
    """(API body, page period, duties page period) for `query`, each answered 200."""
    with time_machine.travel(NOW, tick=False):
        api = client["api"].get(f"/api/v1/providers/{provider.pk}/compliance-record/{query}")
        page = client["page"].get(f"/providers/{provider.pk}/compliance-record/{query}")
        duties = client["page"].get(
            f"/providers/{provider.pk}/compliance-record/duties/{query}")
    assert [r.status_code for r in (api, page, duties)] == [200, 200, 200]
    body = api.json()
    return ((body["from"], body["to"]),
            tuple(d.isoformat() for d in (page.context["period"].first,
                                          page.context["period"].last)),
            tuple(d.isoformat() for d in (duties.context["period"].first,
                                          duties.context["period"].last)))


@pytest.fixture
def clients(reviewer, api_for, client):
    client.force_login(reviewer)
    return {"api": api_for(reviewer), "page": client}


@pytest.mark.parametrize("query, period", [
    ("?to=2024-12-31", ("2024-01-02", "2024-12-31")),    # 365 days to the last
    ("?to=2026-03-31", ("2025-04-01", "2026-03-31")),
    ("?from=2025-01-01", ("2025-01-01", "2025-12-31")),  # 365 days from the first
    ("?from=2026-01-01", ("2026-01-01", "2026-06-10")),  # ... never after today
])
def test_a_single_bound_reads_the_365_days_beside_it(provider_a, clients, query, period):
    assert record_periods(clients, provider_a, query) == (period, period, period)


def test_a_first_day_after_today_alone_is_refused(provider_a, clients):
    query = "?from=2026-07-01"
    with time_machine.travel(NOW, tick=False):
        api = clients["api"].get(f"/api/v1/providers/{provider_a.pk}/compliance-record/"
                                 f"{query}")
        page = clients["page"].get(f"/providers/{provider_a.pk}/compliance-record/{query}")
        base = f"/providers/{provider_a.pk}/compliance-record/duties/{query}"
        duties = clients["page"].get(base)
        export = clients["page"].get(base + "&format=csv")

    assert [r.status_code for r in (api, page, duties, export)] == [400, 400, 400, 400]
    assert "2026-06-10" in api.json()["from"][0]
    assert "2026-06-10" in page.context["form"].errors["start"][0]
    assert 'data-testid="error-summary"' in page.content.decode()
    assert not export["Content-Type"].startswith("text/csv")


def test_the_page_links_each_figure_to_the_duties_behind_it(ledger, cases, provider_a,
                                                            reviewer, client):
    client.force_login(reviewer)
    with time_machine.travel(NOW, tick=False):
        page = client.get(f"/providers/{provider_a.pk}/compliance-record/{QUERY}")
        html = page.content.decode()
        missed = client.get(f"/providers/{provider_a.pk}/compliance-record/duties/{QUERY}"
                            "&kind=notification&figure=missed")
        filed = client.get(f"/providers/{provider_a.pk}/compliance-record/duties/{QUERY}"
                           "&kind=notification&figure=filed")

    assert page.status_code == 200
    assert "kind=notification&amp;figure=missed" in html
    assert f"provider={provider_a.pk}" in html and "open_at=" in html
    assert list(missed.context["page"]) == [ledger["n3"]]
    assert {o.pk for o in filed.context["page"]} == {ledger[k].pk for k in ("n1", "n2", "n4")}


def test_the_list_behind_a_figure_reads_in_a_fixed_number_of_queries(
        ledger, provider_a, reviewer, client, django_assert_max_num_queries):
    client.force_login(reviewer)
    url = f"/providers/{provider_a.pk}/compliance-record/duties/{QUERY}&figure=owed"
    client.get(url)  # warm the session and the per-process caches
    for n in range(30):
        duty(provider_a, "status_report", utc(5, 7) + timedelta(hours=n), "met",
             met_at=utc(5, 6))
    with django_assert_max_num_queries(12):
        response = client.get(url)
    assert response.status_code == 200 and len(response.context["page"]) == 25


def test_the_pages_hide_another_providers_record(provider_a, officer_b, client):
    client.force_login(officer_b)

    assert client.get(f"/providers/{provider_a.pk}/compliance-record/").status_code == 404
    assert client.get(f"/providers/{provider_a.pk}/compliance-record/duties/").status_code \
        == 404
