"""`/api/v1/affiliates/`: read in scope; written by the provider's officers and USPS managers."""

import unicodedata

import pytest
from rest_framework.test import APIClient

from compliance.models import Affiliate, AuditEvent
from tests import factories

URL = "/api/v1/affiliates/"


def detail(affiliate):
    return f"{URL}{affiliate.pk}/"


@pytest.fixture
def affiliate_a(provider_a):
    return factories.AffiliateFactory(provider=provider_a, name="Alpha GmbH", country="DE")


@pytest.fixture
def affiliate_b(provider_b):
    return factories.AffiliateFactory(provider=provider_b, name="Bravo Ltd", country="GB")


def names(response):
    return [row["name"] for row in response.json()["results"]]


def test_it_lists_only_the_officers_own_affiliates(officer_a, affiliate_a, affiliate_b, api_for):
    response = api_for(officer_a).get(URL)

    assert response.status_code == 200
    assert names(response) == ["Alpha GmbH"]


def test_it_lists_every_affiliate_for_a_reviewer(reviewer, affiliate_a, affiliate_b, api_for):
    assert sorted(names(api_for(reviewer).get(URL))) == ["Alpha GmbH", "Bravo Ltd"]


def test_it_shows_the_published_fields(officer_a, affiliate_a, api_for):
    body = api_for(officer_a).get(detail(affiliate_a)).json()

    assert body == {
        "id": affiliate_a.pk,
        "provider": affiliate_a.provider_id,
        "name": "Alpha GmbH",
        "relationship": "subsidiary",
        "country": "DE",
    }


def test_it_answers_404_for_another_providers_affiliate(officer_b, affiliate_a, api_for):
    client = api_for(officer_b)

    assert client.get(detail(affiliate_a)).status_code == 404
    assert client.patch(detail(affiliate_a), {"name": "Mine now"}).status_code == 404
    affiliate_a.refresh_from_db()
    assert affiliate_a.name == "Alpha GmbH"


def test_it_answers_401_to_anonymous_callers(affiliate_a):
    client = APIClient()

    assert client.get(URL).status_code == 401
    assert client.get(detail(affiliate_a)).status_code == 401


def test_it_lets_an_officer_add_an_affiliate_of_their_provider(officer_a, provider_a, api_for):
    response = api_for(officer_a).post(
        URL, {"name": "Alpha Dealer", "relationship": "dealer", "country": "us"}
    )

    assert response.status_code == 201, response.json()
    assert response.json()["provider"] == provider_a.pk
    assert response.json()["country"] == "US"
    affiliate = Affiliate.objects.get(name="Alpha Dealer")
    assert affiliate.provider == provider_a
    event = AuditEvent.objects.for_object(affiliate).get()
    assert (event.action, event.actor, event.provider) == ("affiliate.created", officer_a,
                                                            provider_a)


def test_it_puts_an_officers_affiliate_on_their_own_provider_whatever_id_they_pass(
    officer_a, provider_a, provider_b, api_for
):
    response = api_for(officer_a).post(
        URL,
        {"provider": provider_b.pk, "name": "Sneaky", "relationship": "assign", "country": "FR"},
    )

    assert response.status_code == 201, response.json()
    assert Affiliate.objects.get(name="Sneaky").provider == provider_a
    assert not provider_b.affiliates.exists()


def test_it_lets_an_officer_edit_an_affiliate(officer_a, affiliate_a, api_for):
    response = api_for(officer_a).patch(detail(affiliate_a), {"relationship": "dealer"})

    assert response.status_code == 200, response.json()
    affiliate_a.refresh_from_db()
    assert affiliate_a.relationship == "dealer"
    event = AuditEvent.objects.for_object(affiliate_a).get()
    assert event.changes == {"relationship": ["subsidiary", "dealer"]}


def test_it_never_moves_an_affiliate_to_another_provider(manager, affiliate_a, provider_b,
                                                        api_for):
    response = api_for(manager).patch(detail(affiliate_a), {"provider": provider_b.pk})

    assert response.status_code == 400
    assert "provider" in response.json()
    affiliate_a.refresh_from_db()
    assert affiliate_a.provider_id != provider_b.pk


