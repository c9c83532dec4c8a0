from datetime import timedelta

import pytest
from django.utils import timezone

from compliance.models import AuditEvent, ObligationState
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def obligations(provider_a, provider_b):
    now = timezone.now()
    return {
        "a": factories.ObligationFactory(provider=provider_a, due_at=now + timedelta(hours=3),
                                         incident_id=7),
        "a_draft": factories.ObligationFactory(provider=provider_a, usps_visible=False),
        "a_missed": factories.ObligationFactory(provider=provider_a,
                                                due_at=now - timedelta(hours=1),
                                                state=ObligationState.MISSED),
        "b": factories.ObligationFactory(provider=provider_b),
    }


def ids(response):
    return {row["id"] for row in response.json()["results"]}


def test_it_lists_a_providers_own_obligations_with_the_published_fields(api_for, officer_a,
                                                                        obligations):
    response = api_for(officer_a).get("/api/v1/obligations/")

    assert response.status_code == 200
    assert ids(response) == {obligations[k].pk for k in ("a", "a_draft", "a_missed")}
    row = next(r for r in response.json()["results"] if r["id"] == obligations["a"].pk)
    assert {"id", "kind", "clause", "incident", "provider", "due_at", "original_due_at",
            "state", "met_at"} <= set(row)
    assert row["incident"] == 7 and row["due_at"].endswith("Z")


def test_usps_sees_every_provider_but_no_drafts(api_for, reviewer, obligations):
    response = api_for(reviewer).get("/api/v1/obligations/")

    assert ids(response) == {obligations[k].pk for k in ("a", "a_missed", "b")}


def test_it_filters_by_state_incident_and_due_window(api_for, reviewer, obligations):
    client = api_for(reviewer)
    now = timezone.now()

    assert ids(client.get("/api/v1/obligations/?state=missed")) == {obligations["a_missed"].pk}
    assert ids(client.get("/api/v1/obligations/?incident=7")) == {obligations["a"].pk}
    before = (now + timedelta(hours=4)).isoformat()
    assert ids(client.get("/api/v1/obligations/", {"due_before": before})) == {
        obligations["a"].pk, obligations["a_missed"].pk}


def test_another_providers_obligation_answers_404(api_for, officer_b, obligations):
    client = api_for(officer_b)

    assert client.get(f"/api/v1/obligations/{obligations['a'].pk}/").status_code == 404
    assert client.get(f"/api/v1/obligations/?provider={obligations['a'].provider_id}"
                      ).status_code == 400


def test_anonymous_callers_get_401(api, obligations):
    assert api.get("/api/v1/obligations/").status_code == 401


def test_usps_waives_an_owed_obligation_with_a_reason_and_it_is_audited(api_for, reviewer,
                                                                        obligations):
    missed = obligations["a_missed"]

    response = api_for(reviewer).post(f"/api/v1/obligations/{missed.pk}/waive/",
                                      {"reason": "Duplicate of PES-2026-00003."})

    assert response.status_code == 200
    assert response.json()["state"] == "waived"
    missed.refresh_from_db()
    assert missed.waived_reason == "Duplicate of PES-2026-00003."
    assert missed.next_action_at is None
    event = AuditEvent.objects.for_object(missed).get(action="obligation.waived")
    assert event.actor == reviewer and event.changes == {"state": ["missed", "waived"]}


def test_a_waiver_needs_a_reason_and_an_owed_obligation(api_for, reviewer, obligations):
    client = api_for(reviewer)
    url = f"/api/v1/obligations/{obligations['a'].pk}/waive/"

    assert client.post(url, {"reason": ""}).status_code == 400
    assert client.post(url, {"reason": "Out of scope."}).status_code == 200
    assert client.post(url, {"reason": "Again."}).status_code == 409


def test_usps_cannot_waive_its_own_target_away_from_the_inbox(api_for, officer_a, reviewer):
    from compliance.models import Obligation
    from tests.incidents.factories import NOW, make_filed

    incident = make_filed(officer_a, at=NOW)
    target = Obligation.objects.get(kind="usps_triage", object_id=incident.pk)
    before = Obligation.objects.filter(pk=target.pk).values().get()
    api = api_for(reviewer)
    events = AuditEvent.objects.count()

    response = api.post(f"/api/v1/obligations/{target.pk}/waive/", {"reason": "Not now."})

    assert response.status_code == 409 and "not waived" in response.json()["detail"]
    assert Obligation.objects.filter(pk=target.pk).values().get() == before
    assert AuditEvent.objects.count() == events
    inbox = api.get("/api/v1/usps-inbox/?kind=triage").json()["results"]
    assert [item["object_id"] for item in inbox] == [incident.pk]


def test_providers_cannot_waive_and_usps_cannot_reach_drafts(api_for, officer_a, reviewer,
                                                            obligations):
    url = f"/api/v1/obligations/{obligations['a'].pk}/waive/"
    assert api_for(officer_a).post(url, {"reason": "Please"}).status_code == 403

    draft_url = f"/api/v1/obligations/{obligations['a_draft'].pk}/waive/"
    assert api_for(reviewer).post(draft_url, {"reason": "x"}).status_code == 404
