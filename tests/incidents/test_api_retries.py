"""A provider's tooling retries a POST after a lost answer, with its Idempotency-Key: a
draft (never removed, its 24-hour duty reminding) and a comment (never removed) are made
once; the key sent with another draft answers 409 and makes nothing."""

import pytest

from compliance.models import Obligation
from incidents.models import Comment, Incident
from tests import factories
from tests.incidents.factories import make_filed
from tests.incidents.test_concurrent_filing import draft_body

pytestmark = pytest.mark.django_db

URL = "/api/v1/incidents/"


def test_a_draft_sent_again_with_its_key_is_made_once(api_for, officer_a):
    model = factories.PESModelFactory(provider=officer_a.provider)
    api = api_for(officer_a)
    body = draft_body(officer_a, model)

    first = api.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="ticket-4711")
    again = api.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="ticket-4711")
    other = api.post(URL, {**body, "title": "Another discovery"}, format="json",
                     HTTP_IDEMPOTENCY_KEY="ticket-4711")
    fresh = api.post(URL, {**body, "title": "Another discovery"}, format="json",
                     HTTP_IDEMPOTENCY_KEY="ticket-4712")

    assert (first.status_code, again.status_code, other.status_code,
            fresh.status_code) == (201, 201, 409, 201)
    assert again.json() == first.json()
    assert Incident.objects.count() == 2
    assert Obligation.objects.filter(kind="notification").count() == 2


def test_a_comment_sent_again_with_its_key_is_added_once(api_for, officer_a):
    case = make_filed(officer_a)
    api = api_for(officer_a)
    url = f"{URL}{case.pk}/comments/"

    first = api.post(url, {"body": "Logs attached."}, format="json",
                     HTTP_IDEMPOTENCY_KEY="c-1")
    again = api.post(url, {"body": "Logs attached."}, format="json",
                     HTTP_IDEMPOTENCY_KEY="c-1")

    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert Comment.objects.filter(incident=case).count() == 1


def test_a_key_no_server_could_keep_is_refused(api_for, officer_a):
    model = factories.PESModelFactory(provider=officer_a.provider)

    response = api_for(officer_a).post(URL, draft_body(officer_a, model), format="json",
                                       HTTP_IDEMPOTENCY_KEY="k" * 65)

    assert response.status_code == 400 and "Idempotency-Key" in response.json()
    assert not Incident.objects.exists()
