"""`/api/v1/incidents/`: drafts, lists and filters, and who may see or change what."""

from datetime import timedelta

import pytest
import time_machine
from rest_framework.test import APIClient

from compliance.models import AuditEvent, Obligation
from incidents.models import Incident
from tests import factories

from .factories import NOW, make_draft, make_filed

URL = "/api/v1/incidents/"

pytestmark = pytest.mark.django_db


def detail(incident, suffix=""):
    return f"{URL}{incident.pk}/{suffix}"


@pytest.fixture(autouse=True)
def at_now():
    with time_machine.travel(NOW, tick=False):
        yield


def test_it_creates_a_draft_for_the_officers_provider(officer_a, payload, api_for, model_a):
    response = api_for(officer_a).post(URL, payload)

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "draft"
    assert body["reference"] is None
    assert body["provider"] == officer_a.provider_id
    assert body["discovered_at"] == "2026-06-10T11:30:00.000000Z"
    assert body["notification_due_at"] == "2026-06-11T11:30:00.000000Z"
    assert body["pes_models"] == [model_a.pk]
    assert body["is_late"] is False and body["submitted_at"] is None
    assert Obligation.objects.get(incident_id=body["id"]).usps_visible is False


def test_it_ignores_a_provider_given_by_provider_staff(officer_a, provider_b, payload, api_for):
    response = api_for(officer_a).post(URL, {**payload, "provider": provider_b.pk})

    assert response.json()["provider"] == officer_a.provider_id


def test_it_answers_401_to_anonymous_callers(officer_a):
    draft = make_draft(officer_a)
    client = APIClient()

    assert client.get(URL).status_code == 401
    assert client.get(detail(draft)).status_code == 401
    assert client.post(detail(draft, "submit/"), {}).status_code == 401


def test_it_lets_viewers_read_but_not_write(viewer_a, officer_a, payload, api_for):
    draft = make_draft(officer_a)
    client = api_for(viewer_a)

    assert client.get(detail(draft)).status_code == 200
    assert client.post(URL, payload).status_code == 403
    assert client.patch(detail(draft), {"title": "x"}).status_code == 403
    assert client.post(detail(draft, "submit/"), {}).status_code == 403
    assert Incident.objects.get(pk=draft.pk).title != "x"


def test_it_hides_one_providers_incidents_from_another(officer_a, officer_b, api_for):
    draft = make_draft(officer_a)
    filed = make_filed(officer_a)
    client = api_for(officer_b)

    assert client.get(URL).json()["count"] == 0
    for incident in (draft, filed):
        assert client.get(detail(incident)).status_code == 404
        assert client.patch(detail(incident), {"title": "x"}).status_code == 404
        assert client.post(detail(incident, "submit/"), {}).status_code == 404
        assert client.post(detail(incident, "amend/"),
                           {"title": "x", "amendment_reason": "y"}).status_code == 404
        assert client.get(detail(incident, "versions/")).status_code == 404
        assert client.get(detail(incident, "attachments/")).status_code == 404


def test_it_shows_usps_filed_incidents_and_never_drafts(officer_a, reviewer, api_for):
    draft = make_draft(officer_a)
    filed = make_filed(officer_a)
    client = api_for(reviewer)

    assert [row["id"] for row in client.get(URL).json()["results"]] == [filed.pk]
    assert client.get(detail(filed)).status_code == 200
    assert client.get(detail(draft)).status_code == 404
    assert client.get(detail(draft, "versions/")).status_code == 404
    assert client.get(detail(draft, "attachments/")).status_code == 404
    assert client.patch(detail(draft), {"title": "x"}).status_code == 404
    assert client.post(detail(draft, "submit/"), {}).status_code == 404


def test_it_refuses_usps_writes_on_filed_incidents(officer_a, reviewer, payload, api_for):
    filed = make_filed(officer_a)
    client = api_for(reviewer)

    assert client.post(URL, payload).status_code == 403
    assert client.post(detail(filed, "amend/"),
                       {"title": "x", "amendment_reason": "y"}).status_code == 403


