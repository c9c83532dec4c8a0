"""What the pages' scripts write, and what is left when scripts do not run."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from incidents.models import Incident
from tests import factories
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


def test_the_due_time_previewed_in_vancouver_is_the_one_the_draft_records(
        page, sign_in, officer_a, provider_a):
    """Since 1 November 2026 British Columbia keeps -07 all year (IANA tzdata 2026a and
    later; Chromium's ICU has it). A discovery at 09:00 yesterday in Vancouver: the form
    says the notification is due at 16:00 UTC today; the saved draft must record that."""
    factories.PESModelFactory(provider=provider_a)
    yesterday = (timezone.now() - timedelta(days=1)).date()
    sign_in(officer_a)
    page.goto("/incidents/new/")
    page.wait_for_load_state("networkidle")
    page.select_option("[name=category]", "security_weakness")
    page.select_option("[name=subtype]", "equipment_defect")
    page.fill("[name=title]", "Seal lifts")
    page.fill("[name=discovered_by_name]", "Dana")
    page.locator("[name=pes_models]").first.check()
    page.select_option("[name=discovery_timezone]", "America/Vancouver")
    page.fill("[name=discovered_at]", f"{yesterday.isoformat()}T09:00")
    preview = page.locator("[data-due-text]").inner_text()
    page.click("button:has-text('Save as draft')")
    page.wait_for_url(re.compile(r"/incidents/\d+/$"))

    recorded = Incident.objects.get().notification_due_at.astimezone(UTC)
    assert f"{recorded:%-I:%M %p} UTC" in preview, (preview, recorded)


def test_the_countdown_keeps_the_due_times_last_second_in_time(page, sign_in, officer_a):
    """The server holds a due time to the whole second: all of its last second is still in
    time (compliance.deadlines.is_late). The countdown must not say "overdue" meanwhile."""
    from tests.incidents.factories import make_draft

    due = (timezone.now() + timedelta(seconds=4)).replace(microsecond=0)
    make_draft(officer_a, discovered_at=due - timedelta(hours=24))
    sign_in(officer_a)
    page.goto("/incidents/")
    page.goto(f"/incidents/{Incident.objects.get().pk}/")
    # The moment the countdown first says "overdue", read in the page itself.
    turned = page.evaluate("""() => new Promise(resolve => {
      const el = document.querySelector("p.notice [data-deadline]");
      new MutationObserver(() => {
        if (el.textContent.includes("overdue")) resolve(Date.now());
      }).observe(el, {childList: true, characterData: true, subtree: true});
    })""")
    # The server counts the whole of the due time's last second in time: a filing at
    # due + 0.999 s is on time (compliance.deadlines.is_late).
    from compliance.deadlines import is_late
    assert not is_late(due, due + timedelta(milliseconds=999))
    shown_late_at = datetime.fromtimestamp(turned / 1000, UTC)
    assert shown_late_at >= due + timedelta(seconds=1), (
        f"'overdue' shown {(shown_late_at - due).total_seconds():.3f} s after the due time")