def test_it_refuses_writes_from_a_viewer(viewer_a, affiliate_a, api_for):
    client = api_for(viewer_a)

    create = client.post(URL, {"name": "V", "relationship": "dealer", "country": "US"})
    change = client.patch(detail(affiliate_a), {"name": "Viewer was here"})

    assert (create.status_code, change.status_code) == (403, 403)
    affiliate_a.refresh_from_db()
    assert affiliate_a.name == "Alpha GmbH"
    assert not Affiliate.objects.filter(name="V").exists()


def test_it_refuses_writes_from_a_reviewer(reviewer, provider_a, affiliate_a, api_for):
    client = api_for(reviewer)

    create = client.post(
        URL, {"provider": provider_a.pk, "name": "R", "relationship": "dealer", "country": "US"}
    )
    change = client.patch(detail(affiliate_a), {"name": "Reviewer was here"})

    assert (create.status_code, change.status_code) == (403, 403)


def test_it_lets_a_manager_add_an_affiliate_for_a_provider(manager, provider_b, api_for):
    response = api_for(manager).post(
        URL,
        {"provider": provider_b.pk, "name": "Bravo Parent", "relationship": "parent_corporation",
         "country": "NL"},
    )

    assert response.status_code == 201, response.json()
    assert Affiliate.objects.get(name="Bravo Parent").provider == provider_b


def test_it_needs_a_provider_from_a_manager(manager, api_for):
    response = api_for(manager).post(
        URL, {"name": "Orphan", "relationship": "dealer", "country": "US"}
    )

    assert response.status_code == 400
    assert "provider" in response.json()


@pytest.mark.parametrize("country", ["USA", "U1", "", "1", "XX", "Germany"])
def test_it_refuses_a_bad_country_code(country, officer_a, api_for):
    response = api_for(officer_a).post(
        URL, {"name": "Bad Country", "relationship": "dealer", "country": country}
    )

    assert response.status_code == 400
    assert isinstance(response.json()["country"], list)
    assert not Affiliate.objects.filter(name="Bad Country").exists()


def test_it_refuses_an_unknown_relationship(officer_a, api_for):
    response = api_for(officer_a).post(
        URL, {"name": "Cousin", "relationship": "cousin", "country": "US"}
    )

    assert response.status_code == 400
    assert isinstance(response.json()["relationship"], list)


def test_it_refuses_a_second_affiliate_of_the_same_name(officer_a, affiliate_a, api_for):
    response = api_for(officer_a).post(
        URL, {"name": "Alpha GmbH", "relationship": "dealer", "country": "US"}
    )

    assert response.status_code == 400
    assert list(response.json()) == ["non_field_errors"]
    assert Affiliate.objects.filter(name="Alpha GmbH").count() == 1


def test_it_filters_by_relationship_country_and_name(reviewer, provider_a, api_for):
    factories.AffiliateFactory(provider=provider_a, name="One", relationship="dealer",
                               country="US")
    factories.AffiliateFactory(provider=provider_a, name="Two", relationship="assign",
                               country="US")
    factories.AffiliateFactory(provider=provider_a, name="Three", relationship="dealer",
                               country="FR")
    client = api_for(reviewer)

    assert names(client.get(URL, {"relationship": "dealer"})) == ["One", "Three"]
    assert names(client.get(URL, {"country": "US"})) == ["One", "Two"]
    assert names(client.get(URL, {"q": "thr"})) == ["Three"]
    assert names(client.get(URL, {"relationship": "dealer", "country": "US"})) == ["One"]


def test_it_filters_by_provider(reviewer, affiliate_a, affiliate_b, provider_b, api_for):
    assert names(api_for(reviewer).get(URL, {"provider": provider_b.pk})) == ["Bravo Ltd"]


def test_it_treats_another_providers_id_in_a_filter_like_an_unknown_one(
    officer_a, affiliate_b, provider_b, api_for
):
    client = api_for(officer_a)

    other = client.get(URL, {"provider": provider_b.pk})
    unknown = client.get(URL, {"provider": 999999})

    assert other.status_code == unknown.status_code
    assert other.json() == unknown.json()


def test_it_paginates(officer_a, provider_a, api_for):
    factories.AffiliateFactory.create_batch(3, provider=provider_a)

    body = api_for(officer_a).get(URL, {"page_size": 2}).json()
    second = api_for(officer_a).get(URL, {"page_size": 2, "page": 2}).json()

    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 3
    assert len(body["results"]) == 2
    assert body["previous"] is None
    assert "page=2" in body["next"]
    assert len(second["results"]) == 1
    assert second["next"] is None


