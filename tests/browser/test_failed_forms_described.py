"""A field's error is its accessible description (test_keyboard.py says so of every form),
on the forms whose fields are laid out by hand too: aria-describedby names the element
that holds the error, a choice group's inputs are described by it, and the profile's
password change, refused, puts the reader on a focused error summary."""

import re

import pytest
from playwright.sync_api import expect

from tests import factories

from .test_keyboard import DANGLING_DESCRIPTIONS, FOCUSED, press_enter_on

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_filing_form_risk_statement_errors_are_the_fields_descriptions(
        page, sign_in, officer_a, provider_a):
    """The filing form lays out the discovery time and the risk statements by hand: each
    error is still its field's description."""
    factories.PESModelFactory(provider=provider_a, name="Alpha Web Postage")
    sign_in(officer_a)
    page.goto("/incidents/new/")
    page.wait_for_load_state("networkidle")
    page.select_option("[name=category]", "cyber_attack")
    page.fill("[name=title]", "Credential stuffing")
    page.fill("[name=discovered_at]", "2025-03-09T02:30")  # the clocks jumped: no such time
    page.fill("[name='risk-0-nature_of_risk']", "Stolen credentials.")  # no model, no effect
    press_enter_on(page, "[name=title]")

    assert page.get_by_test_id("error-summary").is_visible()
    dangling = page.evaluate(DANGLING_DESCRIPTIONS)
    assert dangling == [], f"aria-describedby names no element: {dangling}"
    expect(page.locator("#id_risk-0-effect_on_pes")).to_have_accessible_description(
        re.compile(r"\S"))


def test_compliance_record_period_error_is_the_fields_description(page, sign_in, officer_a,
                                                                  provider_a):
    """The compliance record's period form: its error is the field's description."""
    sign_in(officer_a)
    page.goto(f"/providers/{provider_a.pk}/compliance-record/?from=2025-02-01&to=2025-01-01")

    assert page.get_attribute("#period_from", "aria-invalid") == "true"
    dangling = page.evaluate(DANGLING_DESCRIPTIONS)
    assert dangling == [], f"aria-describedby names no element: {dangling}"
    expect(page.locator("#period_from")).to_have_accessible_description(
        re.compile("first day before the last"))


def test_a_radio_groups_error_is_the_groups_description(page, sign_in, reviewer, officer_a):
    """A USPS comment sent without choosing who sees it (nothing is preselected): each radio
    of the group is described by the error (so are a procedures review's Decision and a
    proceeding's Kind, through the same template)."""
    from tests.reports.factories import case_under_review

    case = case_under_review(officer_a)
    sign_in(reviewer)
    page.goto(f"/incidents/{case.pk}/")
    page.fill("#comment_body", "Please send the lab's log.")
    press_enter_on(page, "[data-testid=comment-form] button[type=submit]")

    assert page.get_attribute("#comment_visibility_0", "aria-invalid") == "true"
    expect(page.locator("#comment_visibility_0")).to_have_accessible_description(
        re.compile("Choose who sees it"))


def test_a_refused_password_change_puts_focus_on_its_error_summary(page, sign_in, officer_a):
    """Refused (a wrong current password), the profile's password change answers a page with
    a focused error summary, as every other failed form does."""
    sign_in(officer_a)
    page.goto("/profile/")
    page.fill("#id_oldpassword", "not-my-password-42")
    page.fill("#id_password1", "violet-harbour-lantern-42")
    page.fill("#id_password2", "violet-harbour-lantern-42")
    press_enter_on(page, "#id_password2")

    assert "type your current password" in page.content()
    assert page.locator(".error-summary[role=alert]").count() == 1
    assert page.evaluate(FOCUSED) == "DIV.error-summary"
