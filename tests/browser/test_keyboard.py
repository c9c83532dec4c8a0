"""Keyboard and screen-reader journeys: after a failed submission the page puts the reader on
a summary of its errors, forms posting to a place on the page included, and each field's
error is its accessible description."""

import re

import pytest
from django.utils import timezone

from accounts.services.invitations import invite_user
from compliance.enforcement.services import open_proceeding
from tests.reports.factories import case_under_review, waiting_on_usps, written_duty

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return "the page itself (nothing focused)";
  return el.tagName + (el.className ? "." + el.className : "") + (el.id ? "#" + el.id : "");
}"""

# Every aria-describedby id that names no element on the page.
DANGLING_DESCRIPTIONS = """() => {
  const out = [];
  document.querySelectorAll("[aria-describedby]").forEach(el => {
    el.getAttribute("aria-describedby").split(/\\s+/).forEach(id => {
      if (id && !document.getElementById(id)) out.push(el.id + " -> " + id);
    });
  });
  return out;
}"""


def press_enter_on(page, selector):
    """Reach the control and press Enter, as a keyboard user does; wait for the answer."""
    page.focus(selector)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)  # whatever the browser does after load has happened


@pytest.fixture
def items(settings, tmp_path, officer_a):
    settings.MEDIA_ROOT = tmp_path
    return waiting_on_usps(officer_a, at=timezone.now())


# Forms that post to a place on the page (action="#ask", "#decide", "…#return"): the
# browser's move to that place, whose target cannot take focus, must not take the focus
# away from the error summary.

def test_a_failed_extension_request_puts_focus_on_its_error_summary(page, sign_in,
                                                                      officer_a):
    duty = written_duty(case_under_review(officer_a))
    sign_in(officer_a)
    page.goto(f"/obligations/{duty.pk}/")
    page.fill("#ask_requested_due_at", "2020-01-01T10:00")  # before the current due time
    page.fill("#ask_justification", "The lab is booked.")
    press_enter_on(page, "[data-testid=extension-form] button[type=submit]")

    assert page.get_by_test_id("error-summary").is_visible()
    assert page.evaluate(FOCUSED) == "DIV.error-summary"


def test_a_failed_extension_decision_puts_focus_on_its_error_summary(page, sign_in,
                                                                       reviewer, items):
    sign_in(reviewer)
    page.goto(f"/obligations/{items['extension'].obligation_id}/")
    press_enter_on(page, "[data-testid=decision-form] button[value=deny]")  # no comment

    assert "Say why the extension is denied" in page.get_by_test_id("error-summary").inner_text()
    assert page.evaluate(FOCUSED) == "DIV.error-summary"


def test_a_report_returned_without_a_comment_puts_focus_on_its_error_summary(
        page, sign_in, reviewer, items):
    sign_in(reviewer)
    page.goto(f"/reports/{items['report'].pk}/")
    press_enter_on(page, "[data-testid=return-form] button[type=submit]")  # no comment

    assert page.get_by_test_id("error-summary").is_visible()
    assert page.evaluate(FOCUSED) == "DIV.error-summary"


# The deadline policy page: a refused save comes back with the summary, which takes focus.

def test_a_refused_deadline_policy_save_gives_a_focused_error_summary(page, sign_in,
                                                                       manager):
    sign_in(manager)
    page.goto("/notifications/policy/")
    page.fill("#id_offsets__notification", "12, four, 1")  # a typo a manager makes
    page.fill("#id_note", "Remind earlier.")
    press_enter_on(page, "[data-testid=policy-form] button[type=submit]")

    error = page.locator(".field-error", has_text="is not a number of hours")
    assert error.count() == 1
    summary = page.get_by_test_id("error-summary")
    assert summary.count() == 1
    assert page.evaluate(FOCUSED) == "DIV.error-summary"
    assert summary.locator("a[href='#id_offsets__notification']").count() == 1


# A field's error is its description: Django 5.2 points aria-describedby at "<id>_error",
# the id includes/field.html gives the errors, so a screen reader following the summary's
# link to the field hears why it is invalid.

def test_a_fields_error_is_its_accessible_description(page, sign_in, officer_a, manager,
                                                      provider_a):
    proceeding = open_proceeding(actor=manager, provider=provider_a, kind="sanction",
                                 grounds="Recover the lost revenue.", sanction="Pay.")
    sign_in(officer_a)
    page.goto(f"/proceedings/{proceeding.pk}/")
    press_enter_on(page, "[data-testid=step-form] button[type=submit]")  # no text

    assert page.get_by_test_id("error-summary").is_visible()
    assert page.get_attribute("#step_body", "aria-invalid") == "true"
    assert page.evaluate(DANGLING_DESCRIPTIONS) == []


# Enrolling the authenticator app: a wrong code comes back with the summary, which takes
# focus.

def test_a_wrong_code_when_enrolling_the_authenticator_puts_focus_on_the_error(
        page, officer_a, settings):
    settings.MFA_REQUIRED_ROLES = ["usps_manager", "usps_reviewer", "provider_officer"]
    _, link = invite_user(actor=officer_a, email="nina@alpha.example",
                          role="provider_officer", provider_id=officer_a.provider_id)
    page.goto(re.search(r"(/accounts/invitation/\S+/)", link).group(1))
    page.fill("#id_password1", "violet-harbour-lantern-42")
    page.fill("#id_password2", "violet-harbour-lantern-42")
    press_enter_on(page, "#id_password2")
    assert page.url.endswith("/accounts/2fa/totp/activate/")
    page.fill("#id_code", "000000")
    press_enter_on(page, "#id_code")

    assert "Incorrect code" in page.content()
    assert page.evaluate(FOCUSED) in ("DIV.error-summary", "INPUT#id_code")


def test_a_refusal_given_as_a_page_message_is_an_alert_that_takes_focus(page, sign_in,
                                                                        manager, officer_a):
    """The undelivered e-mails page sent with nothing ticked: the refusal is a message at
    the page's top, not a form's error summary; a screen reader hears it all the same."""
    from notifications import services
    from notifications.models import EmailState, OutboundEmail
    from tests.incidents.factories import make_filed

    make_filed(officer_a)
    OutboundEmail.objects.update(state=EmailState.FAILED, attempts=services.MAX_ATTEMPTS,
                                 next_attempt_at=timezone.now())
    sign_in(manager)
    page.goto("/notifications/failed/")

    press_enter_on(page, "button[value=resend]")  # nothing ticked

    alert = page.get_by_test_id("message-errors")
    assert alert.get_attribute("role") == "alert"
    assert "Tick the e-mails to act on." in alert.inner_text()
    assert page.evaluate(FOCUSED) == "DIV.error-summary"
