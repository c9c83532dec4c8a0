"""`manage.py seed_demo`: three providers, their affiliates and PES models, a user per role."""

from io import StringIO

import pytest
from allauth.mfa.models import Authenticator
from django.core.cache import cache
from django.core.management import CommandError, call_command

from compliance.models import (
    Affiliate,
    AuditEvent,
    PESModel,
    Provider,
    ProviderStatusChange,
    Role,
    User,
)
from compliance.models.register import PESKind, Relationship


@pytest.fixture(autouse=True)
def demo_mode(settings):
    """The demo is `make run`'s (DEBUG=true)."""
    settings.DEBUG = True


def seed():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def counts():
    return {model.__name__: model.objects.count()
            for model in (Provider, Affiliate, PESModel, User, ProviderStatusChange, AuditEvent)}


@pytest.fixture
def seeded(db):
    return seed()


def test_it_makes_three_providers(seeded):
    assert Provider.objects.count() == 3


def test_it_gives_each_provider_every_relationship(seeded):
    for provider in Provider.objects.all():
        relationships = set(provider.affiliates.values_list("relationship", flat=True))
        assert relationships == set(Relationship.values), provider


def test_it_gives_each_provider_both_kinds_of_pes_model(seeded):
    for provider in Provider.objects.all():
        assert set(provider.pes_models.values_list("kind", flat=True)) == set(PESKind.values)


def test_it_makes_a_user_for_every_role(seeded):
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)


def test_it_prints_the_demo_sign_ins_that_work_with_the_demo_second_factor(seeded, client,
                                                                            settings):
    from accounts.management.commands.demo_sign_in import DEMO_TOTP_SECRET, demo_code
    from compliance.management.commands.seed_demo import DEMO_PASSWORD

    settings.DEBUG = True
    settings.MFA_REQUIRED_ROLES = ["usps_manager", "usps_reviewer", "provider_officer"]
    out = StringIO()
    call_command("demo_sign_in", stdout=out)
    assert DEMO_TOTP_SECRET in out.getvalue()
    assert f"code: {demo_code()}" in out.getvalue()
    assert "wait for the next one" in out.getvalue()  # why the same code fails twice
    assert DEMO_PASSWORD in seeded
    for user in User.objects.all():
        assert user.username in seeded
        client.post("/accounts/login/", {"login": user.username, "password": DEMO_PASSWORD})
        response = client.post("/accounts/2fa/authenticate/", {"code": demo_code()})
        assert response.status_code == 302, user
        assert client.get("/").status_code == 200, user
        client.post("/accounts/logout/")
        cache.clear()  # the same code again, for the next person: not a replay


def test_it_gives_the_demo_second_factor_only_when_debug_is_on(seeded, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("demo_sign_in", stdout=StringIO())
    assert not Authenticator.objects.exists()


def test_it_is_idempotent(seeded):
    before = counts()

    seed()

    assert counts() == before


def test_it_writes_the_register_through_audited_services(seeded):
    affiliates_created = AuditEvent.objects.filter(action="affiliate.created").count()
    assert affiliates_created == Affiliate.objects.count()
    assert AuditEvent.objects.filter(action="provider.created").count() == 3


def test_it_puts_provider_staff_on_a_provider_and_usps_staff_on_none(seeded):
    for user in User.objects.all():
        assert (user.provider_id is None) == user.is_usps, user


def test_it_refuses_to_run_on_a_deployment_and_makes_no_one(db, settings):
    """Its sign-ins' password is published: with DEBUG off (a deployment) nothing is made,
    no USPS manager anyone could sign in as."""
    settings.DEBUG = False
    before = counts()

    with pytest.raises(CommandError, match="DEBUG=true"):
        seed()

    assert counts() == before and not User.objects.filter(username="manager.usps").exists()


def test_seed_demo_runs_again_after_a_demo_provider_is_renamed(db, settings):
    """`make run` again after the demo's USPS manager renamed a demo provider: the provider
    is found by its authorization number, not registered again (which stopped the seed)."""
    from compliance import services
    from compliance.models import Provider, User

    settings.DEBUG = True
    call_command("seed_demo")
    services.update_provider(actor=User.objects.get(username="manager.usps"),
                             provider=Provider.objects.get(name="Meridian Postage Systems"),
                             name="Meridian Postage Systems Inc.")

    call_command("seed_demo")  # `make run` again

    assert Provider.objects.filter(authorization_number="USPS-PES-0101").count() == 1
    assert Provider.objects.count() == 3
