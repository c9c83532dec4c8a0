"""Audit events: written in the change's own transaction, shown as history, scoped like the rest."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from compliance import services
from compliance.models import Affiliate, AuditEvent, Provider
from compliance.services.chain import append_events
from tests import factories


@pytest.fixture
def affiliate_a(provider_a):
    return factories.AffiliateFactory(provider=provider_a, name="Alpha GmbH")


def make_event(obj, *, action, usps_only=False, provider=None, reason=""):
    return append_events([AuditEvent(
        at=timezone.now(),
        provider=provider if provider is not None else getattr(obj, "provider", obj),
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        object_repr=str(obj),
        action=action,
        usps_only=usps_only,
        reason=reason,
    )])[0]


def test_it_records_who_what_changes_and_why(manager, provider_a):
    services.update_provider(actor=manager, provider=provider_a,
                             authorization_status="revoked", reason="Willful violation")

    event = AuditEvent.objects.get()
    assert event.actor == manager
    assert event.provider == provider_a
    assert event.target == provider_a
    assert event.object_repr == "Alpha Postage"
    assert event.action == "provider.updated"
    assert event.changes == {"authorization_status": ["authorized", "revoked"]}
    assert event.reason == "Willful violation"
    assert event.at is not None


def test_it_writes_nothing_when_nothing_changes(manager, provider_a, affiliate_a):
    services.update_provider(actor=manager, provider=provider_a, name="Alpha Postage")
    services.update_affiliate(actor=manager, affiliate=affiliate_a, country="DE")

    assert not AuditEvent.objects.exists()


def test_it_rolls_the_event_back_with_the_change(manager, provider_a):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.update_provider(actor=manager, provider=provider_a, name="Renamed")
        assert AuditEvent.objects.count() == 1  # written inside the same transaction
        raise RuntimeError("the surrounding transaction fails")

    provider_a.refresh_from_db()
    assert provider_a.name == "Alpha Postage"
    assert not AuditEvent.objects.exists()


def test_it_writes_no_event_when_the_change_is_refused(manager, provider_a):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.update_provider(actor=manager, provider=provider_a,
                                 authorization_status="suspended", reason="  ")

    assert not AuditEvent.objects.exists()


def test_it_records_the_system_as_actor_when_there_is_none(provider_a):
    user = services.create_user(username="new_officer", role="provider_officer",
                                provider=provider_a, password="a-long-passphrase-1")

    event = AuditEvent.objects.get(action="user.created")
    assert event.actor is None
    assert event.actor_label == "the system"
    assert event.target == user
    assert event.provider == provider_a


def test_it_writes_one_event_per_service(manager, provider_a, officer_a):
    provider = services.create_provider(actor=manager, name="Echo", authorization_number="E-1")
    affiliate = services.create_affiliate(actor=officer_a, provider=provider_a, name="Echo Sub",
                                          relationship="subsidiary", country="US")
    model = services.create_pes_model(actor=manager, provider=provider_a, name="Echo Meter",
                                      kind="postage_meter", approval_status="approved")
    services.update_affiliate(actor=officer_a, affiliate=affiliate, name="Echo Subsidiary")
    services.update_pes_model(actor=manager, pes_model=model, approval_status="withdrawn")
    token, _ = services.create_api_token(user=officer_a)
    services.revoke_api_token(user=officer_a, token=token)

    assert list(AuditEvent.objects.order_by("id").values_list("action", flat=True)) == [
        # Registering a provider also opens its § 501.11(d) procedures obligation.
        "provider.created", "obligation.opened", "affiliate.created", "pes_model.created",
        "affiliate.updated", "pes_model.updated", "api_token.created", "api_token.revoked",
    ]
    assert AuditEvent.objects.for_object(provider).get().provider == provider


def test_it_shows_provider_staff_only_their_providers_shared_events(
    officer_a, reviewer, provider_a, provider_b
):
    shared_a = make_event(provider_a, action="provider.updated")
    internal_a = make_event(provider_a, action="provider.deliberated", usps_only=True)
    shared_b = make_event(provider_b, action="provider.updated")

    assert list(AuditEvent.objects.visible_to(officer_a)) == [shared_a]
    assert set(AuditEvent.objects.visible_to(reviewer)) == {shared_a, internal_a, shared_b}


def test_it_shows_the_history_on_the_provider_page(client, officer_a, manager, provider_a):
    services.update_provider(actor=manager, provider=provider_a, name="Alpha Postage Co",
                             reason="Company renamed")
    client.force_login(officer_a)

    response = client.get(f"/providers/{provider_a.pk}/")

    history = response.content.decode().split('class="history"')[1]
    assert "Provider updated" in history
    assert "Alpha Postage Co" in history
    assert "Company renamed" in history
    assert str(manager) in history


def test_it_shows_the_history_on_the_affiliate_edit_page(client, officer_a, affiliate_a):
    services.update_affiliate(actor=officer_a, affiliate=affiliate_a, relationship="dealer")
    client.force_login(officer_a)

    response = client.get(f"/providers/{affiliate_a.provider_id}/affiliates/{affiliate_a.pk}/edit/")

    history = response.content.decode().split('class="history"')[1]
    assert "Affiliate updated" in history
    assert "Relationship: Subsidiary → Dealer" in history  # labels, never raw values


def test_it_hides_usps_only_events_from_provider_pages(client, officer_a, reviewer, provider_a,
                                                      affiliate_a):
    make_event(provider_a, action="provider.deliberated", usps_only=True,
               reason="Enforcement deliberation")
    make_event(affiliate_a, action="affiliate.flagged", usps_only=True, reason="Reviewer note")
    edit_url = f"/providers/{provider_a.pk}/affiliates/{affiliate_a.pk}/edit/"

    client.force_login(officer_a)
    provider_page = client.get(f"/providers/{provider_a.pk}/").content
    affiliate_page = client.get(edit_url).content
    client.force_login(reviewer)
    reviewer_page = client.get(f"/providers/{provider_a.pk}/").content

    assert b"Enforcement deliberation" not in provider_page
    assert b"Reviewer note" not in affiliate_page
    assert b"Enforcement deliberation" in reviewer_page


def test_it_never_shows_another_providers_events(client, officer_a, provider_a, provider_b):
    # An event wrongly tagged with provider B must not leak, even on A's own page.
    make_event(provider_a, action="provider.noted", provider=provider_b, reason="B's business")
    client.force_login(officer_a)

    assert b"B&#x27;s business" not in client.get(f"/providers/{provider_a.pk}/").content
    assert not AuditEvent.objects.visible_to(officer_a).exists()


def test_it_gives_anonymous_visitors_no_events(provider_a):
    from django.contrib.auth.models import AnonymousUser

    make_event(provider_a, action="provider.updated")

    assert not AuditEvent.objects.visible_to(AnonymousUser()).exists()


def test_it_ties_an_event_to_its_objects_type_and_id(manager, provider_a):
    affiliate = services.create_affiliate(actor=manager, provider=provider_a, name="Foxtrot",
                                          relationship="assign", country="US")

    assert AuditEvent.objects.for_object(affiliate).get().content_type.model_class() is Affiliate
    assert not AuditEvent.objects.for_object(Provider(pk=affiliate.pk)).exists()
