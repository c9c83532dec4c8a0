"""The register's service functions: who may change what, and what they record."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from compliance import services
from compliance.models import Affiliate, Obligation, PESModel, Provider, ProviderStatusChange
from notifications.models import OutboundEmail
from tests import factories


@pytest.fixture
def affiliate_a(provider_a):
    return factories.AffiliateFactory(provider=provider_a, name="Alpha GmbH")


@pytest.fixture
def meter_a(provider_a):
    return factories.PESModelFactory(provider=provider_a, name="Alpha meter")


def test_it_registers_a_provider_with_its_first_status(manager):
    provider = services.create_provider(actor=manager, name="Golf Postage",
                                        authorization_number="USPS-PES-0700",
                                        authorization_status="suspended")

    change = provider.status_changes.get()
    assert (change.from_status, change.to_status, change.changed_by) == ("", "suspended",
                                                                          manager)


@pytest.mark.parametrize("who", ["officer_a", "viewer_a", "reviewer"])
def test_it_lets_only_managers_manage_providers(who, request, provider_a):
    actor = request.getfixturevalue(who)

    with pytest.raises(PermissionDenied):
        services.create_provider(actor=actor, name="X", authorization_number="X-1")
    with pytest.raises(PermissionDenied):
        services.update_provider(actor=actor, provider=provider_a, name="Y")
    assert list(Provider.objects.values_list("name", flat=True)) == ["Alpha Postage"]


def test_it_keeps_each_status_change(manager, provider_a):
    services.update_provider(actor=manager, provider=provider_a,
                             authorization_status="suspended", reason="Notice of suspension")
    services.update_provider(actor=manager, provider=provider_a,
                             authorization_status="authorized", reason="Suspension withdrawn")

    assert list(ProviderStatusChange.objects.order_by("id").values_list(
        "from_status", "to_status", "reason")) == [
        ("authorized", "suspended", "Notice of suspension"),
        ("suspended", "authorized", "Suspension withdrawn"),
    ]


def test_a_status_set_in_the_register_is_e_mailed_to_the_providers_officers_and_managers(
        manager, provider_a, officer_a, viewer_a, officer_b):
    with factories.committed():
        services.update_provider(actor=manager, provider=provider_a,
                                 authorization_status="suspended",
                                 reason="Meters tampered in the field.")

    emails = OutboundEmail.objects.filter(template="authorization_status_set")
    assert {e.recipient for e in emails} == {officer_a, manager}
    sent = emails.get(recipient=officer_a).rendered
    assert sent.subject == "Alpha Postage: authorization suspended"
    assert "Meters tampered in the field." in sent.body_text
    assert "keep reading and filing" in sent.body_text


def test_it_needs_a_reason_for_a_status_change(manager, provider_a):
    with pytest.raises(ValidationError) as caught:
        services.update_provider(actor=manager, provider=provider_a,
                                 authorization_status="revoked")

    assert "reason" in caught.value.message_dict
    provider_a.refresh_from_db()
    assert provider_a.authorization_status == "authorized"


def test_it_refuses_an_invalid_status(manager, provider_a):
    with pytest.raises(ValidationError):
        services.update_provider(actor=manager, provider=provider_a,
                                 authorization_status="paused", reason="x")


def test_it_lets_an_officer_add_affiliates_only_to_their_provider(officer_a, provider_b):
    with pytest.raises(PermissionDenied):
        services.create_affiliate(actor=officer_a, provider=provider_b, name="Nope",
                                  relationship="dealer", country="US")
    assert not Affiliate.objects.exists()


@pytest.mark.parametrize("who", ["viewer_a", "reviewer", "officer_b"])
def test_it_refuses_affiliate_edits_to_others(who, request, affiliate_a):
    with pytest.raises(PermissionDenied):
        services.update_affiliate(actor=request.getfixturevalue(who), affiliate=affiliate_a,
                                  name="Changed")
    affiliate_a.refresh_from_db()
    assert affiliate_a.name == "Alpha GmbH"


def test_it_never_moves_an_affiliate(manager, affiliate_a, provider_a, provider_b):
    services.update_affiliate(actor=manager, affiliate=affiliate_a, provider=provider_b,
                              name="Alpha Holding")

    affiliate_a.refresh_from_db()
    assert (affiliate_a.provider, affiliate_a.name) == (provider_a, "Alpha Holding")


def test_it_upper_cases_country_codes(officer_a, provider_a):
    affiliate = services.create_affiliate(actor=officer_a, provider=provider_a, name="Lower",
                                          relationship="dealer", country="gb")

    assert affiliate.country == "GB"


def test_it_refuses_an_unknown_relationship(officer_a, provider_a):
    with pytest.raises(ValidationError) as caught:
        services.create_affiliate(actor=officer_a, provider=provider_a, name="Cousin",
                                  relationship="cousin", country="US")

    assert "relationship" in caught.value.message_dict


def test_it_lets_only_managers_manage_pes_models(officer_a, reviewer, provider_a, meter_a):
    for actor in (officer_a, reviewer):
        with pytest.raises(PermissionDenied):
            services.create_pes_model(actor=actor, provider=provider_a, name="Nope",
                                      kind="pc_postage", approval_status="submitted")
        with pytest.raises(PermissionDenied):
            services.update_pes_model(actor=actor, pes_model=meter_a, name="Nope")
    assert list(PESModel.objects.values_list("name", flat=True)) == ["Alpha meter"]


def test_it_never_moves_a_pes_model(manager, meter_a, provider_b):
    services.update_pes_model(actor=manager, pes_model=meter_a, provider=provider_b)

    meter_a.refresh_from_db()
    assert meter_a.provider_id != provider_b.pk


def test_it_refuses_a_duplicate_pes_model_name_per_provider(manager, meter_a, provider_b):
    with pytest.raises(ValidationError):
        services.create_pes_model(actor=manager, provider=meter_a.provider, name="Alpha meter",
                                  kind="postage_meter", approval_status="approved")
    other = services.create_pes_model(actor=manager, provider=provider_b, name="Alpha meter",
                                      kind="postage_meter", approval_status="approved")
    assert other.provider == provider_b


def test_a_renamed_provider_is_not_owed_its_procedures_under_its_old_name(manager, client):
    provider = services.create_provider(actor=manager, name="Alpha Postage",
                                        authorization_number="USPS-PES-0100")
    services.update_provider(actor=manager, provider=provider, name="Omega Mailing LLC")
    officer = factories.OfficerFactory(username="omega_officer", provider=provider)

    duty = Obligation.objects.get(provider=provider, kind="procedures")
    assert duty.subject == "Internal reporting procedures of Omega Mailing LLC"
    client.force_login(officer)
    home = client.get("/").content.decode()

    # The subject shows on the home page, the obligations list, the calendar feed, every
    # reminder and digest.
    assert "Omega Mailing LLC" in home
    assert "Alpha Postage" not in home


def test_a_rename_leaves_the_duties_of_a_case_whose_title_ends_with_the_name(manager,
                                                                             officer_a):
    """A case's duties are named by its title, the provider's own words: a title that
    happens to end with " of <provider name>" is not the procedures' subject."""
    from compliance.models import ObligationKind
    from tests.incidents.factories import make_draft, make_filed

    title = "Forged resets accepted by the meters of Alpha Postage"
    draft = make_draft(officer_a, title=title)
    filed = make_filed(officer_a, title=title)

    services.update_provider(actor=manager, provider=officer_a.provider, name="Omega Mail")

    draft.refresh_from_db()
    notification = Obligation.objects.get(incident_id=draft.pk,
                                          kind=ObligationKind.NOTIFICATION)
    assert draft.title == title
    assert notification.subject == draft.title  # the draft's duty follows its title
    triage = Obligation.objects.get(incident_id=filed.pk, kind=ObligationKind.USPS_TRIAGE)
    assert triage.subject.endswith(title)


