"""CSV of the incident list, the queue and a case's timeline, on pages and at the API: the
filters applied, the same door, nothing internal to USPS for provider staff."""

from datetime import timedelta

import pytest

from incidents import services
from tests.compliance.test_exports_csv import as_dicts, read_csv
from tests.incidents.factories import NOW, make_draft, make_filed


@pytest.fixture
def cases(officer_a, officer_b, reviewer):
    """A's filed case (triaged, with an internal and a shared comment), A's draft, B's case."""
    alpha = make_filed(officer_a, at=NOW, title="=Alpha formula")
    services.triage_incident(actor=reviewer, incident=alpha, revenue_risk="high",
                             rationale="Reaches postage funds (internal).")
    services.add_comment(actor=reviewer, incident=alpha, body="Internal note",
                         visibility="internal")
    services.add_comment(actor=reviewer, incident=alpha, body="Please send logs",
                         visibility="shared")
    draft = make_draft(officer_a, title="Alpha draft")
    bravo = make_filed(officer_b, at=NOW - timedelta(days=1), title="Bravo secret")
    return alpha, draft, bravo


def test_it_exports_the_incident_list_as_the_provider_sees_it(signed_in, officer_a, cases):
    alpha, draft, bravo = cases

    rows = as_dicts(signed_in(officer_a).get("/incidents/?format=csv"))

    assert {r["title"] for r in rows} == {"'=Alpha formula", "Alpha draft"}
    filed = next(r for r in rows if r["reference"] == alpha.reference)
    assert filed["filed (UTC)"] == "2026-06-10T12:00:00Z"
    assert filed["filed (America/New_York)"] == "2026-06-10T08:00:00-04:00"
    assert filed["filed late"] == "false"
    assert filed["url"].endswith(f"/incidents/{alpha.pk}/")


def test_it_applies_the_list_filters_to_the_csv(signed_in, officer_a, cases):
    rows = as_dicts(signed_in(officer_a).get("/incidents/?status=draft&format=csv"))

    assert [r["title"] for r in rows] == ["Alpha draft"]


def test_it_never_puts_drafts_or_nothing_of_yours_in_another_csv(signed_in, officer_b,
                                                                  reviewer, cases):
    assert [r["title"] for r in as_dicts(signed_in(officer_b).get("/incidents/?format=csv"))] \
        == ["Bravo secret"]
    usps = {r["title"] for r in as_dicts(signed_in(reviewer).get("/incidents/?format=csv"))}
    assert usps == {"'=Alpha formula", "Bravo secret"}


def test_it_links_the_csv_with_the_current_filters(signed_in, officer_a, cases):
    response = signed_in(officer_a).get("/incidents/?status=submitted&q=Alpha&page=1")

    assert b'href="?status=submitted&amp;q=Alpha&amp;format=csv"' in response.content


def test_it_exports_the_queue_for_usps_with_its_filters(signed_in, reviewer, cases):
    alpha, _, bravo = cases

    rows = as_dicts(signed_in(reviewer).get(f"/incidents/queue/?provider={bravo.provider_id}"
                                            "&format=csv"))

    assert [r["reference"] for r in rows] == [bravo.reference]
    assert rows[0]["next duty"] == "Triage (USPS target)"  # B's case waits on USPS
    response = signed_in(reviewer).get("/incidents/queue/?format=csv")
    triaged = next(r for r in as_dicts(response) if r["reference"] == alpha.reference)
    assert triaged["next duty"] == "Written report"
    assert triaged["revenue risk"] == "High"


def test_it_refuses_the_queue_csv_to_provider_staff(signed_in, officer_a, cases):
    assert signed_in(officer_a).get("/incidents/queue/?format=csv").status_code == 403


def test_it_refuses_a_format_not_offered_on_the_list(signed_in, officer_a, cases):
    response = signed_in(officer_a).get("/incidents/?format=pdf")

    assert response.status_code == 406
    assert b"'pdf' is not offered" in response.content


