"""Playwright driving Debian's Chromium against the live test server."""

import os
import shutil

import pytest

from tests.conftest import require_service
from tests.factories import PASSWORD, totp_code

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        require_service(f"Chromium not found at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, timezone_id="America/New_York")
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def sign_in(page):
    """Sign `user` in through the real sign-in form; for a user enrolled with
    `factories.enrol_totp`, pass its `secret` to answer the second-factor page too."""

    def _sign_in(user, password=PASSWORD, secret=None):
        page.goto("/accounts/login/")
        page.fill("#id_login", user.username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        if secret is not None:
            answer_second_factor(page, secret)
        return page

    return _sign_in


def answer_second_factor(page, secret):
    """Type the current code of the authenticator app with `secret`."""
    page.fill("#id_code", totp_code(secret))
    page.click("#mfa-authenticate button[type=submit]")
    page.wait_for_load_state("networkidle")
