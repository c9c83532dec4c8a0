"""People pages: officers look after their provider's staff, managers after everyone."""

import pytest
from allauth.usersessions.models import UserSession
from django.test import Client
from rest_framework.test import APIClient

from accounts import services
from compliance.models import AuditEvent, User
from compliance.services import create_api_token
from tests import factories
from tests.conftest import sign_in_with_password
from tests.incidents.factories import make_filed

pytestmark = pytest.mark.django_db


def test_it_lists_only_the_officers_own_provider_staff(signed_in, officer_a, viewer_a,
                                                       officer_b, reviewer):
    page = signed_in(officer_a).get("/people/").content.decode()

    assert "viewer_a" in page and "officer_a" in page
    assert "officer_b" not in page and "<td>reviewer</td>" not in page


def test_it_lists_everyone_to_a_manager_with_filters(signed_in, manager, officer_a, officer_b,
                                                     provider_b):
    client = signed_in(manager)

    everyone = client.get("/people/").content.decode()
    of_b = client.get(f"/people/?provider={provider_b.pk}").content.decode()

    assert "officer_a" in everyone and "officer_b" in everyone
    assert "officer_b" in of_b and "officer_a" not in of_b


def test_it_lists_people_in_a_pinned_number_of_queries(signed_in, manager, provider_a,
                                                       django_assert_num_queries):
    factories.OfficerFactory.create_batch(5, provider=provider_a)
    client = signed_in(manager)
    client.get("/people/")  # warm the session

    with django_assert_num_queries(9):  # with the USPS inbox counts of the navigation
        response = client.get("/people/")

    assert response.status_code == 200


@pytest.mark.parametrize("who", ["viewer_a", "reviewer"])
def test_it_refuses_the_people_pages_to_viewers_and_reviewers(who, request, signed_in,
                                                              officer_a):
    client = signed_in(request.getfixturevalue(who))

    assert client.get("/people/").status_code == 403
    assert client.post(f"/people/{officer_a.pk}/deactivate/").status_code == 403
    officer_a.refresh_from_db()
    assert officer_a.is_active


def test_it_lets_an_officer_deactivate_their_staff_ending_sessions_and_tokens(signed_in,
                                                                              officer_a,
                                                                              viewer_a):
    _, key = create_api_token(user=viewer_a)
    viewers = Client()
    sign_in_with_password(viewers, "viewer_a")
    assert viewers.get("/").status_code == 200

    response = signed_in(officer_a).post(f"/people/{viewer_a.pk}/deactivate/",
                                         {"reason": "Left the company"})

    assert response.status_code == 302
    viewer_a.refresh_from_db()
    assert not viewer_a.is_active
    assert viewers.get("/").status_code == 302
    assert not UserSession.objects.filter(user=viewer_a).exists()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/me/").status_code == 401
    event = AuditEvent.objects.get(action="user.deactivated")
    assert event.actor == officer_a and event.reason == "Left the company"


def test_it_refuses_a_deactivated_person_at_sign_in(client, viewer_a):
    viewer_a.is_active = False
    viewer_a.save()

    sign_in_with_password(client, "viewer_a")

    assert client.get("/").status_code == 302


def test_it_keeps_another_providers_staff_out_of_an_officers_reach(signed_in, officer_a,
                                                                   officer_b):
    client = signed_in(officer_a)

    assert client.get(f"/people/{officer_b.pk}/").status_code == 404
    assert client.post(f"/people/{officer_b.pk}/deactivate/").status_code == 404
    assert client.post(f"/people/{officer_b.pk}/role/",
                       {"role": "provider_viewer"}).status_code == 404
    officer_b.refresh_from_db()
    assert officer_b.is_active and officer_b.role == "provider_officer"


def test_it_does_not_let_anyone_deactivate_themselves(signed_in, officer_a):
    signed_in(officer_a).post(f"/people/{officer_a.pk}/deactivate/")

    officer_a.refresh_from_db()
    assert officer_a.is_active