def test_it_exports_the_timeline_without_anything_internal_for_the_provider(
        signed_in, officer_a, cases):
    alpha, _, _ = cases

    response = signed_in(officer_a).get(f"/incidents/{alpha.pk}/timeline.csv")

    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "Reaches postage funds" not in body and "internal" not in body.lower()
    header = body.splitlines()[0].split(",")
    assert "internal to USPS" not in header
    assert "Incident comment added" in body


def test_it_marks_internal_events_in_the_usps_timeline(signed_in, reviewer, cases):
    alpha, _, _ = cases

    rows = as_dicts(signed_in(reviewer).get(f"/incidents/{alpha.pk}/timeline.csv"))

    rationale = next(r for r in rows if r["action"] == "incident.triage_rationale")
    assert rationale["internal to USPS"] == "true"
    assert rationale["reason"] == "Reaches postage funds (internal)."
    positions = [int(r["position"]) for r in rows]
    assert len(set(positions)) == len(rows) and all(len(r["sha256"]) == 64 for r in rows)


def test_it_hides_a_timeline_from_another_provider(signed_in, officer_b, cases):
    alpha, _, _ = cases

    assert signed_in(officer_b).get(f"/incidents/{alpha.pk}/timeline.csv").status_code == 404


# --- At the API ---


def test_it_answers_the_incident_list_as_csv_through_the_door(api_for, officer_a, officer_b,
                                                              cases):
    alpha, draft, bravo = cases

    rows_a = as_dicts(api_for(officer_a).get("/api/v1/incidents/?format=csv&status=submitted"))
    rows_b = as_dicts(api_for(officer_b).get("/api/v1/incidents/", HTTP_ACCEPT="text/csv"))

    assert [r["id"] for r in rows_a] == []  # triaged: under review now
    assert [r["reference"] for r in rows_b] == [bravo.reference]
    rows_a = as_dicts(api_for(officer_a).get("/api/v1/incidents/?format=csv"))
    assert {r["title"] for r in rows_a} == {"'=Alpha formula", "Alpha draft"}


def test_it_never_puts_internal_comments_in_the_providers_csv(api_for, officer_a, reviewer,
                                                              cases):
    alpha, _, _ = cases
    path = f"/api/v1/incidents/{alpha.pk}/comments/?format=csv"

    provider_rows = as_dicts(api_for(officer_a).get(path))
    usps_rows = as_dicts(api_for(reviewer).get(path))

    assert [r["body"] for r in provider_rows] == ["Please send logs"]
    assert [r["body"] for r in usps_rows] == ["Internal note", "Please send logs"]


def test_it_answers_404_for_the_csv_of_another_providers_case(api_for, officer_b, cases):
    alpha, _, _ = cases

    response = api_for(officer_b).get(f"/api/v1/incidents/{alpha.pk}/comments/?format=csv")

    assert response.status_code == 404
    assert b"Internal" not in response.content


def test_it_streams_an_empty_list_with_its_header(api_for, officer_a):
    header, *rows = read_csv(api_for(officer_a).get("/api/v1/incidents/?format=csv"))

    assert rows == [] and header[:3] == ["id", "reference", "provider"]


def test_it_lists_the_timeline_at_the_api_without_internal_events_for_the_provider(
        api_for, officer_a, reviewer, cases):
    alpha, _, _ = cases
    path = f"/api/v1/incidents/{alpha.pk}/timeline/"

    provider = api_for(officer_a).get(path).json()["results"]
    usps = as_dicts(api_for(reviewer).get(path + "?format=csv"))

    assert "incident.triage_rationale" not in {e["action"] for e in provider}
    assert not any(e["internal"] for e in provider)
    rationale = next(e for e in usps if e["action"] == "incident.triage_rationale")
    assert rationale["internal"] == "true"
    assert len(usps) > len(provider)
