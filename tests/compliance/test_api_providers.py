"""`/api/v1/providers/`: USPS sees all, provider staff their own; USPS managers write."""

import pytest
from rest_framework.test import APIClient

from compliance.models import AuditEvent, Provider, ProviderStatusChange
from tests import factories

URL = "/api/v1/providers/"


def detail(provider):
    return f"{URL}{provider.pk}/"


def test_it_lists_only_the_officers_own_provider(officer_a, provider_b, api_for):
    body = api_for(officer_a).get(URL).json()

    assert body["count"] == 1
    assert [row["name"] for row in body["results"]] == ["Alpha Postage"]


def test_it_lists_every_provider_for_a_reviewer(provider_a, provider_b, reviewer, api_for):
    body = api_for(reviewer).get(URL).json()

    assert [row["name"] for row in body["results"]] == ["Alpha Postage", "Bravo Meters"]
    assert set(body["results"][0]) >= {"id", "name", "authorization_status"}


def test_it_shows_the_officers_own_provider(officer_a, provider_a, api_for):
    response = api_for(officer_a).get(detail(provider_a))

    assert response.status_code == 200
    assert response.json()["authorization_status"] == "authorized"


def test_it_answers_404_for_another_providers_row(officer_b, provider_a, api_for):
    client = api_for(officer_b)

    assert client.get(detail(provider_a)).status_code == 404
    response = client.patch(detail(provider_a), {"name": "Taken over"})
    assert response.status_code == 404
    provider_a.refresh_from_db()
    assert provider_a.name == "Alpha Postage"


def test_it_answers_401_to_anonymous_callers(provider_a):
    client = APIClient()

    assert client.get(URL).status_code == 401
    assert client.get(detail(provider_a)).status_code == 401
    assert client.post(URL, {"name": "X"}).status_code == 401


@pytest.mark.parametrize("who", ["officer_a", "viewer_a", "reviewer"])
def test_it_refuses_writes_from_anyone_but_a_manager(who, request, provider_a, api_for):
    client = api_for(request.getfixturevalue(who))

    create = client.post(URL, {"name": "New", "authorization_number": "USPS-PES-9999"})
    change = client.patch(detail(provider_a), {"name": "Renamed"})

    assert create.status_code == 403
    assert change.status_code == 403
    assert not Provider.objects.filter(name__in=["New", "Renamed"]).exists()


def test_it_lets_a_manager_register_a_provider(manager, api_for):
    response = api_for(manager).post(
        URL, {"name": "Charlie Post", "authorization_number": "USPS-PES-0777"}
    )

    assert response.status_code == 201, response.json()
    provider = Provider.objects.get(pk=response.json()["id"])
    assert provider.authorization_status == "authorized"
    assert provider.status_changes.get().to_status == "authorized"
    assert AuditEvent.objects.for_object(provider).get().action == "provider.created"


def test_a_status_change_with_only_the_published_fields_is_recorded_as_without_reason(
        manager, provider_a, api_for):
    """API.md publishes `id, name, authorization_status`: `reason` is no field it requires.
    The change is made, and its record says no reason was given."""
    response = api_for(manager).patch(detail(provider_a), {"authorization_status": "suspended"})

    assert response.status_code == 200, response.json()
    provider_a.refresh_from_db()
    assert provider_a.authorization_status == "suspended"
    change = ProviderStatusChange.objects.get(provider=provider_a)
    assert change.reason == "Set through the API; no reason given."
    event = AuditEvent.objects.filter(action="provider.updated").latest("sequence")
    assert event.reason == change.reason


def test_it_records_a_status_change_with_its_reason(manager, provider_a, api_for):
    response = api_for(manager).patch(
        detail(provider_a), {"authorization_status": "suspended", "reason": "§ 501.6 notice"}
    )

    assert response.status_code == 200, response.json()
    assert response.json()["authorization_status"] == "suspended"
    assert "reason" not in response.json()
    change = ProviderStatusChange.objects.get(provider=provider_a)
    assert (change.from_status, change.to_status) == ("authorized", "suspended")
    assert change.reason == "§ 501.6 notice"
    assert change.changed_by == manager


def test_it_refuses_an_unknown_status(manager, provider_a, api_for):
    response = api_for(manager).patch(
        detail(provider_a), {"authorization_status": "paused", "reason": "x"}
    )

    assert response.status_code == 400
    assert "authorization_status" in response.json()


def test_it_refuses_a_duplicate_name(manager, provider_a, api_for):
    response = api_for(manager).post(
        URL, {"name": "Alpha Postage", "authorization_number": "USPS-PES-0888"}
    )

    assert response.status_code == 400
    assert "name" in response.json()


def test_it_filters_by_status_and_name(manager, reviewer, provider_a, provider_b, api_for):
    factories.ProviderFactory(name="Charlie Suspended", authorization_status="suspended")
    client = api_for(reviewer)

    suspended = client.get(URL, {"authorization_status": "suspended"}).json()
    named = client.get(URL, {"q": "brav"}).json()

    assert [row["name"] for row in suspended["results"]] == ["Charlie Suspended"]
    assert [row["name"] for row in named["results"]] == ["Bravo Meters"]


def test_it_cannot_be_deleted(manager, provider_a, api_for):
    assert api_for(manager).delete(detail(provider_a)).status_code == 405
    assert Provider.objects.filter(pk=provider_a.pk).exists()


def test_a_provider_has_a_time_zone_new_york_unless_set(manager, api_for):
    client = api_for(manager)
    plain = client.post("/api/v1/providers/", {"name": "Zulu Meters",
                                               "authorization_number": "Z-1"})
    west = client.post("/api/v1/providers/", {"name": "West Postage",
                                              "authorization_number": "W-1",
                                              "timezone": "America/Los_Angeles"})
    bad = client.post("/api/v1/providers/", {"name": "Nowhere", "authorization_number": "N-1",
                                             "timezone": "Mars/Olympus"})

    assert plain.status_code == 201 and plain.json()["timezone"] == "America/New_York"
    assert west.status_code == 201 and west.json()["timezone"] == "America/Los_Angeles"
    assert bad.status_code == 400 and "timezone" in bad.json()
    assert not Provider.objects.filter(name="Nowhere").exists()