def test_it_lets_an_officer_make_a_viewer_an_officer_and_records_it(signed_in, officer_a,
                                                                    viewer_a):
    response = signed_in(officer_a).post(f"/people/{viewer_a.pk}/role/",
                                         {"role": "provider_officer", "reason": "Deputy"})

    assert response.status_code == 302
    viewer_a.refresh_from_db()
    assert viewer_a.role == "provider_officer"
    event = AuditEvent.objects.get(action="user.role_changed")
    assert event.changes["role"] == ["provider_viewer", "provider_officer"]


def test_a_role_form_shown_before_another_change_does_not_undo_it(signed_in, manager,
                                                                  officer_a, viewer_a,
                                                                  provider_a):
    """A colleague made the viewer an officer while this page was open; the page, still
    showing a viewer, is sent to move them (role left as shown): refused, nothing undone."""
    client = signed_in(manager)
    page = client.get(f"/people/{viewer_a.pk}/")
    form = page.context["role_form"]
    sent = {"role": "provider_viewer", "provider": provider_a.pk, "reason": "Tidy up",
            "shown_role": form.initial["shown_role"],
            "shown_provider": form.initial["shown_provider"]}
    services.change_role(actor=officer_a, user=viewer_a, role="provider_officer",
                         provider_id=provider_a.pk)

    response = client.post(f"/people/{viewer_a.pk}/role/", sent, follow=True)

    viewer_a.refresh_from_db()
    assert viewer_a.role == "provider_officer"
    assert (f"{viewer_a} was made a provider compliance officer of Alpha Postage since this "
            "page was shown") in response.content.decode()
    assert AuditEvent.objects.filter(action="user.role_changed").count() == 1
    assert 'name="shown_role"' in page.content.decode()


def test_it_refuses_an_officer_giving_a_usps_role_and_records_it(signed_in, officer_a,
                                                                 viewer_a):
    response = signed_in(officer_a).post(f"/people/{viewer_a.pk}/role/",
                                         {"role": "usps_manager"})

    assert response.status_code == 302
    viewer_a.refresh_from_db()
    assert viewer_a.role == "provider_viewer" and viewer_a.provider_id
    assert not AuditEvent.objects.filter(action="user.role_changed").exists()
    assert AuditEvent.objects.get(action="user.role_change_refused").actor == officer_a


def test_it_lets_a_manager_move_someone_to_usps(signed_in, manager, viewer_a):
    signed_in(manager).post(f"/people/{viewer_a.pk}/role/", {"role": "usps_reviewer"})

    viewer_a.refresh_from_db()
    assert (viewer_a.role, viewer_a.provider) == ("usps_reviewer", None)


def _tooling(user):
    """A client of `user`'s own tooling, holding a personal token."""
    _, key = create_api_token(user=user, name="security tooling")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api


@pytest.mark.parametrize("move", [{"role": "provider_viewer", "to_b": True},
                                  {"role": "usps_reviewer", "to_b": False}],
                         ids=["to provider B", "to USPS"])
def test_a_move_to_another_side_revokes_the_tokens_made_on_the_side_left(
        signed_in, manager, viewer_a, officer_b, provider_b, move):
    """The tooling of provider A holding the token would act with provider B's (or USPS's)
    rights: it answers 401, and the move records the revocation."""
    tooling = _tooling(viewer_a)
    case_of_b = make_filed(officer_b)
    form = {"role": move["role"]}
    if move["to_b"]:
        form["provider"] = provider_b.pk

    signed_in(manager).post(f"/people/{viewer_a.pk}/role/", form)

    viewer_a.refresh_from_db()
    assert viewer_a.role == move["role"]
    assert tooling.get(f"/api/v1/incidents/{case_of_b.pk}/").status_code == 401
    assert tooling.get("/api/v1/me/").status_code == 401
    event = AuditEvent.objects.get(action="user.role_changed")
    assert event.changes["api_tokens_revoked"] == [None, 1]