def test_it_caps_the_page_size_at_200(reviewer, provider_a, api_for):
    Affiliate.objects.bulk_create(
        Affiliate(provider=provider_a, name=f"Dealer {n:03d}", relationship="dealer",
                  country="US")
        for n in range(201)
    )

    body = api_for(reviewer).get(URL, {"page_size": 500}).json()

    assert body["count"] == 201
    assert len(body["results"]) == 200
    assert body["next"] is not None


def test_it_answers_400_to_an_unknown_filter_value(reviewer, api_for):
    response = api_for(reviewer).get(URL, {"relationship": "cousin"})

    assert response.status_code == 400
    assert isinstance(response.json()["relationship"], list)


def test_it_keeps_the_country_a_code_string_in_the_api(officer_a, api_for):
    response = api_for(officer_a).post(
        URL, {"name": "Alpha Ireland", "relationship": "subsidiary", "country": "ie"})

    assert response.status_code == 201 and response.json()["country"] == "IE"


def test_the_affiliate_page_offers_the_iso_3166_list_by_name(signed_in, officer_a, provider_a):
    page = signed_in(officer_a).get(f"/providers/{provider_a.pk}/affiliates/new/")
    body = page.content.decode()

    assert '<select name="country"' in body
    assert '<option value="DE">Germany</option>' in body
    assert body.count("<option value=") >= 249  # every ISO 3166-1 country, not a 2-letter box


def test_an_affiliate_name_identical_but_for_unicode_normalization_is_refused(
        officer_a, provider_a, api_for):
    """"é" as one character or as "e" and a combining accent (some keyboards, copies): the
    same name, read the same on every page, taken once."""
    client = api_for(officer_a)
    first = client.post("/api/v1/affiliates/", {"name": "Société Générale Postale",
                                                "relationship": "dealer", "country": "FR"},
                        format="json")
    assert first.status_code == 201
    twin = unicodedata.normalize("NFD", "Société Générale Postale")
    assert twin != "Société Générale Postale"

    second = client.post("/api/v1/affiliates/", {"name": twin, "relationship": "dealer",
                                                 "country": "FR"}, format="json")

    assert second.status_code == 400, second.json()
    assert provider_a.affiliates.count() == 1


def test_a_name_is_found_as_it_was_typed_whichever_form_of_accent(officer_a, manager, api_for):
    """Kept in one form, a name is searched in that form too: the decomposed text that made
    it finds it (`?q=` of affiliates, PES models and providers)."""
    typed = unicodedata.normalize("NFD", "Société Générale Postale")
    client = api_for(officer_a)
    made = client.post("/api/v1/affiliates/", {"name": typed, "relationship": "dealer",
                                               "country": "FR"}, format="json").json()
    provider = api_for(manager).post("/api/v1/providers/", {"name": typed},
                                     format="json").json()

    part = unicodedata.normalize("NFD", "Générale")
    found = client.get("/api/v1/affiliates/", {"q": part}).json()["results"]
    providers = api_for(manager).get("/api/v1/providers/", {"q": part}).json()["results"]
    assert [a["id"] for a in found] == [made["id"]]
    assert [p["id"] for p in providers] == [provider["id"]]


def test_names_kept_before_take_the_one_form_unless_a_twin_has_it(officer_a, provider_a):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("compliance.migrations.0026_register_names_nfc")
    composed = "Société Générale Postale"
    decomposed = unicodedata.normalize("NFD", composed)
    old = factories.AffiliateFactory(provider=provider_a, name="x")
    twin_of = factories.AffiliateFactory(provider=provider_a, name="Café")
    twin = factories.AffiliateFactory(provider=provider_a, name="y")
    Affiliate.objects.filter(pk=old.pk).update(name=decomposed)
    Affiliate.objects.filter(pk=twin.pk).update(name=unicodedata.normalize("NFD", "Café"))

    migration.names_in_one_form(apps, None)

    assert Affiliate.objects.get(pk=old.pk).name == composed
    assert Affiliate.objects.get(pk=twin_of.pk).name == "Café"
    assert Affiliate.objects.get(pk=twin.pk).name == unicodedata.normalize("NFD", "Café")

