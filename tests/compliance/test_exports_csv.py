"""CSV exports, the shared part: formula neutralising, UTC plus the viewer's zone,
streaming, and the obligations list (page and API) through the one door."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from compliance.exports import Column, csv_response, neutralise, time_column
from compliance.models import Obligation, ObligationKind, ObligationState
from tests import factories

DUE = datetime(2026, 3, 8, 6, 30, tzinfo=UTC)  # 01:30 EST, before clocks spring forward


def read_csv(response):
    """The rows of a streamed CSV answer, header first."""
    assert response.streaming
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def as_dicts(response):
    header, *rows = read_csv(response)
    return [dict(zip(header, row, strict=True)) for row in rows]


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx",
                                  "=HYPERLINK(\"http://evil\")"])
def test_it_neutralises_cells_that_would_start_a_formula(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["plain", "a=b", " =x", "", 5, -5, None])
def test_it_leaves_other_cells_as_they_are(value):
    assert neutralise(value) == value


def test_it_writes_times_in_utc_and_in_the_viewers_zone(officer_a):
    columns = [Column("name", lambda r: r["name"]), time_column("due", lambda r: r["due"])]
    rows = [{"name": "=cmd", "due": DUE}, {"name": "none", "due": None}]

    header, first, second = read_csv(csv_response(rows, columns, name="t", user=officer_a))

    assert header == ["name", "due (UTC)", "due (America/New_York)"]
    assert first == ["'=cmd", "2026-03-08T06:30:00Z", "2026-03-08T01:30:00-05:00"]
    assert second == ["none", "", ""]


def test_a_viewer_whose_zone_is_utc_gets_each_header_once(officer_a):
    officer_a.timezone = "UTC"
    officer_a.save()
    columns = [Column("name", lambda r: r["name"]), time_column("due", lambda r: r["due"])]

    header, first = read_csv(csv_response([{"name": "x", "due": DUE}], columns, name="t",
                                          user=officer_a))

    assert header == ["name", "due (UTC)", "due (your zone, UTC)"]
    assert first == ["x", "2026-03-08T06:30:00Z", "2026-03-08T06:30:00+00:00"]


# --- Obligations: the page and the API ---


@pytest.fixture
def ledger(provider_a, provider_b):
    """Two duties of A (one owed, one met), one of B, one of A's unfiled draft."""
    owed = factories.ObligationFactory(provider=provider_a, subject="PES-2026-00001 Alpha",
                                       due_at=DUE, original_due_at=DUE - timedelta(days=1),
                                       kind=ObligationKind.WRITTEN_REPORT)
    met = factories.ObligationFactory(provider=provider_a, subject="@Alpha met",
                                      state=ObligationState.MET, met_at=DUE,
                                      due_at=DUE + timedelta(days=1),
                                      original_due_at=DUE + timedelta(days=1))
    factories.ObligationFactory(provider=provider_b, subject="PES-2026-00002 Bravo secret")
    factories.ObligationFactory(provider=provider_a, subject="Draft of A", usps_visible=False)
    return owed, met


def test_it_exports_the_obligations_page_with_its_filters(signed_in, officer_a, ledger):
    owed, met = ledger

    response = signed_in(officer_a).get("/obligations/?outstanding=true&format=csv")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="obligations-')
    rows = as_dicts(response)
    assert [r["case"] for r in rows] == ["PES-2026-00001 Alpha", "Draft of A"]
    first = rows[0]
    assert first["obligation"] == "Written report"
    assert first["due (UTC)"] == "2026-03-08T06:30:00Z"
    assert first["due (America/New_York)"] == "2026-03-08T01:30:00-05:00"
    assert first["original due (UTC)"] == "2026-03-07T06:30:00Z"
    assert first["state"] == "Open"


def test_it_never_puts_another_providers_rows_in_the_csv(signed_in, officer_b, ledger):
    rows = as_dicts(signed_in(officer_b).get("/obligations/?format=csv"))

    assert [r["case"] for r in rows] == ["PES-2026-00002 Bravo secret"]


def test_it_leaves_unfiled_drafts_out_of_the_usps_csv(signed_in, reviewer, ledger):
    rows = as_dicts(signed_in(reviewer).get("/obligations/?format=csv"))

    cases = {r["case"] for r in rows}
    assert "Draft of A" not in cases
    assert cases == {"PES-2026-00001 Alpha", "'@Alpha met", "PES-2026-00002 Bravo secret"}


def test_it_shows_the_page_with_a_download_link_carrying_the_filters(signed_in, officer_a,
                                                                      ledger):
    response = signed_in(officer_a).get("/obligations/?outstanding=true&kind=written_report")

    assert response.status_code == 200
    assert b'href="?outstanding=true&amp;kind=written_report&amp;format=csv"' in \
        response.content
    assert b"PES-2026-00001 Alpha" in response.content
    assert b"Alpha met" not in response.content


