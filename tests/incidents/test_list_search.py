"""The incident list's text search (`?q=`), its cases open at an instant (`?open_at=`) and
its pages of a few matches: the same answers on PostgreSQL, which reads them from columns
and indexes of their own, and elsewhere."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from incidents import search, services
from incidents.models import Incident

from .factories import NOW, make_draft, make_filed

URL = "/api/v1/incidents/"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def at_now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def cases(officer_a, officer_b):
    seal = make_filed(officer_a, title="Seal broken on a meter",
                      description="Found at intake.", discovered_by_name="Intake desk")
    make_filed(officer_a, title="Clock drift", description="The vault clock ran 5% fast_ish.",
               discovered_by_name="Lab bench")
    make_draft(officer_a, title="Draft about firmware", description="",
               discovered_by_name="Field team")
    make_filed(officer_b, title="Another provider's seal", discovered_by_name="Bravo")
    return seal


def titles(client, query):
    response = client.get(URL, query)
    assert response.status_code == 200, response.content
    return sorted(row["title"] for row in response.json()["results"])


def test_it_finds_text_in_each_column_whatever_its_case(cases, officer_a, api_for):
    client = api_for(officer_a)

    assert titles(client, {"q": cases.reference.lower()}) == ["Seal broken on a meter"]
    assert titles(client, {"q": "SEAL BROKEN"}) == ["Seal broken on a meter"]
    assert titles(client, {"q": "at intake"}) == ["Seal broken on a meter"]
    assert titles(client, {"q": "lab BENCH"}) == ["Clock drift"]
    assert titles(client, {"q": "  firmware "}) == ["Draft about firmware"]
    assert titles(client, {"q": "me"}) == ["Seal broken on a meter"]
    assert titles(client, {"q": "a"}) == [
        "Clock drift", "Draft about firmware", "Seal broken on a meter"]


def test_it_searches_only_what_the_caller_may_see(cases, reviewer, api_for):
    assert titles(api_for(reviewer), {"q": "seal"}) == [
        "Another provider's seal", "Seal broken on a meter"]
    assert titles(api_for(reviewer), {"q": "firmware"}) == []


def test_it_takes_wildcards_as_plain_characters(cases, officer_a, api_for):
    client = api_for(officer_a)

    assert titles(client, {"q": "5%"}) == ["Clock drift"]
    assert titles(client, {"q": "fast_ish"}) == ["Clock drift"]
    assert titles(client, {"q": "5%f"}) == []
    assert titles(client, {"q": "fast_is_"}) == []
    assert titles(client, {"q": "m_ter"}) == []


def test_it_never_matches_across_two_columns(cases, officer_a, api_for):
    client = api_for(officer_a)

    assert titles(client, {"q": "meter found"}) == []
    assert titles(client, {"q": "intake. intake"}) == []
    assert titles(client, {"q": f"meter{search.SEPARATOR}Found"}) == []
    assert titles(client, {"q": f"seal{search.SEPARATOR}broken"}) == []


def test_it_finds_a_case_by_what_it_says_now(officer_a, api_for):
    draft = make_draft(officer_a, title="Printer jams")
    client = api_for(officer_a)
    assert titles(client, {"q": "printer"}) == ["Printer jams"]

    services.update_draft(actor=officer_a, incident=Incident.objects.get(pk=draft.pk),
                          title="Token expired", discovered_by_name="Night shift")

    assert titles(client, {"q": "printer"}) == []
    assert titles(client, {"q": "token"}) == ["Token expired"]
    assert titles(client, {"q": "night"}) == ["Token expired"]


def test_it_searches_one_column_on_postgresql(cases, officer_a, api_for):
    def searched(text):
        with CaptureQueriesContext(connection) as captured:
            api_for(officer_a).get(URL, {"q": text})
        return " ".join(query["sql"] for query in captured.captured_queries)

    one_column = connection.vendor == "postgresql"
    assert (search.COLUMN in searched("seal")) is one_column
    assert search.COLUMN not in searched(f"seal{search.SEPARATOR}broken")


def close(incident, at):
    Incident.objects.filter(pk=incident.pk).update(status="closed", closed_at=at)


def test_it_lists_the_cases_open_at_an_instant(officer_a, api_for):
    at = NOW - timedelta(days=10)
    make_filed(officer_a, at=at - timedelta(days=5), title="Open still")
    close(make_filed(officer_a, at=at - timedelta(days=5), title="Closed after"),
          at + timedelta(seconds=1))
    close(make_filed(officer_a, at=at - timedelta(days=5), title="Closed at the instant"), at)
    close(make_filed(officer_a, at=at - timedelta(days=5), title="Closed before"),
          at - timedelta(days=1))
    make_filed(officer_a, at=at, title="Filed at the instant")
    make_filed(officer_a, at=at + timedelta(seconds=1), title="Filed after")
    make_draft(officer_a, title="A draft", discovered_at=at - timedelta(days=20))

    body = api_for(officer_a).get(URL, {"open_at": at.isoformat()}).json()

    assert sorted(row["title"] for row in body["results"]) == [
        "Closed after", "Filed at the instant", "Open still"]
    assert body["count"] == 3


def test_it_pages_a_few_matches_in_the_lists_order(officer_a, api_for):
    for hours in (5, 1, 4, 2, 3):
        make_filed(officer_a, title=f"Vault {hours}", discovered_at=NOW - timedelta(hours=hours))
    make_filed(officer_a, title="Clock drift", discovered_at=NOW - timedelta(hours=6))
    client = api_for(officer_a)

    def pages(**query):
        bodies = [client.get(URL, {"page_size": 2, "page": n, **query}).json()
                  for n in (1, 2, 3)]
        return ([body["count"] for body in bodies],
                [[row["title"] for row in body["results"]] for body in bodies])

    assert pages(q="vault") == (
        [5, 5, 5], [["Vault 1", "Vault 2"], ["Vault 3", "Vault 4"], ["Vault 5"]])
    # Counted from the case counts rather than the rows.
    assert pages(status="submitted") == (
        [6, 6, 6], [["Vault 1", "Vault 2"], ["Vault 3", "Vault 4"], ["Vault 5", "Clock drift"]])
    assert client.get(URL, {"page_size": 2, "page": 4, "q": "vault"}).status_code == 404


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL reads few by ids")
def test_it_reads_a_page_of_few_matches_by_the_pages_ids(officer_a, api_for):
    for hours in (1, 2, 3):
        make_filed(officer_a, title=f"Vault {hours}", discovered_at=NOW - timedelta(hours=hours))

    with CaptureQueriesContext(connection) as captured:
        api_for(officer_a).get(URL, {"page_size": 2, "page": 2, "q": "vault"})

    page = captured.captured_queries[-1]["sql"]
    listed = re.search(r'"incidents_incident"\."id" IN \(([^)]*)\)', page).group(1)
    assert listed == str(Incident.objects.get(title="Vault 3").pk)
