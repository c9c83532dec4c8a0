"""A name in the register is taken once (compliance.text.as_name): a name that differs
only by an invisible character (a zero-width space, a word joiner, a direction mark, a
byte-order mark) would be two affiliates that look one in the discovery form's list."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("invisible", ["\u200b", "\u2060", "\u200e", "\ufeff"])
def test_an_affiliate_name_identical_but_for_an_invisible_character_is_refused(
        officer_a, provider_a, api_for, invisible):
    client = api_for(officer_a)
    first = client.post("/api/v1/affiliates/", {"name": "Acme Dealers",
                                                "relationship": "dealer", "country": "US"},
                        format="json")
    assert first.status_code == 201
    second = client.post("/api/v1/affiliates/", {"name": f"Acme{invisible} Dealers",
                                                 "relationship": "dealer", "country": "US"},
                         format="json")

    assert second.status_code == 400, second.json()
    assert "already" in str(second.json())
    assert provider_a.affiliates.count() == 1


def test_names_kept_before_take_one_line_unless_a_twin_has_it(provider_a):
    from importlib import import_module

    from django.apps import apps

    from compliance.models import Affiliate
    from tests import factories

    migration = import_module("compliance.migrations.0028_register_names_one_line")
    old = factories.AffiliateFactory(provider=provider_a, name="x")
    factories.AffiliateFactory(provider=provider_a, name="Acme Dealers")
    twin = factories.AffiliateFactory(provider=provider_a, name="y")
    blank = factories.AffiliateFactory(provider=provider_a, name="z")
    Affiliate.objects.filter(pk=old.pk).update(name="Beta\r\nPostage\u202e")
    Affiliate.objects.filter(pk=twin.pk).update(name="Acme\u200b Dealers")
    Affiliate.objects.filter(pk=blank.pk).update(name="\u200b")

    migration.names_on_one_line(apps, None)

    assert Affiliate.objects.get(pk=old.pk).name == "Beta Postage"
    assert Affiliate.objects.get(pk=twin.pk).name == "Acme\u200b Dealers"  # for a person
    assert Affiliate.objects.get(pk=blank.pk).name == "\u200b"


@pytest.mark.parametrize("twin", ["Acme\u200c Dealers", "Acme \u200dDealers",
                                  "Ac\u200cme Dealers", "Acme\u034f Dealers",
                                  "Acme\ufe0f Dealers", "Acme  Dealers",
                                  "Acme\u00a0Dealers"])
def test_a_joiner_that_joins_nothing_makes_no_twin(officer_a, provider_a, api_for, twin):
    """A joiner beside Latin letters or a space, a combining grapheme joiner, a variation
    selector after a Latin letter, a no-break space or two spaces: the name reads as one
    already taken, and is that name."""
    client = api_for(officer_a)
    first = client.post("/api/v1/affiliates/", {"name": "Acme Dealers",
                                                "relationship": "dealer", "country": "US"},
                        format="json")
    assert first.status_code == 201
    second = client.post("/api/v1/affiliates/", {"name": twin, "relationship": "dealer",
                                                 "country": "US"}, format="json")

    assert second.status_code == 400, second.json()
    assert provider_a.affiliates.count() == 1


@pytest.mark.parametrize("name", [
    "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",  # Persian: a non-joiner within a word
    "\u0915\u094d\u200d\u0937",  # Devanagari: a joiner shaping a half form
])
def test_a_joiner_that_shapes_its_script_is_kept(name):
    from compliance.text import as_name

    assert as_name(name) == name


PARS = "\u067e\u0627\u0631\u0633"  # Persian "Pars"


@pytest.mark.parametrize("value", [PARS + "\u200c\u200c", "\u06a9\u200d\u034fa"])
def test_a_name_read_again_reads_the_same(value):
    from compliance.text import as_name

    once = as_name(value)
    assert as_name(once) == once, (once, as_name(once))


def test_a_lookalike_of_a_name_ending_in_two_non_joiners_is_refused(manager):
    from django.core.exceptions import ValidationError

    from compliance import services

    first = services.create_provider(actor=manager, name=f"Post {PARS}\u200c\u200c")
    # Stored with one trailing non-joiner, which shapes nothing: it looks "Post Pars".
    with pytest.raises(ValidationError):
        services.create_provider(actor=manager, name=f"Post {PARS}")
    assert first.name == f"Post {PARS}"
