"""`/api/v1/pes-models/`: read by everyone in scope, written by USPS managers."""

import pytest
from rest_framework.test import APIClient

from compliance.models import AuditEvent, PESModel
from tests import factories

URL = "/api/v1/pes-models/"


def detail(model):
    return f"{URL}{model.pk}/"


@pytest.fixture
def meter_a(provider_a):
    return factories.PESModelFactory(provider=provider_a, name="Alpha A-1 meter")


@pytest.fixture
def pc_b(provider_b):
    return factories.PESModelFactory(provider=provider_b, name="Bravo Online", kind="pc_postage",
                                      approval_status="submitted", approved_by="Canada Post")


def names(response):
    return [row["name"] for row in response.json()["results"]]


def test_it_lists_only_the_officers_own_models(officer_a, meter_a, pc_b, api_for):
    assert names(api_for(officer_a).get(URL)) == ["Alpha A-1 meter"]


def test_it_lists_every_model_for_a_reviewer(reviewer, meter_a, pc_b, api_for):
    assert sorted(names(api_for(reviewer).get(URL))) == ["Alpha A-1 meter", "Bravo Online"]


def test_it_shows_the_published_fields(reviewer, pc_b, api_for):
    assert api_for(reviewer).get(detail(pc_b)).json() == {
        "id": pc_b.pk,
        "provider": pc_b.provider_id,
        "name": "Bravo Online",
        "kind": "pc_postage",
        "approval_status": "submitted",
        "approved_by": "Canada Post",
    }


def test_it_lets_a_viewer_read_their_providers_models(viewer_a, meter_a, api_for):
    assert api_for(viewer_a).get(detail(meter_a)).status_code == 200


def test_it_answers_404_for_another_providers_model(officer_b, meter_a, api_for):
    client = api_for(officer_b)

    assert client.get(detail(meter_a)).status_code == 404
    assert client.patch(detail(meter_a), {"name": "Mine"}).status_code == 404


def test_it_answers_401_to_anonymous_callers(meter_a):
    assert APIClient().get(URL).status_code == 401
    assert APIClient().get(detail(meter_a)).status_code == 401


@pytest.mark.parametrize("who", ["officer_a", "viewer_a", "reviewer"])
def test_it_refuses_writes_from_anyone_but_a_manager(who, request, provider_a, meter_a, api_for):
    client = api_for(request.getfixturevalue(who))

    create = client.post(URL, {"provider": provider_a.pk, "name": "New", "kind": "pc_postage",
                               "approval_status": "submitted"})
    change = client.patch(detail(meter_a), {"approval_status": "withdrawn"})

    assert (create.status_code, change.status_code) == (403, 403)
    meter_a.refresh_from_db()
    assert meter_a.approval_status == "approved"
    assert not PESModel.objects.filter(name="New").exists()


def test_it_lets_a_manager_add_a_model_for_a_provider(manager, provider_b, api_for):
    response = api_for(manager).post(
        URL, {"provider": provider_b.pk, "name": "Bravo B-2", "kind": "postage_meter",
              "approval_status": "submitted"},
    )

    assert response.status_code == 201, response.json()
    model = PESModel.objects.get(name="Bravo B-2")
    assert model.provider == provider_b
    assert model.approved_by == "USPS"
    event = AuditEvent.objects.for_object(model).get()
    assert (event.action, event.actor, event.provider) == ("pes_model.created", manager,
                                                            provider_b)


def test_it_lets_a_manager_change_a_model(manager, meter_a, api_for):
    response = api_for(manager).patch(
        detail(meter_a), {"approval_status": "withdrawn", "approved_by": "Deutsche Post"}
    )

    assert response.status_code == 200, response.json()
    meter_a.refresh_from_db()
    assert (meter_a.approval_status, meter_a.approved_by) == ("withdrawn", "Deutsche Post")
    assert AuditEvent.objects.for_object(meter_a).get().changes == {
        "approval_status": ["approved", "withdrawn"],
        "approved_by": ["USPS", "Deutsche Post"],
    }


def test_it_never_moves_a_model_to_another_provider(manager, meter_a, provider_b, api_for):
    response = api_for(manager).patch(detail(meter_a), {"provider": provider_b.pk})

    assert response.status_code == 400
    assert "provider" in response.json()


def test_it_refuses_an_unknown_kind(manager, provider_a, api_for):
    response = api_for(manager).post(
        URL, {"provider": provider_a.pk, "name": "Odd", "kind": "franking_machine",
              "approval_status": "approved"},
    )

    assert response.status_code == 400
    assert isinstance(response.json()["kind"], list)


def test_it_filters_by_kind_status_and_provider(reviewer, meter_a, pc_b, provider_b, api_for):
    client = api_for(reviewer)

    assert names(client.get(URL, {"kind": "pc_postage"})) == ["Bravo Online"]
    assert names(client.get(URL, {"approval_status": "approved"})) == ["Alpha A-1 meter"]
    assert names(client.get(URL, {"provider": provider_b.pk})) == ["Bravo Online"]
    assert names(client.get(URL, {"q": "a-1"})) == ["Alpha A-1 meter"]


def test_it_paginates(reviewer, provider_a, api_for):
    factories.PESModelFactory.create_batch(3, provider=provider_a)

    body = api_for(reviewer).get(URL, {"page_size": 1}).json()

    assert set(body) == {"count", "next", "previous", "results"}
    assert (body["count"], len(body["results"])) == (3, 1)


def test_it_treats_another_providers_id_in_a_filter_like_an_unknown_one(
    officer_a, pc_b, provider_b, api_for
):
    client = api_for(officer_a)

    other = client.get(URL, {"provider": provider_b.pk})
    unknown = client.get(URL, {"provider": 999999})

    assert other.status_code == unknown.status_code == 400
    assert other.json() == unknown.json()
