"""The contract read as HTTP and the README say: an id with a fraction names no object (400,
never another object), and a client preferring CSV by its Accept header's q-values gets
CSV."""

import pytest

from incidents.models import Incident
from tests import factories
from tests.incidents.factories import make_filed

pytestmark = pytest.mark.django_db


# README (API, errors): 400 for "an id no database can hold or with a fraction".

def test_assign_refuses_a_reviewer_id_with_a_fraction(api_for, officer_a, reviewer):
    other = factories.ReviewerFactory(username="other_reviewer")
    filed = make_filed(officer_a)

    response = api_for(reviewer).post(f"/api/v1/incidents/{filed.pk}/assign/",
                                      {"reviewer": other.pk + 0.9}, format="json")

    assert response.status_code == 400, (response.status_code, response.json())
    assert "reviewer" in response.json()
    assert Incident.objects.get(pk=filed.pk).assigned_reviewer_id is None


def test_triage_refuses_a_reviewer_id_with_a_fraction(api_for, officer_a, reviewer):
    other = factories.ReviewerFactory(username="other_reviewer")
    filed = make_filed(officer_a)

    response = api_for(reviewer).post(f"/api/v1/incidents/{filed.pk}/triage/", {
        "revenue_risk": "high", "rationale": "Resets at scale.",
        "reviewer": other.pk + 0.5}, format="json")

    assert response.status_code == 400, (response.status_code, response.json())
    assert Incident.objects.get(pk=filed.pk).triaged_at is None


# API.md (Exports): every list answers CSV for `Accept: text/csv`, also to a client that
# accepts JSON as a fallback (q-values, RFC 9110 §12.5.1); never to one whose q=0 refuses
# it ("not this one", RFC 9110 §12.4.2).

@pytest.mark.parametrize("accept, csv", [
    ("text/csv, application/json;q=0.1", True),
    ("text/csv;q=1.0, application/json;q=0.5", True),
    ("application/json;q=0.2, text/csv", True),
    ("*/*, text/csv;q=0", False),
    ("application/*, text/csv;q=0, */*", False),
    ("text/csv;q=0, */*;q=0.5", False),
])
def test_a_list_answers_csv_as_its_client_prefers(api_for, officer_a, accept, csv):
    make_filed(officer_a)

    response = api_for(officer_a).get("/api/v1/incidents/", HTTP_ACCEPT=accept)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv") is csv, response["Content-Type"]