def test_a_rename_relabels_usps_item_to_decide_an_extension_of_the_procedures(manager):
    """USPS's item to decide a pending extension of the procedures duty (inbox, duties,
    calendar, reminders) names the provider as the duty does."""
    from datetime import timedelta

    from compliance.models import ObligationKind
    from compliance.services.extensions import request_extension

    provider = services.create_provider(actor=manager, name="Alpha Postage",
                                        authorization_number="USPS-PES-0100")
    officer = factories.OfficerFactory(username="alpha_officer", provider=provider)
    duty = Obligation.objects.get(provider=provider, kind=ObligationKind.PROCEDURES)
    request_extension(actor=officer, obligation=duty,
                      requested_due_at=duty.due_at + timedelta(days=10),
                      justification="Counsel reviews the text.")

    services.update_provider(actor=manager, provider=provider, name="Omega Mailing LLC")

    duty.refresh_from_db()
    assert duty.subject == "Internal reporting procedures of Omega Mailing LLC"
    decide = Obligation.objects.get(provider=provider,
                                    kind=ObligationKind.USPS_EXTENSION_DECISION)
    assert decide.subject == ("Extension of the internal reporting procedures: "
                              "Internal reporting procedures of Omega Mailing LLC")


def test_names_are_kept_in_one_unicode_form(manager, provider_a):
    import unicodedata

    decomposed = unicodedata.normalize("NFD", "Système Postal Réseau")
    model = services.create_pes_model(actor=manager, provider=provider_a, name=decomposed,
                                      kind="postage_meter", approval_status="approved")
    services.update_provider(actor=manager, provider=provider_a, name=decomposed)

    assert model.name == "Système Postal Réseau" == Provider.objects.get(pk=provider_a.pk).name
    with pytest.raises(ValidationError):
        services.create_pes_model(actor=manager, provider=provider_a, name="Système Postal Réseau",
                                  kind="postage_meter", approval_status="approved")

