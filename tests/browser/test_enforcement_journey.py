"""From a missed written report to a suspension, its defense and its appeal, in Chromium:
the USPS manager reads the provider's compliance record, opens a suspension proceeding
citing the missed duty, the officer answers, the suspension is noticed and takes effect
(the officer's pages carry the banner), the officer defends, USPS decides a suspension,
the officer appeals and USPS decides the appeal."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from compliance.models import Proceeding, ProviderStatusChange
from notifications.sweep import sweep
from tests.reports.factories import case_under_review, written_duty

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def missed_report(officer_a):
    """A case triaged three weeks ago whose written report (due a week later) was missed."""
    now = timezone.now()
    case = case_under_review(officer_a, at=now - timedelta(days=21), risk="high",
                             written_due=timedelta(days=7))
    with time_machine.travel(now - timedelta(days=13), tick=False):
        sweep()
    duty = written_duty(case)
    assert duty.state == "missed"
    return case, duty


def as_user(page, sign_in, user):
    """Sign whoever is signed in out, and `user` in."""
    if page.get_by_role("button", name="Sign out").count():
        page.get_by_role("button", name="Sign out").click()
        page.wait_for_load_state("networkidle")
    return sign_in(user)


def file_step(page, kind, body, **fields):
    form = page.get_by_test_id("step-form")
    form.locator("#step_kind").select_option(kind)
    form.locator("#step_body").fill(body)
    for name, value in fields.items():
        control = form.locator(f"#step_{name}")
        if name == "outcome":
            control.select_option(value)
        else:
            control.fill(value)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert "filed as step" in page.locator(".messages").inner_text()


def test_a_missed_report_leads_to_a_suspension_defended_and_appealed(
        page, sign_in, manager, officer_a, provider_a, missed_report):
    case, duty = missed_report
    today = timezone.localdate(timezone=ZoneInfo(provider_a.timezone)).isoformat()

    # The manager reads the record: one written report missed, the list one click away.
    as_user(page, sign_in, manager)
    page.goto(f"/providers/{provider_a.pk}/compliance-record/")
    missed = page.get_by_test_id("record-clauses").locator(
        "tr[data-kind=written_report] td").nth(4)
    assert missed.inner_text() == "1"
    missed.locator("a").click()
    assert case.reference in page.get_by_test_id("record-duties").inner_text()
    page.go_back()

    # ... and opens a suspension proceeding citing the missed duty and its case.
    page.get_by_test_id("open-proceeding").click()
    form = page.get_by_test_id("proceeding-form")
    form.get_by_label("Suspension (§ 501.6)").check()
    form.locator("#id_grounds").fill("The written report was not filed by its deadline.")
    form.locator(f"input[name=obligations][value='{duty.pk}']").check()
    form.locator(f"input[name=incidents][value='{case.pk}']").check()
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    proceeding = Proceeding.objects.get()
    assert proceeding.reference in page.locator("h1").inner_text()
    assert case.reference in page.get_by_test_id("evidence").inner_text()

    # The officer answers within the period to correct.
    as_user(page, sign_in, officer_a)
    page.goto(f"/proceedings/{proceeding.pk}/")
    file_step(page, "correction", "The written report is now filed; see the case.")

    # USPS notices the suspension, effective today: it takes effect at once.
    as_user(page, sign_in, manager)
    page.goto(f"/proceedings/{proceeding.pk}/")
    file_step(page, "suspension_notice", "Approval is suspended.", effective_date=today)
    assert page.get_by_test_id("authorization-status").inner_text() == "Suspended"

    # The officer sees the banner on every page, can still file, and defends.
    as_user(page, sign_in, officer_a)
    assert "authorization is suspended" in page.get_by_test_id(
        "authorization-banner").inner_text()
    page.goto("/incidents/new/")
    assert page.get_by_test_id("authorization-banner").count() == 1
    page.goto(f"/proceedings/{proceeding.pk}/")
    file_step(page, "defense", "The delay came from a lab outage; see the attached log.")

    # USPS decides: a suspension of 90 days.
    as_user(page, sign_in, manager)
    page.goto(f"/proceedings/{proceeding.pk}/")
    file_step(page, "decision", "Suspended for 90 days.", outcome="suspend")
    assert "90 days" in page.get_by_test_id("suspension-ends").inner_text()

    # The officer appeals within 30 days; USPS affirms.
    as_user(page, sign_in, officer_a)
    page.goto(f"/proceedings/{proceeding.pk}/")
    file_step(page, "appeal", "We ask that the suspension be lifted.")
    as_user(page, sign_in, manager)
    page.goto(f"/proceedings/{proceeding.pk}/")
    file_step(page, "appeal_decision", "The decision stands.", outcome="affirm")

    proceeding.refresh_from_db()
    provider_a.refresh_from_db()
    assert proceeding.state == "appeal_decided"
    assert provider_a.authorization_status == "suspended"
    assert [s.kind for s in proceeding.steps.order_by("number")] == [
        "proposal", "correction", "suspension_notice", "defense", "decision", "appeal",
        "appeal_decision"]
    assert ProviderStatusChange.objects.filter(provider=provider_a,
                                               to_status="suspended").count() == 1
    assert page.get_by_test_id("step").count() == 7