def test_it_patches_a_draft_and_moves_its_due_time(officer_a, api_for):
    draft = make_draft(officer_a)
    response = api_for(officer_a).patch(
        detail(draft), {"title": "Sharper title", "discovered_at": "2026-06-10T01:00:00Z"})

    assert response.status_code == 200, response.json()
    assert response.json()["title"] == "Sharper title"
    assert response.json()["notification_due_at"] == "2026-06-11T01:00:00.000000Z"
    obligation = Obligation.objects.get(incident_id=draft.pk)
    assert obligation.due_at.isoformat() == "2026-06-11T01:00:00+00:00"
    assert obligation.original_due_at == obligation.due_at
    assert obligation.subject == "Sharper title"
    assert AuditEvent.objects.filter(action="incident.draft_updated").exists()
    assert AuditEvent.objects.filter(action="obligation.due_corrected").exists()


def test_it_answers_409_to_a_patch_of_a_filed_incident(officer_a, api_for):
    filed = make_filed(officer_a)
    response = api_for(officer_a).patch(detail(filed), {"title": "Rewritten"})

    assert response.status_code == 409
    assert Incident.objects.get(pk=filed.pk).title != "Rewritten"


def test_it_does_not_accept_put(officer_a, api_for):
    draft = make_draft(officer_a)

    assert api_for(officer_a).put(detail(draft), {"title": "x"}).status_code == 405


def test_it_filters_by_status_category_and_text(officer_a, api_for):
    make_draft(officer_a, title="Draft about meters")
    make_filed(officer_a, title="Filed denial of service", category="cyber_attack",
               subtype="denial_of_service", pes_models=[],
               risk_statements=[{"pes_model": factories.PESModelFactory(
                   provider=officer_a.provider), "nature_of_risk": "Outage",
                   "effect_on_pes": "Resets impossible"}])
    client = api_for(officer_a)

    def titles(query):
        response = client.get(URL + query)
        assert response.status_code == 200, response.json()
        return [row["title"] for row in response.json()["results"]]

    assert titles("?status=draft") == ["Draft about meters"]
    assert titles("?category=cyber_attack") == ["Filed denial of service"]
    assert titles("?q=DENIAL") == ["Filed denial of service"]
    assert titles("?q=PES-2026-00001") == ["Filed denial of service"]
    assert titles(f"?provider={officer_a.provider_id}&status=submitted") == [
        "Filed denial of service"]


def test_it_filters_by_discovery_time_with_offsets_only(officer_a, api_for):
    make_draft(officer_a, title="Early", discovered_at=NOW - timedelta(hours=10))
    make_draft(officer_a, title="Late", discovered_at=NOW - timedelta(hours=1))
    client = api_for(officer_a)

    after = client.get(URL + "?discovered_after=2026-06-10T10:00:00%2B00:00")
    before = client.get(URL + "?discovered_before=2026-06-10T06:00:00Z")
    naive = client.get(URL + "?discovered_after=2026-06-10T10:00:00")

    assert [r["title"] for r in after.json()["results"]] == ["Late"]
    assert [r["title"] for r in before.json()["results"]] == ["Early"]
    assert naive.status_code == 400
    assert "discovered_after" in naive.json()


def test_it_filters_overdue_incidents(officer_a, api_for):
    make_draft(officer_a, title="Overdue", discovered_at=NOW - timedelta(hours=25))
    make_draft(officer_a, title="In time", discovered_at=NOW - timedelta(hours=1))
    client = api_for(officer_a)

    assert [r["title"] for r in client.get(URL + "?overdue=true").json()["results"]] == [
        "Overdue"]
    assert [r["title"] for r in client.get(URL + "?overdue=false").json()["results"]] == [
        "In time"]


def test_it_paginates_as_published(officer_a, api_for):
    for n in range(3):
        make_draft(officer_a, title=f"Case {n}")

    body = api_for(officer_a).get(URL + "?page_size=2").json()

    assert body["count"] == 3 and len(body["results"]) == 2 and body["next"]
    assert set(body) == {"count", "next", "previous", "results"}


def test_it_lists_in_a_constant_number_of_queries(officer_a, api_for,
                                                 django_assert_max_num_queries):
    client = api_for(officer_a)
    make_draft(officer_a)
    with django_assert_max_num_queries(6):
        client.get(URL)
    for _ in range(5):
        make_draft(officer_a)
    with django_assert_max_num_queries(6):
        assert client.get(URL).json()["count"] == 6
