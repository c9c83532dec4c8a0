"""The incident list is read as rows, not model instances: its JSON must be the very JSON
`IncidentSerializer` gives of the same incidents, on both sides of the door."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from rest_framework.renderers import JSONRenderer

from incidents.api.serializers import IncidentSerializer
from incidents.api.views import incidents_for
from incidents.models import Incident, RiskStatement
from tests import factories

from .factories import NOW, make_draft, make_filed

URL = "/api/v1/incidents/"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def at_now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def cases(officer_a, officer_b):
    provider = officer_a.provider
    # Named so that the PES models' order (by name) is not the order of their ids.
    zulu = factories.PESModelFactory(provider=provider, name="Zulu Meter")
    alpha = factories.PESModelFactory(provider=provider, name="Alpha Meter")
    affiliate = factories.AffiliateFactory(provider=provider)
    make_draft(officer_a, title="A draft", pes_models=[zulu, alpha],
               discovered_by_affiliate=affiliate, description="")
    make_filed(officer_a, title="Two models", pes_models=[zulu, alpha])
    cyber = make_filed(officer_a, title="An attack", category="cyber_attack",
                       subtype="denial_of_service", pes_models=[], risk_statements=[
                           {"pes_model": zulu, "nature_of_risk": "Outage",
                            "effect_on_pes": "Resets impossible"},
                           {"pes_model": alpha, "nature_of_risk": "Forged resets",
                            "effect_on_pes": "Postage unpaid"}])
    make_filed(officer_a, at=NOW - timedelta(hours=1), title="Late one",
               discovered_at=NOW - timedelta(hours=30), late_reason="Found on a weekend",
               discovered_by_affiliate=affiliate)
    Incident.objects.filter(pk=cyber.pk).update(revenue_risk="high", status="under_review")
    make_filed(officer_b, title="Another provider's")
    return cyber


def serialized(user):
    """What IncidentSerializer says of the incidents `user` may see, as JSON reads it."""
    incidents = incidents_for(user).order_by("-discovered_at", "-id")
    return json.loads(JSONRenderer().render(IncidentSerializer(incidents, many=True).data))


@pytest.mark.parametrize("side", ["officer_a", "reviewer"])
def test_it_lists_what_the_serializer_gives(request, side, cases, api_for):
    user = request.getfixturevalue(side)
    expected = serialized(user)

    response = api_for(user).get(URL)

    assert response.status_code == 200
    results = response.json()["results"]
    assert results == expected
    assert [list(row) for row in results] == [list(row) for row in expected]
    assert len(results) == 4
    attack = next(row for row in results if row["title"] == "An attack")
    assert [s["nature_of_risk"] for s in attack["risk_statements"]] == [
        "Outage", "Forged resets"]
    assert attack["revenue_risk"] == "high"


def test_it_lists_the_pes_models_and_risks_in_their_order(cases, officer_a, api_for):
    RiskStatement.objects.filter(incident=cases, position=0).update(position=5)
    rows = {row["title"]: row for row in api_for(officer_a).get(URL).json()["results"]}
    names = dict(factories.PESModelFactory._meta.model.objects.values_list("pk", "name"))

    assert [names[pk] for pk in rows["Two models"]["pes_models"]] == [
        "Alpha Meter", "Zulu Meter"]
    assert [s["nature_of_risk"] for s in rows["An attack"]["risk_statements"]] == [
        "Forged resets", "Outage"]
    assert rows == {row["title"]: row for row in serialized(officer_a)}


def test_it_lists_a_filtered_page_as_the_serializer_would(cases, officer_a, api_for):
    body = api_for(officer_a).get(URL + "?page_size=2&page=2").json()

    assert body["count"] == 4
    assert body["results"] == serialized(officer_a)[2:4]


def test_it_lists_in_a_fixed_number_of_queries(cases, officer_a, reviewer, api_for,
                                              django_assert_num_queries):
    # The count and the page, which on PostgreSQL brings each row's PES models and risk
    # statements, and, since so few cases match, their ids first (compliance/paginator.py);
    # elsewhere the PES models and risk statements come in one more query each.
    queries = 3 if connection.vendor == "postgresql" else 4
    for user in (officer_a, reviewer):
        with django_assert_num_queries(queries) as captured:
            assert api_for(user).get(URL).status_code == 200
        assert "pes_models" not in captured.captured_queries[0]["sql"]
    with django_assert_num_queries(1):
        assert api_for(officer_a).get(URL + "?q=nothing-like-this").json()["results"] == []


def test_it_answers_a_new_or_changed_draft_as_the_serializer_would(officer_a, api_for):
    model = factories.PESModelFactory(provider=officer_a.provider, name="Meter")
    client = api_for(officer_a)

    created = client.post(URL, {
        "category": "cyber_attack", "subtype": "denial_of_service", "title": "Outage",
        "description": "Resets failed for an hour.", "discovered_at": NOW.isoformat(),
        "discovery_timezone": "America/Chicago", "discovered_by_name": "Ops",
        "risk_statements": [{"pes_model": model.pk, "nature_of_risk": "Outage",
                             "effect_on_pes": "Resets impossible"}]}, format="json")
    assert created.status_code == 201
    assert created.json() == serialized(officer_a)[0]
    assert created.json()["risk_statements"][0]["nature_of_risk"] == "Outage"

    changed = client.patch(f"{URL}{created.json()['id']}/", {"title": "Long outage"},
                           format="json")
    assert changed.status_code == 200
    assert changed.json() == serialized(officer_a)[0]
    assert changed.json()["title"] == "Long outage"