def test_a_move_to_another_provider_ends_the_sessions_opened_on_the_side_left(
        signed_in, manager, viewer_a, officer_b, provider_b):
    """A browser left signed in at provider A would read provider B's cases."""
    case_of_b = make_filed(officer_b, title="Bravo's own weakness")
    browser_at_a = Client()
    sign_in_with_password(browser_at_a, viewer_a.username)
    assert browser_at_a.get("/incidents/").status_code == 200

    signed_in(manager).post(f"/people/{viewer_a.pk}/role/",
                            {"role": "provider_viewer", "provider": provider_b.pk})

    assert browser_at_a.get(f"/incidents/{case_of_b.pk}/").status_code == 302  # sign in
    assert not UserSession.objects.filter(user=viewer_a).exists()
    event = AuditEvent.objects.get(action="user.role_changed")
    assert event.changes["sessions_ended"] == [None, 1]


def test_a_move_within_the_provider_keeps_the_tokens(signed_in, officer_a, viewer_a):
    tooling = _tooling(viewer_a)

    signed_in(officer_a).post(f"/people/{viewer_a.pk}/role/", {"role": "provider_officer"})

    viewer_a.refresh_from_db()
    assert viewer_a.role == "provider_officer"
    assert tooling.get("/api/v1/me/").json()["role"] == "provider_officer"


def test_it_refuses_a_provider_role_without_a_provider(signed_in, manager, reviewer):
    response = signed_in(manager).post(f"/people/{reviewer.pk}/role/",
                                       {"role": "provider_officer"})

    assert response.status_code == 200
    reviewer.refresh_from_db()
    assert reviewer.role == "usps_reviewer"


def test_it_reactivates_an_account_whose_old_tokens_stay_revoked(signed_in, manager, viewer_a):
    token, key = create_api_token(user=viewer_a)
    client = signed_in(manager)
    client.post(f"/people/{viewer_a.pk}/deactivate/")

    client.post(f"/people/{viewer_a.pk}/reactivate/")

    viewer_a.refresh_from_db()
    assert viewer_a.is_active
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/me/").status_code == 401
    assert AuditEvent.objects.filter(action="user.reactivated").exists()


def test_an_account_usps_closed_is_opened_again_by_a_usps_manager_only(signed_in, manager,
                                                                      officer_a, viewer_a):
    """A USPS manager's closing of an account is not undone by the provider's officer; one
    the officer closed, the officer may open again."""
    signed_in(manager).post(f"/people/{viewer_a.pk}/deactivate/", {"reason": "Misuse."})
    officer = signed_in(officer_a)
    page = officer.get(f"/people/{viewer_a.pk}/").content.decode()
    events = AuditEvent.objects.count()

    refused = officer.post(f"/people/{viewer_a.pk}/reactivate/", {"reason": "Back."})

    viewer_a.refresh_from_db()
    assert not viewer_a.is_active and AuditEvent.objects.count() == events
    assert refused.status_code == 302
    assert "/reactivate/" not in page and 'data-testid="closed-by-usps"' in page

    signed_in(manager).post(f"/people/{viewer_a.pk}/reactivate/", {"reason": "Cleared."})
    viewer_a.refresh_from_db()
    assert viewer_a.is_active
    officer.post(f"/people/{viewer_a.pk}/deactivate/", {"reason": "Left."})
    officer.post(f"/people/{viewer_a.pk}/reactivate/", {"reason": "Back."})
    viewer_a.refresh_from_db()
    assert viewer_a.is_active


