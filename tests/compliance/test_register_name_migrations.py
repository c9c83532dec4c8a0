"""The data migrations that put register names in one form (0026: NFC; 0028: one line,
no invisible characters) and the subjects written with a provider's name: the procedures
duty reads the name as it now stands, and a later rename of the provider still reaches
it (obligation pages, reminder e-mails, calendar feed)."""

import unicodedata
from importlib import import_module

import pytest
from django.apps import apps

from compliance import services
from compliance.models import Obligation, ObligationKind, Provider
from compliance.services.procedures import procedures_subject

pytestmark = pytest.mark.django_db

COMPOSED = "Société Postale"
DECOMPOSED = unicodedata.normalize("NFD", COMPOSED)


def _legacy_provider(manager, stored_name):
    """A provider registered before names were kept in one form: its name, and its
    procedures duty's subject, as they were stored then."""
    provider = services.create_provider(actor=manager, name="placeholder")
    Provider.objects.filter(pk=provider.pk).update(name=stored_name)
    duty = Obligation.objects.get(provider=provider, kind=ObligationKind.PROCEDURES)
    Obligation.objects.filter(pk=duty.pk).update(subject=procedures_subject(stored_name))
    return provider, duty


def test_0026_then_0028_leave_the_procedures_duty_subject_with_the_providers_name(manager):
    provider, duty = _legacy_provider(manager, DECOMPOSED)

    import_module("compliance.migrations.0026_register_names_nfc").names_in_one_form(apps, None)
    import_module("compliance.migrations.0028_register_names_one_line").names_on_one_line(
        apps, None)

    provider.refresh_from_db()
    assert provider.name == COMPOSED
    duty.refresh_from_db()
    assert duty.subject == procedures_subject(provider.name)


def test_a_rename_after_0026_still_renames_the_procedures_duty(manager):
    provider, duty = _legacy_provider(manager, DECOMPOSED)
    import_module("compliance.migrations.0026_register_names_nfc").names_in_one_form(apps, None)

    services.update_provider(actor=manager, provider=Provider.objects.get(pk=provider.pk),
                             name="Bistro Postage")

    duty.refresh_from_db()
    assert duty.subject == "Internal reporting procedures of Bistro Postage"


def test_a_rename_after_0028_still_renames_the_procedures_duty(manager):
    provider, duty = _legacy_provider(manager, "Acme\r\nPostage")
    import_module("compliance.migrations.0028_register_names_one_line").names_on_one_line(
        apps, None)
    assert Provider.objects.get(pk=provider.pk).name == "Acme Postage"

    services.update_provider(actor=manager, provider=Provider.objects.get(pk=provider.pk),
                             name="Bistro Postage")

    duty.refresh_from_db()
    assert duty.subject == "Internal reporting procedures of Bistro Postage"