def test_it_lists_obligations_in_a_fixed_number_of_queries(signed_in, reviewer, provider_a,
                                                           django_assert_num_queries):
    client = signed_in(reviewer)
    factories.ObligationFactory.create_batch(3, provider=provider_a)
    with django_assert_num_queries(7):
        client.get("/obligations/")
    factories.ObligationFactory.create_batch(30, provider=factories.ProviderFactory())

    with django_assert_num_queries(7):
        client.get("/obligations/")


def test_it_streams_the_whole_list_in_a_fixed_number_of_queries(
        signed_in, officer_a, provider_a, django_assert_num_queries):
    client = signed_in(officer_a)
    factories.ObligationFactory.create_batch(3, provider=provider_a)
    with django_assert_num_queries(3):
        assert len(read_csv(client.get("/obligations/?format=csv"))) == 4
    factories.ObligationFactory.create_batch(120, provider=provider_a)

    with django_assert_num_queries(3):
        assert len(read_csv(client.get("/obligations/?format=csv"))) == 124


def test_it_refuses_a_format_not_offered_on_a_page(signed_in, officer_a, ledger):
    response = signed_in(officer_a).get("/obligations/?format=xlsx")

    assert response.status_code == 406
    assert b"'xlsx' is not offered" in response.content and b"csv" in response.content


def test_it_refuses_invalid_filters_instead_of_exporting_nothing(signed_in, officer_a):
    response = signed_in(officer_a).get("/obligations/?format=csv&due_after=yesterday")

    assert response.status_code == 400
    assert b"due_after" in response.content


def test_it_answers_the_api_list_as_csv_with_its_filters(api_for, officer_a, ledger):
    owed, met = ledger

    response = api_for(officer_a).get("/api/v1/obligations/?format=csv&state=met")

    rows = as_dicts(response)
    assert [(r["id"], r["subject"], r["state"]) for r in rows] == [
        (str(met.pk), "'@Alpha met", "met")]
    assert rows[0]["met_at (UTC)"] == "2026-03-08T06:30:00Z"


def test_it_answers_the_api_list_as_csv_for_accept_text_csv(api_for, officer_b, ledger):
    response = api_for(officer_b).get("/api/v1/obligations/", HTTP_ACCEPT="text/csv")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert [r["subject"] for r in as_dicts(response)] == ["PES-2026-00002 Bravo secret"]


def test_it_exports_every_row_not_one_page(api_for, officer_a, provider_a):
    factories.ObligationFactory.create_batch(60, provider=provider_a)

    rows = as_dicts(api_for(officer_a).get("/api/v1/obligations/?format=csv&page_size=10"))

    assert len(rows) == Obligation.objects.count() == 60


def test_it_refuses_a_format_not_offered_at_the_api(api_for, officer_a):
    response = api_for(officer_a).get("/api/v1/obligations/?format=xml")

    assert response.status_code == 406
    assert "'xml' is not offered" in response.json()["detail"]


def test_it_offers_csv_on_lists_only(api_for, officer_a, ledger):
    owed, _ = ledger

    response = api_for(officer_a).get(f"/api/v1/obligations/{owed.pk}/?format=csv")

    assert response.status_code == 406


def test_it_documents_csv_answers_in_the_schema(api_for, officer_a):
    schema = api_for(officer_a).get("/api/schema/?format=json").json()

    listing = schema["paths"]["/api/v1/obligations/"]["get"]["responses"]
    assert listing["200"]["content"]["text/csv"]["schema"]["type"] == "string"
    assert "406" in listing
    detail = schema["paths"]["/api/v1/obligations/{id}/"]["get"]["responses"]
    assert "text/csv" not in detail["200"]["content"]


def test_it_answers_errors_in_json_even_when_csv_was_asked(api_for, officer_a):
    response = api_for(officer_a).get("/api/v1/obligations/?format=csv&due_after=yesterday")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "due_after" in response.json()


def test_a_pages_download_is_marked_utf8_for_spreadsheets_and_the_apis_is_not(
        signed_in, api_for, officer_a, provider_a):
    """Excel opens a .csv without a byte-order mark in the Windows code page ('§' reads
    'Â§'); a script reading the API's CSV wants none."""
    from datetime import UTC, datetime

    from tests import factories

    factories.ObligationFactory(provider=provider_a, clause="§ 501.11(b)",
                                subject="PES-2026-00001: Müller's meter",
                                due_at=datetime(2026, 3, 8, tzinfo=UTC),
                                original_due_at=datetime(2026, 3, 8, tzinfo=UTC))

    page = b"".join(signed_in(officer_a).get("/obligations/?format=csv").streaming_content)
    api = api_for(officer_a).get("/api/v1/obligations/?format=csv")
    api = b"".join(api.streaming_content)

    assert page.startswith("\ufeffid,".encode()) and "Müller".encode() in page
    assert api.startswith(b"id,") and "Müller".encode() in api
