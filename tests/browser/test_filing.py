"""An officer files a cyber-attack notification in Chromium and keeps the receipt."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from compliance.models import Obligation, ObligationState
from incidents.models import Incident
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_files_a_cyber_attack_notification_and_sees_the_receipt(
        page, sign_in, officer_a, provider_a):
    factories.PESModelFactory(provider=provider_a, name="Alpha Web Postage", kind="pc_postage")
    factories.PESModelFactory(provider=factories.ProviderFactory(), name="Rival meter")
    discovered = (timezone.now() - timedelta(hours=2)).astimezone(ZoneInfo("America/New_York"))
    sign_in(officer_a)

    page.click("text=Report a discovery")
    page.wait_for_load_state("networkidle")  # the form's script is loaded
    page.select_option("[name=category]", "cyber_attack")
    risk_rows = page.locator("[data-risk-statements]")
    assert risk_rows.is_visible()
    assert page.locator("[name=subtype] option[value=equipment_defect]").is_disabled()
    page.select_option("[name=subtype]", "unauthorized_access")
    page.fill("[name=title]", "Credential stuffing against the postage portal")
    page.fill("[name=description]", "Repeated sign-in attempts from a botnet; 3 accounts taken.")
    assert page.locator("[name=discovery_timezone]").input_value() == "America/New_York"
    page.fill("[name=discovered_at]", discovered.strftime("%Y-%m-%dT%H:%M"))
    due_local = (discovered + timedelta(hours=24)).strftime("%-I:%M")
    assert due_local in page.locator("[data-due-text]").inner_text()
    page.fill("[name=discovered_by_name]", "Dana Analyst")
    assert page.locator("[name='risk-0-pes_model'] option", has_text="Rival meter").count() == 0
    page.select_option("[name='risk-0-pes_model']", label="Alpha Web Postage")
    page.fill("[name='risk-0-nature_of_risk']", "Stolen credentials allow postage purchases.")
    page.fill("[name='risk-0-effect_on_pes']", "Postage printed against victims' accounts.")
    page.click("button:has-text('Save as draft')")

    page.get_by_test_id("go-submit").click()
    page.get_by_test_id("submit-notification").click()

    receipt = page.get_by_test_id("receipt")
    reference = page.get_by_test_id("receipt-reference").inner_text()
    assert re.fullmatch(rf"PES-{timezone.now().year}-\d{{5}}", reference)
    assert re.search(r"[0-9a-f]{64}", receipt.inner_text())
    incident = Incident.objects.get(reference=reference)
    assert incident.category == "cyber_attack" and incident.provider == provider_a
    statement = incident.risk_statements.get()
    assert statement.pes_model.name == "Alpha Web Postage"
    assert not incident.is_late
    notification = Obligation.objects.get(incident_id=incident.pk, kind="notification")
    assert notification.state == ObligationState.MET


def test_the_due_time_shown_follows_the_choice_of_a_repeated_local_time(
        page, sign_in, officer_a, provider_a):
    """01:30 on 1 November 2026 happened twice in New York: 24 hours after the first is
    00:30 EST, after the second 01:30 EST, as the server computes it."""
    factories.PESModelFactory(provider=provider_a)
    sign_in(officer_a)
    page.click("text=Report a discovery")
    page.wait_for_load_state("networkidle")

    page.select_option("[name=discovery_timezone]", "America/New_York")
    page.fill("[name=discovered_at]", "2026-11-01T01:30")
    first = page.locator("[data-due-text]").inner_text()
    page.select_option("[name=discovered_at_fold]", "later")
    second = page.locator("[data-due-text]").inner_text()

    assert "12:30 AM EST" in first and "5:30 AM UTC" in first
    assert "1:30 AM EST" in second and "6:30 AM UTC" in second
