"""The USPS inbox as CSV: the home page's "Download CSV" with its filters, and
`/api/v1/usps-inbox/?format=csv`; never for provider staff."""

import pytest
import time_machine

from tests.compliance.test_exports_csv import as_dicts
from tests.reports.factories import NOW, waiting_on_usps


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def waiting(officer_a):
    items = waiting_on_usps(officer_a, at=NOW)
    with time_machine.travel(NOW, tick=False):
        yield items


def test_it_exports_the_inbox_from_the_usps_home_page_with_its_filters(signed_in, reviewer,
                                                                        waiting):
    client = signed_in(reviewer)

    everything = as_dicts(client.get("/?format=csv"))
    triage = as_dicts(client.get("/?kind=triage&format=csv"))

    assert [r["kind"] for r in everything] == ["triage", "extension_decision",
                                                 "report_review", "procedures_review"]
    assert [r["kind"] for r in triage] == ["triage"]
    row = triage[0]
    assert row["what waits"] == "Triage a filing"
    assert row["incident"] == str(waiting["filing"].pk)
    assert row["url"].endswith(f"/incidents/{waiting['filing'].pk}/#review")
    assert row["USPS target (UTC)"].endswith("Z")
    assert row["USPS target (America/New_York)"]


def test_it_links_the_inbox_csv_with_the_current_filters(signed_in, reviewer, waiting):
    response = signed_in(reviewer).get("/?kind=report_review&page=1")

    assert b'href="?kind=report_review&amp;format=csv"' in response.content


def test_it_answers_the_inbox_api_as_csv(api_for, reviewer, waiting):
    response = api_for(reviewer).get("/api/v1/usps-inbox/?format=csv&kind=procedures_review")

    rows = as_dicts(response)
    assert [(r["kind"], r["object_id"]) for r in rows] == [
        ("procedures_review", str(waiting["procedures"].pk))]


def test_it_never_gives_the_inbox_to_provider_staff(api_for, signed_in, officer_a, waiting):
    api_answer = api_for(officer_a).get("/api/v1/usps-inbox/?format=csv")
    page = signed_in(officer_a).get("/?format=csv")

    assert api_answer.status_code == 403
    assert api_answer["Content-Type"] == "application/json"
    assert page["Content-Type"].startswith("text/html")
    assert b"Triage a filing" not in page.content
