"""The Django admin: for USPS managers only; its writes go through the audited services."""

import re
import unicodedata

import pytest

from compliance.models import Affiliate, AuditEvent, PESModel, Provider, ProviderStatusChange
from tests import factories
from tests.conftest import sign_in_with_password


def based_on(client, url):
    """The digest the change page at `url` carries of what it was filled from."""
    page = client.get(url).content.decode()
    return re.search(r'name="based_on" value="([^"]*)"', page).group(1)


def change_form(provider, **overrides):
    data = {
        "name": provider.name,
        "authorization_number": provider.authorization_number,
        "authorization_status": provider.authorization_status,
        "reason": "",
        "status_changes-TOTAL_FORMS": "0",
        "status_changes-INITIAL_FORMS": "0",
        "status_changes-MIN_NUM_FORMS": "0",
        "status_changes-MAX_NUM_FORMS": "0",
    }
    data.update(overrides)
    return data


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


def test_it_opens_the_admin_for_a_manager(manager_client):
    response = manager_client.get("/admin/")

    assert response.status_code == 200
    assert b"Providers" in response.content


def test_it_has_no_sign_in_of_its_own_but_the_sites(client):
    response = client.get("/admin/login/?next=/admin/compliance/provider/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/admin/compliance/provider/"


def test_it_lets_a_manager_in_after_the_sites_sign_in_and_second_factor(client, manager,
                                                                         settings):
    settings.MFA_REQUIRED_ROLES = ["usps_manager"]
    secret = factories.enrol_totp(manager)

    response = sign_in_with_password(client, "manager", secret=secret)

    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_it_keeps_a_manager_without_a_second_factor_out_of_the_admin(client, manager,
                                                                     settings):
    settings.MFA_REQUIRED_ROLES = ["usps_manager"]
    sign_in_with_password(client, "manager")

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/"


@pytest.mark.parametrize("path", ["/admin/password_change/", "/admin/password_change/done/"])
def test_it_has_no_password_change_of_its_own_but_the_sites(manager_client, manager, path):
    """The site's change records it, tells the manager and ends their other sessions; a
    change posted to the admin's own page changes nothing."""
    assert manager_client.get(path)["Location"] == "/accounts/password/change/"

    response = manager_client.post(path, {
        "old_password": factories.PASSWORD, "new_password1": "a-Much-longer-pass-2026",
        "new_password2": "a-Much-longer-pass-2026"})

    assert response["Location"] == "/accounts/password/change/"
    manager.refresh_from_db()
    assert manager.check_password(factories.PASSWORD)


def test_it_refuses_a_signed_in_reviewer_at_the_admin_sign_in(client, reviewer):
    client.force_login(reviewer)

    assert client.get("/admin/login/?next=/admin/").status_code == 403


@pytest.mark.parametrize("who", ["reviewer", "officer_a", "viewer_a"])
def test_it_refuses_the_admin_to_everyone_else(who, request, client, provider_a):
    client.force_login(request.getfixturevalue(who))

    for url in ["/admin/", "/admin/compliance/provider/",
                f"/admin/compliance/provider/{provider_a.pk}/change/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/admin/login/"), url


def test_it_lists_providers_in_the_admin(manager_client, provider_a, provider_b):
    response = manager_client.get("/admin/compliance/provider/")

    assert response.status_code == 200
    assert b"Alpha Postage" in response.content
    assert b"Bravo Meters" in response.content


def test_it_adds_a_provider_through_the_service(manager_client, manager):
    response = manager_client.post(
        "/admin/compliance/provider/add/",
        change_form(Provider(name="Delta Post", authorization_number="USPS-PES-4444",
                             authorization_status="authorized")),
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    provider = Provider.objects.get(name="Delta Post")
    assert provider.status_changes.get().to_status == "authorized"
    event = AuditEvent.objects.for_object(provider).get()
    assert (event.action, event.actor) == ("provider.created", manager)


def test_it_refuses_a_status_change_without_a_reason(manager_client, provider_a):
    url = f"/admin/compliance/provider/{provider_a.pk}/change/"
    response = manager_client.post(url, change_form(
        provider_a, authorization_status="revoked", based_on=based_on(manager_client, url)))

    assert response.status_code == 200
    assert "reason" in response.context["adminform"].form.errors
    provider_a.refresh_from_db()
    assert provider_a.authorization_status == "authorized"
    assert not ProviderStatusChange.objects.exists()
    assert not AuditEvent.objects.exists()


def test_it_records_a_status_change_with_its_reason(manager_client, manager, provider_a):
    url = f"/admin/compliance/provider/{provider_a.pk}/change/"
    response = manager_client.post(url, change_form(
        provider_a, authorization_status="suspended", reason="§ 501.6(c) notice",
        based_on=based_on(manager_client, url)))

    assert response.status_code == 302
    provider_a.refresh_from_db()
    assert provider_a.authorization_status == "suspended"
    change = ProviderStatusChange.objects.get(provider=provider_a)
    assert (change.from_status, change.to_status, change.reason, change.changed_by) == (
        "authorized", "suspended", "§ 501.6(c) notice", manager)
    event = AuditEvent.objects.for_object(provider_a).get()
    assert event.action == "provider.updated"
    assert event.reason == "§ 501.6(c) notice"
    assert event.changes == {"authorization_status": ["authorized", "suspended"]}


def test_it_renames_a_provider_without_a_reason(manager_client, provider_a):
    url = f"/admin/compliance/provider/{provider_a.pk}/change/"
    response = manager_client.post(url, change_form(provider_a, name="Alpha Postage LLC",
                                                    based_on=based_on(manager_client, url)))

    assert response.status_code == 302
    provider_a.refresh_from_db()
    assert provider_a.name == "Alpha Postage LLC"
    assert AuditEvent.objects.for_object(provider_a).get().changes == {
        "name": ["Alpha Postage", "Alpha Postage LLC"]}


def test_it_adds_an_affiliate_through_the_service(manager_client, manager, provider_a):
    response = manager_client.post(
        "/admin/compliance/affiliate/add/",
        {"provider": provider_a.pk, "name": "Alpha Independent", "relationship":
         "independent_dealer", "country": "US"},
    )

    assert response.status_code == 302
    affiliate = provider_a.affiliates.get(name="Alpha Independent")
    assert affiliate.country == "US"
    assert AuditEvent.objects.for_object(affiliate).get().actor == manager


def test_it_adds_a_pes_model_through_the_service(manager_client, provider_a):
    response = manager_client.post(
        "/admin/compliance/pesmodel/add/",
        {"provider": provider_a.pk, "name": "Alpha Web", "kind": "pc_postage",
         "approval_status": "approved", "approved_by": "USPS"},
    )

    assert response.status_code == 302
    model = provider_a.pes_models.get(name="Alpha Web")
    assert AuditEvent.objects.for_object(model).get().action == "pes_model.created"


def test_it_deletes_nothing_from_the_register(manager_client, provider_a):
    response = manager_client.post(f"/admin/compliance/provider/{provider_a.pk}/delete/",
                                   {"post": "yes"})

    assert response.status_code == 403
    assert Provider.objects.filter(pk=provider_a.pk).exists()


def test_it_shows_users_and_audit_events_read_only(manager_client, officer_a):
    assert manager_client.get("/admin/compliance/user/").status_code == 200
    assert manager_client.get("/admin/compliance/auditevent/").status_code == 200
    assert manager_client.get("/admin/compliance/user/add/").status_code == 403


def test_it_shows_the_schedulers_tasks_read_only(manager_client):
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    every_minute = IntervalSchedule.objects.create(every=60, period=IntervalSchedule.SECONDS)
    task = PeriodicTask.objects.create(name="deadline-sweep", task="notifications.sweep",
                                       interval=every_minute)
    url = f"/admin/django_celery_beat/periodictask/{task.pk}/change/"

    assert "deadline-sweep" in manager_client.get(
        "/admin/django_celery_beat/periodictask/").content.decode()
    assert manager_client.post(url, {"name": "x", "enabled": ""}).status_code == 403
    task.refresh_from_db()
    assert (task.name, task.enabled) == ("deadline-sweep", True)


def test_it_edits_an_affiliate_through_the_service_and_keeps_its_provider(
    manager_client, manager, provider_a, provider_b
):
    affiliate = factories.AffiliateFactory(provider=provider_a, name="Alpha GmbH",
                                           relationship="subsidiary", country="DE")

    url = f"/admin/compliance/affiliate/{affiliate.pk}/change/"
    response = manager_client.post(url, {
        "provider": provider_b.pk, "name": "Alpha AG", "relationship": "subsidiary",
        "country": "AT", "based_on": based_on(manager_client, url)})

    assert response.status_code == 302
    affiliate.refresh_from_db()
    assert (affiliate.provider, affiliate.name, affiliate.country) == (provider_a, "Alpha AG",
                                                                       "AT")
    assert AuditEvent.objects.for_object(affiliate).get().changes == {
        "name": ["Alpha GmbH", "Alpha AG"], "country": ["DE", "AT"]}


def test_it_shows_a_user_without_letting_it_be_changed(manager_client, officer_a):
    url = f"/admin/compliance/user/{officer_a.pk}/change/"

    assert manager_client.get(url).status_code == 200
    response = manager_client.post(url, {"username": "renamed", "role": "usps_manager"})
    assert response.status_code == 403
    officer_a.refresh_from_db()
    assert officer_a.username == "officer_a"


@pytest.mark.parametrize("entry", ["affiliate", "pesmodel"])
def test_a_rename_to_a_name_its_provider_already_uses_is_refused_on_the_form(
        manager_client, provider_a, entry):
    if entry == "affiliate":
        factories.AffiliateFactory(provider=provider_a, name="Alpha GmbH", country="DE")
        other = factories.AffiliateFactory(provider=provider_a, name="Alpha AG", country="AT",
                                           relationship="subsidiary")
        form = {"name": "Alpha GmbH", "relationship": "subsidiary", "country": "AT"}
    else:
        factories.PESModelFactory(provider=provider_a, name="Alpha GmbH")
        other = factories.PESModelFactory(provider=provider_a, name="Alpha AG")
        form = {"name": "Alpha GmbH", "kind": other.kind,
                "approval_status": other.approval_status, "approved_by": "USPS"}
    events = AuditEvent.objects.count()
    url = f"/admin/compliance/{entry}/{other.pk}/change/"
    form["based_on"] = based_on(manager_client, url)

    response = manager_client.post(url, form)

    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    other.refresh_from_db()
    assert other.name == "Alpha AG"
    assert AuditEvent.objects.count() == events


# The admin's read-only lists within a page are for USPS managers, who hold no model
# permissions of Django's.

def test_the_provider_page_of_the_admin_shows_its_status_history(manager, client, provider_a):
    from compliance import services

    services.update_provider(actor=manager, provider=provider_a,
                             authorization_status="suspended",
                             reason="Tampered meters found in the field.")
    client.force_login(manager)

    html = client.get(f"/admin/compliance/provider/{provider_a.pk}/change/").content.decode()

    # The manager about to set the status by hand sees the changes so far, with reasons.
    assert "Tampered meters found in the field." in html


def test_the_incident_page_of_the_admin_shows_its_filed_versions(manager, client, officer_a):
    from tests.incidents.factories import make_filed

    filed = make_filed(officer_a, title="Filed case")
    version = filed.versions.get()
    client.force_login(manager)

    html = client.get(f"/admin/incidents/incident/{filed.pk}/change/").content.decode()

    assert version.sha256 in html


def entry_page(entry, provider_a):
    """An entry of each page of the register's admin, and the form its page posts."""
    if entry == "provider":
        return provider_a, change_form(provider_a, timezone=provider_a.timezone)
    if entry == "affiliate":
        affiliate = factories.AffiliateFactory(provider=provider_a, name="Alpha GmbH",
                                               relationship="subsidiary", country="DE")
        return affiliate, {"name": "Alpha GmbH", "relationship": "subsidiary", "country": "DE"}
    model = factories.PESModelFactory(provider=provider_a, name="Alpha Meter 1")
    return model, {"name": "Alpha Meter 1", "kind": model.kind,
                   "approval_status": model.approval_status, "approved_by": "USPS"}


def renamed_meanwhile(entry, target, officer_a, manager):
    from compliance import services

    if entry == "affiliate":  # by the provider's officer, on their own page
        services.update_affiliate(actor=officer_a, affiliate=target, name="Alpha Holding")
    elif entry == "provider":  # by another manager
        services.update_provider(actor=factories.ManagerFactory(), provider=target,
                                 name="Alpha Holding")
    else:
        services.update_pes_model(actor=factories.ManagerFactory(), pes_model=target,
                                  name="Alpha Holding")


@pytest.mark.parametrize("entry", ["provider", "affiliate", "pesmodel"])
def test_a_page_read_before_someone_elses_change_does_not_undo_it_unseen(
        manager_client, manager, officer_a, provider_a, entry):
    target, form = entry_page(entry, provider_a)
    url = f"/admin/compliance/{entry}/{target.pk}/change/"
    form["based_on"] = based_on(manager_client, url)
    renamed_meanwhile(entry, target, officer_a, manager)
    events = AuditEvent.objects.count()

    # The manager, on the page read before the rename, changes something else.
    if entry == "affiliate":
        form["country"] = "AT"
    elif entry == "provider":
        form["authorization_number"] = "PES-99"
    else:
        form["approved_by"] = "USPS Engineering"
    refused = manager_client.post(url, form)

    assert refused.status_code == 200
    page = refused.content.decode()
    assert "was changed since this page was opened: it now reads name Alpha Holding" in page
    target.refresh_from_db()
    assert target.name == "Alpha Holding"
    assert AuditEvent.objects.count() == events

    # Shown again, the page is based on the entry as it now reads: saving again replaces
    # the rename with what was typed, knowingly.
    form["based_on"] = re.search(r'name="based_on" value="([^"]*)"', page).group(1)
    assert manager_client.post(url, form).status_code == 302
    target.refresh_from_db()
    assert target.name != "Alpha Holding"


@pytest.mark.parametrize("entry", ["provider", "affiliate", "pesmodel"])
def test_a_name_typed_in_another_unicode_form_is_the_same_name_on_the_form(
        manager_client, provider_a, entry):
    """"Café" typed with a combining accent is the register's "Café": refused on the form
    as the same name, not a server error from the service's own check."""
    name = "Café Postage"
    if entry == "provider":
        factories.ProviderFactory(name=name)
        form = change_form(provider_a, name=unicodedata.normalize("NFD", name))
    elif entry == "affiliate":
        factories.AffiliateFactory(provider=provider_a, name=name, country="DE")
        form = {"provider": provider_a.pk, "name": unicodedata.normalize("NFD", name),
                "relationship": "subsidiary", "country": "DE"}
    else:
        factories.PESModelFactory(provider=provider_a, name=name)
        form = {"provider": provider_a.pk, "name": unicodedata.normalize("NFD", name),
                "kind": "pc_postage", "approval_status": "approved", "approved_by": "USPS"}
    model = {"provider": Provider, "affiliate": Affiliate, "pesmodel": PESModel}[entry]
    before = (model.objects.count(), AuditEvent.objects.count())

    response = manager_client.post(f"/admin/compliance/{entry}/add/", form)

    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert (model.objects.count(), AuditEvent.objects.count()) == before


def test_a_double_click_on_save_is_not_told_as_someone_elses_change(manager_client,
                                                                     provider_a):
    """The second of two identical posts changes nothing: it is answered as saved, not as
    a page read before someone else's change."""
    model = factories.PESModelFactory(provider=provider_a, name="Alpha Meter 1")
    url = f"/admin/compliance/pesmodel/{model.pk}/change/"
    form = {"name": "Alpha Meter 1", "kind": model.kind,
            "approval_status": model.approval_status, "approved_by": "USPS Engineering",
            "based_on": based_on(manager_client, url)}

    first = manager_client.post(url, form)
    events = AuditEvent.objects.count()
    second = manager_client.post(url, form)

    assert (first.status_code, second.status_code) == (302, 302)
    assert AuditEvent.objects.count() == events
    model.refresh_from_db()
    assert model.approved_by == "USPS Engineering"


def test_a_reason_typed_on_a_stale_page_is_not_dropped_as_saved(manager_client, provider_a):
    """Another manager suspended the provider meanwhile; this page, read before, picks
    "Suspended" too with a reason of its own: told the page is stale, not "saved" with the
    reason dropped."""
    url = f"/admin/compliance/provider/{provider_a.pk}/change/"
    form = change_form(provider_a, timezone=provider_a.timezone,
                       based_on=based_on(manager_client, url))
    from compliance import services

    services.update_provider(actor=factories.ManagerFactory(), provider=provider_a,
                             authorization_status="suspended", reason="Audit findings.")

    form.update(authorization_status="suspended",
                reason="Unpaid postage found in the May sampling.")
    response = manager_client.post(url, form)

    assert response.status_code == 200
    assert "was changed since this page was opened" in response.content.decode()
    assert list(ProviderStatusChange.objects.filter(provider=provider_a, to_status="suspended")
                .values_list("reason", flat=True)) == ["Audit findings."]


def test_a_double_click_on_a_status_change_is_not_told_as_someone_elses_change(
        manager_client, provider_a):
    """The second post, with the same reason, is the same change: answered as saved."""
    url = f"/admin/compliance/provider/{provider_a.pk}/change/"
    form = change_form(provider_a, timezone=provider_a.timezone,
                       based_on=based_on(manager_client, url),
                       authorization_status="suspended",
                       reason="Unpaid postage found in the May sampling.")

    first = manager_client.post(url, form)
    second = manager_client.post(url, form)

    assert first.status_code == 302
    assert Provider.objects.get(pk=provider_a.pk).authorization_status == "suspended"
    assert ProviderStatusChange.objects.filter(provider=provider_a,
                                               to_status="suspended").count() == 1
    page = second.content.decode() if second.status_code == 200 else ""
    assert "was changed since this page was opened" not in page
    assert second.status_code == 302


def test_suspending_a_legacy_twin_without_touching_its_name(manager_client):
    """A provider left for a person to merge (its name reads as another's once two spaces
    read as one) is suspended, its name untouched, not refused as a name taken."""
    factories.ProviderFactory(name="Acme Postage")
    twin = factories.ProviderFactory(name="placeholder")
    Provider.objects.filter(pk=twin.pk).update(name="Acme  Postage")  # kept so before
    twin.refresh_from_db()
    url = f"/admin/compliance/provider/{twin.pk}/change/"

    response = manager_client.post(url, change_form(
        twin, timezone=twin.timezone, based_on=based_on(manager_client, url),
        authorization_status="suspended", reason="Unpaid postage."))

    assert response.status_code == 302
    assert Provider.objects.get(pk=twin.pk).authorization_status == "suspended"
    assert Provider.objects.get(pk=twin.pk).name == "Acme  Postage"
