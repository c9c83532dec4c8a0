"""A whole case in Chromium: triage, a returned and corrected written report, a status
report, a final summary, acceptance, and the case closed with its timeline."""

from datetime import timedelta

import pytest
from django.utils import timezone

from compliance.models import Obligation, ObligationState
from incidents.models import Incident, IncidentStatus
from tests.factories import PASSWORD
from tests.incidents.factories import make_filed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def people(browser, live_server):
    """One signed-in browser page per person, as two people at two desks."""
    contexts = []

    def as_user(user):
        context = browser.new_context(base_url=live_server.url, timezone_id="America/New_York")
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.goto("/accounts/login/")
        page.fill("#id_login", user.username)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url("**/")
        return page

    yield as_user
    for context in contexts:
        context.close()


def file_report(page, **fields):
    for name, value in fields.items():
        page.fill(f"[name={name}]", value)
    page.get_by_test_id("file-report").click()
    page.get_by_test_id("report-state").wait_for()


def test_a_case_runs_from_triage_to_closed_in_the_browser(people, officer_a, reviewer):
    incident = make_filed(officer_a, title="Reset replay on Meter M-1")
    completion = (timezone.now() + timedelta(days=60)).date().isoformat()
    usps = people(reviewer)
    officer = people(officer_a)

    # The reviewer finds the new filing at the top of the queue and triages it.
    usps.goto("/incidents/queue/")
    usps.click(f"text={incident.reference}")
    usps.select_option("[data-testid=triage-form] [name=revenue_risk]", "high")
    usps.fill("[data-testid=triage-form] [name=rationale]", "Forged resets reach the CMRS.")
    usps.click("[data-testid=triage-form] button[type=submit]")
    assert "Under review" in usps.content()

    # The officer files the written report.
    officer.goto(f"/incidents/{incident.pk}/")
    officer.get_by_test_id("file-written").click()
    file_report(officer, circumstances="A forged reset was accepted.",
                investigative_procedure="Replay on the test bench.",
                anticipated_completion_date=completion)
    assert officer.get_by_test_id("report-state").inner_text() == "Submitted"
    report_url = officer.url

    # The reviewer returns it with a comment.
    usps.goto(report_url)
    usps.fill("[data-testid=return-form] [name=comment]", "Name the firmware versions.")
    usps.click("[data-testid=return-form] button[type=submit]")
    assert usps.get_by_test_id("report-state").inner_text() == "Returned"

    # The officer files a corrected version; the reviewer accepts it.
    officer.goto(f"/incidents/{incident.pk}/")
    officer.get_by_test_id("file-written").click()
    file_report(officer, circumstances="A forged reset was accepted by firmware 4.2.")
    assert officer.get_by_test_id("report-state").inner_text() == "Submitted"
    assert officer.locator("[data-testid=report-version]").count() == 2
    usps.goto(report_url)
    usps.click("[data-testid=accept-form] button[type=submit]")
    assert usps.get_by_test_id("report-state").inner_text() == "Accepted"

    # A status report, then the final summary, which the reviewer accepts.
    officer.goto(f"/incidents/{incident.pk}/")
    officer.get_by_test_id("file-status").click()
    file_report(officer, progress="Root cause isolated in the reset handler.",
                anticipated_completion_date=completion)
    officer.goto(f"/incidents/{incident.pk}/")
    officer.get_by_test_id("file-final").click()
    file_report(officer, findings="The reset handler skips the register check.",
                root_cause="An uninitialised flag in firmware 4.2.",
                corrective_actions="Firmware 4.3 pushed to every meter.")
    usps.goto(officer.url)
    usps.click("[data-testid=accept-form] button[type=submit]")
    assert usps.get_by_test_id("report-state").inner_text() == "Accepted"

    # The case shows closed, with its whole timeline, on both sides.
    officer.goto(f"/incidents/{incident.pk}/")
    assert "Closed" in officer.locator("body").inner_text()
    timeline = officer.get_by_test_id("timeline").inner_text()
    for entry in ("Incident submitted", "Incident triaged", "Report submitted",
                  "Report returned", "Report accepted", "Status report", "Final summary",
                  "Incident closed", "Obligation closed"):
        assert entry in timeline, entry
    usps.goto(f"/incidents/{incident.pk}/")
    assert "Incident closed" in usps.get_by_test_id("timeline").inner_text()
    import os
    if os.environ.get("SCREENSHOTS"):
        officer.screenshot(path="/tmp/journey-officer.png", full_page=True)
        usps.screenshot(path="/tmp/journey-usps.png", full_page=True)
    assert "Forged resets reach the CMRS." not in officer.content()  # USPS-internal rationale
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.CLOSED
    owed = Obligation.objects.filter(incident_id=incident.pk,
                                     state__in=[ObligationState.OPEN, ObligationState.MISSED])
    assert not owed.provider_duties().exists()
    # The status report was never reviewed: it still waits on USPS, in USPS's inbox.
    assert [t.subject for t in owed.usps_targets()] == [
        f"Status report {incident.reference}-SR1 v1"]
    assert Incident.objects.get(pk=incident.pk).closed_at is not None
