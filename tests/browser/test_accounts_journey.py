"""In Chromium: an officer invites a colleague, who makes an account, enrols an authenticator
app, signs out and back in with a code; an attacker guessing the password is locked out."""

import re

import pytest

from notifications.models import OutboundEmail
from tests.browser.conftest import answer_second_factor
from tests.factories import enrol_totp, totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "violet-harbour-lantern-42"


@pytest.fixture
def new_page(browser, live_server):
    contexts = []

    def make():
        context = browser.new_context(base_url=live_server.url, timezone_id="America/Chicago")
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.csp_errors = []
        page.on("console", lambda m: "Content Security Policy" in m.text
                and page.csp_errors.append(m.text))
        return page

    yield make
    for context in contexts:
        context.close()


def test_an_invited_officer_joins_enrols_and_signs_back_in_while_an_attacker_is_locked_out(
        new_page, sign_in, page, officer_a, settings, live_server):
    settings.MFA_REQUIRED_ROLES = ["usps_manager", "usps_reviewer", "provider_officer"]
    secret = enrol_totp(officer_a)

    # The officer invites a colleague.
    sign_in(officer_a, secret=secret)
    page.get_by_test_id("nav-people").click()
    page.get_by_test_id("invite-link").click()
    page.fill("#id_email", "nina@alpha.example")
    page.fill("#id_first_name", "Nina")
    page.select_option("#id_role", "provider_officer")
    page.click("main button[type=submit]")
    assert "Invitation sent to nina@alpha.example" in page.content()
    body = OutboundEmail.objects.get(template="invitation").rendered.body_text
    link = re.search(r"https?://\S+(/accounts/invitation/\S+/)", body).group(1)

    # The colleague makes an account and is sent to enrol a second factor first.
    nina = new_page()
    nina.goto(link)
    assert "Alpha Postage" in nina.content()
    nina.fill("#id_username", "nina")
    nina.fill("#id_password1", PASSWORD)
    nina.fill("#id_password2", PASSWORD)
    nina.click("main button[type=submit]")
    nina.wait_for_url("**/accounts/2fa/totp/activate/")
    nina.goto("/incidents/")
    assert nina.url.endswith("/accounts/2fa/totp/activate/")
    nina_secret = nina.input_value("#authenticator_secret")
    nina.fill("#id_code", totp_code(nina_secret))
    nina.click("main button[type=submit]")
    nina.wait_for_load_state("networkidle")
    assert "recovery" in nina.content().lower()

    # Signed out, then back in with a code.
    nina.goto("/")
    nina.click("text=Sign out")
    nina.wait_for_url("**/accounts/login/")
    nina.fill("#id_login", "nina")
    nina.fill("#id_password", PASSWORD)
    nina.click("main button[type=submit]")
    nina.wait_for_url("**/accounts/2fa/authenticate/")
    answer_second_factor(nina, nina_secret)
    assert "Nina" in nina.get_by_test_id("whoami").inner_text()
    assert "Alpha Postage" in nina.get_by_test_id("whoami").inner_text()

    # An attacker guesses; after five failures even the right password is refused.
    attacker = new_page()
    for guess in ["123456", "password", "alpha2026", "nina2026", "letmein!"]:
        attacker.goto("/accounts/login/")
        attacker.fill("#id_login", "nina")
        attacker.fill("#id_password", guess)
        attacker.click("main button[type=submit]")
    attacker.goto("/accounts/login/")
    attacker.fill("#id_login", "nina")
    attacker.fill("#id_password", PASSWORD)
    attacker.click("main button[type=submit]")
    refusal = attacker.get_by_test_id("sign-in-refused").inner_text()
    assert "Too many failed sign-ins" in refusal
    assert "/accounts/2fa/authenticate/" not in attacker.url
    attacker.goto("/")
    assert "/accounts/login/" in attacker.url

    assert nina.csp_errors == [] and attacker.csp_errors == []
