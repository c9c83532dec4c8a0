"""The browser pages: sign-in, the navigation, the provider register and affiliate editing."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from compliance import services
from compliance.models import Affiliate, AuditEvent
from tests import factories


def provider_page(provider):
    return f"/providers/{provider.pk}/"


def add_page(provider):
    return f"/providers/{provider.pk}/affiliates/new/"


def edit_page(affiliate):
    return f"/providers/{affiliate.provider_id}/affiliates/{affiliate.pk}/edit/"


@pytest.fixture
def affiliate_a(provider_a):
    return factories.AffiliateFactory(provider=provider_a, name="Alpha GmbH", country="DE")


# --- Signing in and out ---


def test_it_shows_the_sign_in_page(client, db):
    response = client.get("/accounts/login/")

    assert response.status_code == 200
    assert b"Sign in" in response.content
    assert b'name="password"' in response.content


def test_it_signs_a_user_in_with_a_password(client, officer_a):
    response = client.post(
        "/accounts/login/", {"login": "officer_a", "password": factories.PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_it_refuses_a_wrong_password(client, officer_a):
    response = client.post("/accounts/login/", {"login": "officer_a", "password": "wrong"})

    assert response.status_code == 200
    assert "not correct" in response.content.decode()
    assert response.context["form"].errors
    assert client.get("/").status_code == 302


def test_it_signs_a_user_out(signed_in, officer_a):
    client = signed_in(officer_a)

    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert client.get("/").status_code == 302


@pytest.mark.parametrize(
    "path",
    ["/", "/providers/", "/providers/{a}/", "/providers/{a}/affiliates/new/",
     "/providers/{a}/affiliates/{aff}/edit/", "/profile/"],
)
def test_it_sends_anonymous_visitors_to_sign_in(path, client, affiliate_a):
    url = path.format(a=affiliate_a.provider_id, aff=affiliate_a.pk)

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


# --- Who you are ---


def test_it_shows_who_you_are_in_the_navigation(signed_in, officer_a):
    response = signed_in(officer_a).get("/")

    whoami = response.content.decode().split('data-testid="whoami"')[1].split("</div>")[0]
    assert "officer_a" in whoami
    assert "Provider compliance officer" in whoami
    assert "Alpha Postage" in whoami


def test_it_shows_usps_staff_as_the_postal_service(signed_in, reviewer):
    response = signed_in(reviewer).get("/")

    whoami = response.content.decode().split('data-testid="whoami"')[1].split("</div>")[0]
    assert "USPS reviewer" in whoami
    assert "United States Postal Service" in whoami


def test_it_tells_provider_staff_their_provider_on_the_home_page(signed_in, viewer_a):
    response = signed_in(viewer_a).get("/")

    assert response.status_code == 200
    assert b"Alpha Postage" in response.content
    assert b"24 hours" in response.content


def test_it_counts_the_register_for_usps_staff(signed_in, reviewer, provider_a, provider_b):
    response = signed_in(reviewer).get("/")

    assert b"2 providers on the register" in response.content


# --- The provider page ---


def test_it_shows_provider_staff_their_provider(signed_in, viewer_a, affiliate_a, provider_a):
    factories.PESModelFactory(provider=provider_a, name="Alpha A-1 meter")

    response = signed_in(viewer_a).get(provider_page(provider_a))

    assert response.status_code == 200
    assert b"Alpha GmbH" in response.content
    assert b"Alpha A-1 meter" in response.content
    assert provider_a.authorization_number.encode() in response.content


def test_it_answers_404_for_another_providers_page(signed_in, officer_b, provider_a):
    assert signed_in(officer_b).get(provider_page(provider_a)).status_code == 404


def test_it_shows_no_other_providers_affiliates(signed_in, officer_a, provider_a, provider_b):
    factories.AffiliateFactory(provider=provider_b, name="Bravo Secret Dealer")

    response = signed_in(officer_a).get(provider_page(provider_a))

    assert b"Bravo Secret Dealer" not in response.content


def test_it_offers_affiliate_editing_to_officers_only(signed_in, officer_a, viewer_a,
                                                      affiliate_a, provider_a):
    officer_page = signed_in(officer_a).get(provider_page(provider_a)).content.decode()
    viewer_page = signed_in(viewer_a).get(provider_page(provider_a)).content.decode()

    assert add_page(provider_a) in officer_page
    assert edit_page(affiliate_a) in officer_page
    assert add_page(provider_a) not in viewer_page
    assert edit_page(affiliate_a) not in viewer_page


def test_it_shows_a_reviewer_any_providers_page(signed_in, reviewer, provider_b):
    assert signed_in(reviewer).get(provider_page(provider_b)).status_code == 200


def test_it_shows_the_authorization_status_history(signed_in, officer_a, provider_a, manager):
    from compliance.services import update_provider

    update_provider(actor=manager, provider=provider_a, authorization_status="suspended",
                    reason="Cure period lapsed")

    response = signed_in(officer_a).get(provider_page(provider_a))

    assert b"Cure period lapsed" in response.content
    assert b"Suspended" in response.content


# --- The provider list (USPS) ---


def test_it_lists_providers_for_usps_staff(signed_in, reviewer, provider_a, provider_b):
    response = signed_in(reviewer).get("/providers/")

    assert response.status_code == 200
    assert [p.name for p in response.context["page"]] == ["Alpha Postage", "Bravo Meters"]


def test_it_sends_provider_staff_from_the_list_to_their_provider(signed_in, officer_a,
                                                                 provider_a, provider_b):
    response = signed_in(officer_a).get("/providers/")

    assert response.status_code == 302
    assert response["Location"] == provider_page(provider_a)


def test_it_searches_providers_by_name(signed_in, reviewer, provider_a, provider_b):
    response = signed_in(reviewer).get("/providers/", {"q": "brav"})

    assert [p.name for p in response.context["page"]] == ["Bravo Meters"]
    assert b"Alpha Postage" not in response.content


def test_it_paginates_the_provider_list(signed_in, reviewer):
    factories.ProviderFactory.create_batch(55)
    client = signed_in(reviewer)

    first = client.get("/providers/")
    second = client.get("/providers/", {"page": 2})

    assert len(first.context["page"]) == 50
    assert len(second.context["page"]) == 5
    assert b"Page 1 of 2" in first.content
    assert b"page=2" in first.content


# --- Adding and editing affiliates ---


def test_it_lets_an_officer_add_an_affiliate(signed_in, officer_a, provider_a):
    response = signed_in(officer_a).post(
        add_page(provider_a), {"name": "Alpha Dealer", "relationship": "dealer", "country": "FR"}
    )

    assert response.status_code == 302
    assert response["Location"] == provider_page(provider_a)
    affiliate = Affiliate.objects.get(name="Alpha Dealer")
    assert (affiliate.provider, affiliate.country) == (provider_a, "FR")
    assert AuditEvent.objects.for_object(affiliate).get().actor == officer_a


def test_it_shows_a_field_error_for_a_bad_country(signed_in, officer_a, provider_a):
    response = signed_in(officer_a).post(
        add_page(provider_a), {"name": "Alpha Dealer", "relationship": "dealer", "country": "1X"}
    )

    assert response.status_code == 400
    assert response.context["form"].errors["country"]
    assert b"field-error" in response.content
    assert not Affiliate.objects.filter(name="Alpha Dealer").exists()


def test_it_shows_an_error_for_a_duplicate_name(signed_in, officer_a, affiliate_a, provider_a):
    response = signed_in(officer_a).post(
        add_page(provider_a), {"name": "Alpha GmbH", "relationship": "dealer", "country": "US"}
    )

    assert response.status_code == 400
    assert response.context["form"].errors
    assert Affiliate.objects.filter(name="Alpha GmbH").count() == 1


def test_it_lets_an_officer_edit_an_affiliate(signed_in, officer_a, affiliate_a):
    client = signed_in(officer_a)
    assert client.get(edit_page(affiliate_a)).status_code == 200

    response = client.post(
        edit_page(affiliate_a), {"name": "Alpha AG", "relationship": "subsidiary", "country": "CH"}
    )

    assert response.status_code == 302
    affiliate_a.refresh_from_db()
    assert (affiliate_a.name, affiliate_a.country) == ("Alpha AG", "CH")


def test_it_lets_a_manager_add_an_affiliate_for_any_provider(signed_in, manager, provider_b):
    response = signed_in(manager).post(
        add_page(provider_b), {"name": "Bravo Assign", "relationship": "assign", "country": "US"}
    )

    assert response.status_code == 302
    assert Affiliate.objects.get(name="Bravo Assign").provider == provider_b


@pytest.mark.parametrize("who", ["viewer_a", "reviewer"])
def test_it_refuses_affiliate_editing_to_those_who_may_not(who, request, signed_in,
                                                          affiliate_a, provider_a):
    client = signed_in(request.getfixturevalue(who))

    assert client.get(add_page(provider_a)).status_code == 403
    assert client.get(edit_page(affiliate_a)).status_code == 403
    response = client.post(
        edit_page(affiliate_a), {"name": "Changed", "relationship": "dealer", "country": "US"}
    )
    assert response.status_code == 403
    affiliate_a.refresh_from_db()
    assert affiliate_a.name == "Alpha GmbH"


def test_it_answers_404_for_another_providers_affiliate_pages(signed_in, officer_b,
                                                              affiliate_a, provider_a):
    client = signed_in(officer_b)

    assert client.get(add_page(provider_a)).status_code == 404
    assert client.get(edit_page(affiliate_a)).status_code == 404
    response = client.post(
        edit_page(affiliate_a), {"name": "Stolen", "relationship": "dealer", "country": "US"}
    )
    assert response.status_code == 404


def test_it_answers_404_for_an_affiliate_under_the_wrong_provider(signed_in, manager,
                                                                  affiliate_a, provider_b):
    url = f"/providers/{provider_b.pk}/affiliates/{affiliate_a.pk}/edit/"

    assert signed_in(manager).get(url).status_code == 404


# --- Query counts: pinned, and flat in the number of rows ---


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_it_reads_the_provider_page_in_a_fixed_number_of_queries(
    signed_in, officer_a, provider_a, manager, django_assert_max_num_queries
):
    from compliance.services import create_affiliate

    client = signed_in(officer_a)
    for n in range(3):
        create_affiliate(actor=manager, provider=provider_a, name=f"A{n}", relationship="dealer",
                         country="US")
    factories.PESModelFactory.create_batch(3, provider=provider_a)
    few = count_queries(client, provider_page(provider_a))

    for n in range(3, 30):
        create_affiliate(actor=manager, provider=provider_a, name=f"A{n}", relationship="dealer",
                         country="US")
    factories.PESModelFactory.create_batch(27, provider=provider_a)
    many = count_queries(client, provider_page(provider_a))

    assert many == few
    with django_assert_max_num_queries(9):
        client.get(provider_page(provider_a))


def test_it_reads_the_provider_list_in_a_fixed_number_of_queries(
    signed_in, reviewer, django_assert_max_num_queries
):
    client = signed_in(reviewer)
    factories.ProviderFactory.create_batch(3)
    few = count_queries(client, "/providers/")
    factories.ProviderFactory.create_batch(30)
    many = count_queries(client, "/providers/")

    assert many == few
    with django_assert_max_num_queries(6):  # with the USPS inbox counts of the navigation
        client.get("/providers/")


def test_it_reads_the_affiliate_edit_page_in_a_fixed_number_of_queries(
    signed_in, officer_a, affiliate_a, django_assert_max_num_queries
):
    from compliance.services import update_affiliate

    client = signed_in(officer_a)
    update_affiliate(actor=officer_a, affiliate=affiliate_a, country="AT")
    few = count_queries(client, edit_page(affiliate_a))
    for country in ["CH", "FR", "IT", "ES", "PT", "NL"]:
        update_affiliate(actor=officer_a, affiliate=affiliate_a, country=country)
    many = count_queries(client, edit_page(affiliate_a))

    assert many == few
    with django_assert_max_num_queries(7):
        client.get(edit_page(affiliate_a))


def test_it_reads_the_home_page_in_a_fixed_number_of_queries(
    signed_in, officer_a, reviewer, django_assert_max_num_queries
):
    # Provider staff: whether procedures are with USPS or accepted; USPS: the inbox (count,
    # rows) and its counts in the navigation.
    for user, most in ((officer_a, 7), (reviewer, 9)):
        client = signed_in(user)
        with django_assert_max_num_queries(most):
            assert client.get("/").status_code == 200


def test_it_keeps_provider_count_right_on_the_home_page(signed_in, reviewer):
    factories.ProviderFactory.create_batch(3)

    assert b"3 providers" in signed_in(reviewer).get("/").content


def test_the_providers_page_links_keep_the_status_filter(client, reviewer):
    """Page 2 of the suspended providers, not of the whole register; the form keeps it."""
    for n in range(55):
        factories.ProviderFactory(name=f"Suspended {n:02d}", authorization_status="suspended")
    for n in range(60):
        factories.ProviderFactory(name=f"Authorized {n:02d}")
    client.force_login(reviewer)

    first = client.get("/providers/?authorization_status=suspended")
    link = re.search(r'href="\?([^"]*page=2)"', first.content.decode()).group(1)
    second = client.get("/providers/?" + link.replace("&amp;", "&"))

    assert first.context["page"].paginator.count == 55
    assert [p.authorization_status for p in second.context["page"]] == ["suspended"] * 5
    assert '<option value="suspended" selected>' in second.content.decode()


def test_a_page_filled_before_a_colleagues_edit_does_not_undo_it(client, officer_a,
                                                                 provider_a, manager):
    affiliate = factories.AffiliateFactory(provider=provider_a, name="Alpha GmbH",
                                           relationship="subsidiary", country="DE")
    client.force_login(officer_a)
    page = client.get(edit_page(affiliate))
    shown = page.context["form"].initial  # what the officer's page holds: DE
    assert shown["country"] == "DE"

    # Meanwhile USPS corrects the country (the affiliate moved its seat to Austria).
    services.update_affiliate(actor=manager, affiliate=affiliate, country="AT")

    # The officer, from the page filled before, fixes only the name and saves.
    client.post(edit_page(affiliate), {"name": "Alpha Holding GmbH",
                                       "relationship": shown["relationship"],
                                       "country": shown["country"],
                                       "based_on": shown["based_on"]})

    affiliate.refresh_from_db()
    assert affiliate.country == "AT", (
        "the officer's stale page put back DE over USPS's correction, unseen")
    assert affiliate.name == "Alpha GmbH"


def test_a_page_refused_as_filled_before_a_change_saves_what_was_typed_when_sent_again(
        client, officer_a, provider_a, manager):
    affiliate = factories.AffiliateFactory(provider=provider_a, name="Alpha GmbH",
                                           relationship="subsidiary", country="DE")
    client.force_login(officer_a)
    based_on = client.get(edit_page(affiliate)).context["form"].initial["based_on"]
    services.update_affiliate(actor=manager, affiliate=affiliate, country="AT")
    typed = {"name": "Alpha Holding GmbH", "relationship": "subsidiary", "country": "DE",
             "based_on": based_on}

    refused = client.post(edit_page(affiliate), typed)

    assert refused.status_code == 409
    html = refused.content.decode()
    assert "was changed since this page was opened" in html and "Austria" in html
    assert 'value="Alpha Holding GmbH"' in html  # what was typed is kept
    assert Affiliate.objects.get(pk=affiliate.pk).name == "Alpha GmbH"
    # Sent again from the page that told them, it replaces the change they have now seen.
    again = refused.context["form"]["based_on"].value()
    assert client.post(edit_page(affiliate), {**typed, "based_on": again}).status_code == 302
    affiliate.refresh_from_db()
    assert (affiliate.name, affiliate.country) == ("Alpha Holding GmbH", "DE")


def test_a_refused_rename_does_not_show_the_affiliate_under_the_refused_name(
        client, officer_a, provider_a):
    affiliate = factories.AffiliateFactory(provider=provider_a, name="Alpha GmbH")
    factories.AffiliateFactory(provider=provider_a, name="Beta GmbH")
    client.force_login(officer_a)

    response = client.post(edit_page(affiliate), {"name": "Beta GmbH",
                                                  "relationship": "subsidiary",
                                                  "country": "DE"})

    assert response.status_code != 302  # refused: the name is taken
    assert Affiliate.objects.get(pk=affiliate.pk).name == "Alpha GmbH"
    html = response.content.decode()
    assert "<h1>Edit Alpha GmbH</h1>" in html, "the heading names the refused new name"
