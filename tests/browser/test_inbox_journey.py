"""A reviewer works the inbox to empty in Chromium: triages a filing, accepts a report,
decides an extension and reviews procedures, each from "Waiting on USPS"."""

import pytest
from django.utils import timezone

from compliance.models import Obligation, ObligationState
from tests.reports.factories import waiting_on_usps

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_item(page, label):
    """From the home page, follow the inbox's link for the item `label` (its kind)."""
    page.goto("/")
    page.get_by_test_id("inbox-items").get_by_role("link", name=label).click()


def test_a_reviewer_works_the_inbox_to_empty(page, sign_in, settings, tmp_path, officer_a,
                                             reviewer):
    settings.MEDIA_ROOT = tmp_path
    items = waiting_on_usps(officer_a, at=timezone.now())
    sign_in(reviewer)

    assert page.locator("h1").first.inner_text().startswith("Waiting on USPS")
    assert page.get_by_test_id("nav-inbox").locator(".count").first.inner_text() == "4"
    assert page.get_by_test_id("inbox-items").locator("tbody tr").count() == 4

    # Triage the filing: the inbox link lands on the triage form.
    open_item(page, "Triage a filing")
    assert page.url.endswith("#review")
    form = page.get_by_test_id("triage-form")
    form.locator("[name=revenue_risk]").select_option("moderate")
    form.locator("[name=rationale]").fill("A lab finding; no field reports yet.")
    form.locator("button[type=submit]").click()
    assert "Under review" in page.locator("main").inner_text()

    # Accept the written report.
    open_item(page, "Review a report")
    page.get_by_test_id("accept-form").locator("button[type=submit]").click()
    assert page.get_by_test_id("report-state").inner_text() == "Accepted"

    # Decide the extension: granted, to a time USPS chooses.
    open_item(page, "Decide an extension")
    decision = page.get_by_test_id("decision-form")
    decision.locator("[name=comment]").fill("Granted; the lab slot is confirmed.")
    decision.get_by_role("button", name="Grant").click()
    assert "Extension granted" in page.locator(".messages").inner_text()

    # Review the procedures: nothing is preselected, the reviewer chooses.
    open_item(page, "Review procedures")
    review = page.get_by_test_id("procedures-review-form")
    assert not review.get_by_label("Accept this version").is_checked()
    review.get_by_label("Accept this version").check()
    review.locator("button[type=submit]").click()
    assert page.get_by_test_id("review-state").inner_text() == "Accepted"

    # The inbox is empty, and so are its counts.
    page.goto("/")
    assert "Nothing waits on USPS" in page.get_by_test_id("inbox-items").inner_text()
    assert page.get_by_test_id("nav-inbox").locator(".count").first.inner_text() == "0"

    targets = Obligation.objects.usps_targets()
    assert not targets.outstanding().exists()
    assert {t.state for t in targets} == {ObligationState.MET}
    items["extension"].refresh_from_db()
    assert items["extension"].state == "granted"