def test_an_account_usps_closed_stays_closed_after_its_closer_joins_a_provider(
        signed_in, manager, officer_a, viewer_a, provider_b):
    """Who closed it is the side its closer was on then: a USPS manager who later joins a
    provider's staff does not hand the decision back to provider A's officer."""
    closer = factories.ManagerFactory(username="closer")
    services.deactivate_user(actor=closer, user=viewer_a, reason="Misuse.")
    services.change_role(actor=manager, user=closer, role="provider_officer",
                         provider_id=provider_b.pk)
    officer = signed_in(officer_a)
    page = officer.get(f"/people/{viewer_a.pk}/").content.decode()
    events = AuditEvent.objects.count()

    officer.post(f"/people/{viewer_a.pk}/reactivate/", {"reason": "Back."})

    viewer_a.refresh_from_db()
    assert not viewer_a.is_active and AuditEvent.objects.count() == events
    assert "/reactivate/" not in page and 'data-testid="closed-by-usps"' in page


def test_it_shows_a_persons_history_to_their_officer(signed_in, officer_a, viewer_a):
    client = signed_in(officer_a)
    client.post(f"/people/{viewer_a.pk}/role/", {"role": "provider_officer"})

    page = client.get(f"/people/{viewer_a.pk}/").content.decode()

    assert "User role changed" in page


def test_it_keeps_the_user_count_when_nothing_is_allowed(signed_in, officer_a):
    before = User.objects.count()
    signed_in(officer_a).post("/people/invite/", {"email": "x@y.example",
                                                  "role": "usps_manager"})
    assert User.objects.count() == before


def test_it_refuses_a_search_with_a_nul_byte_as_the_providers_list_does(signed_in, officer_a,
                                                                       viewer_a, reviewer):
    # PostgreSQL refuses a NUL in text; the providers list answers such a filter with 400.
    assert signed_in(reviewer).get("/providers/", {"q": "a\x00b"}).status_code == 400

    response = signed_in(officer_a).get("/people/", {"q": "a\x00b"})

    assert response.status_code == 400
    assert "Nobody matches." in response.content.decode()


def test_it_ignores_a_provider_filter_that_is_not_a_plain_number(signed_in, manager,
                                                                 officer_a, officer_b):
    client = signed_in(manager)

    for made_up in ("abc", "\u00b2"):  # "²": isdigit() is true, int() refuses it
        response = client.get("/people/", {"provider": made_up})
        page = response.content.decode()
        assert response.status_code == 200, made_up
        assert "officer_a" in page and "officer_b" in page, made_up


def test_people_are_found_by_the_full_name_the_list_shows(signed_in, officer_a, officer_b):
    factories.ViewerFactory(username="jsmith", provider=officer_a.provider,
                            first_name="Jane", last_name="Smith")
    factories.ViewerFactory(username="jsmith_b", provider=officer_b.provider,
                            first_name="Jane", last_name="Smith")

    found = signed_in(officer_a).get("/people/", {"q": "jane smith"})

    assert [person.username for person in found.context["page"]] == ["jsmith"]


def test_the_creation_line_names_the_provider_not_its_id(client, officer_a, provider_a):
    """The person page's history names the provider a person was made staff of, as a role
    change does, never a bare database id."""
    import re

    from compliance.services import create_user
    from tests import factories

    person = create_user(actor=officer_a, username="newcomer", role="provider_viewer",
                         password=factories.PASSWORD + "x!Q9", provider=provider_a,
                         email="newcomer@example.com")
    client.force_login(officer_a)
    page = client.get(f"/people/{person.pk}/").content.decode()
    line = re.search(r'<li data-action="user.created">(.*?)</li>\s*</ol>', page, re.S).group(1)
    assert provider_a.name in line, line


def test_the_stale_page_refusal_reads_usps_as_usps(manager):
    """The refusal of a role change from a stale page names the role as the site writes it
    ("a USPS manager")."""
    from accounts.services import change_role
    from compliance.errors import Conflict

    person = factories.ReviewerFactory(username="rita")
    other = factories.ManagerFactory(username="other.manager")
    change_role(actor=other, user=person, role="usps_manager")  # meanwhile
    with pytest.raises(Conflict) as refused:
        change_role(actor=manager, user=person, role="provider_officer",
                    provider_id=factories.ProviderFactory().pk,
                    shown=("usps_reviewer", None))
    assert "a USPS manager" in refused.value.message, refused.value.message
