"""What the pages' scripts write, and what is left when scripts do not run."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import PASSWORD
from tests.incidents.factories import make_filed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page_without_js(browser, live_server):
    context = browser.new_context(base_url=live_server.url, timezone_id="America/New_York",
                                  java_script_enabled=False)
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def test_without_scripts_the_report_form_offers_no_button_that_does_nothing(
        page_without_js, officer_a):
    """'Add another risk statement' works only with its script: without it, it is not
    offered, and the form says how to add another statement."""
    page = page_without_js
    page.goto("/accounts/login/")
    page.fill("#id_login", officer_a.username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.goto("/incidents/new/")

    assert page.locator("[data-add-risk]").count() == 1
    assert not page.locator("[data-add-risk]").is_visible()
    assert "To add another risk statement, save the draft" in page.content()


def test_with_scripts_the_button_adds_a_row(page, sign_in, officer_a):
    sign_in(officer_a)
    page.goto("/incidents/new/")
    page.select_option("[name=category]", "cyber_attack")
    rows = page.locator("[data-risk-rows] .risk-row")
    before = rows.count()

    page.locator("[data-add-risk]").click()

    assert rows.count() == before + 1


def test_the_inbox_keeps_saying_past_target_for_a_usps_target(page, sign_in, officer_a,
                                                              reviewer):
    """The countdown keeps the server's words: a USPS target that passed is 'past target'
    (as the case page and the e-mails say), not 'overdue', a provider's word."""
    make_filed(officer_a, at=timezone.now() - timedelta(days=10), title="Seal lifts on M-1")
    sign_in(reviewer)
    page.goto("/")
    cell = page.locator("[data-testid=inbox-items] tbody tr [data-deadline]").first
    page.wait_for_timeout(1500)  # the countdown has ticked

    assert "past target" in cell.inner_text()
