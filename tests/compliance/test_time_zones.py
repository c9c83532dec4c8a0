"""One time zone per page (the viewer's, UTC on hover), error messages included; a deadline
"by the end of a day" ends at 23:59:59 of that day in the provider's time zone."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from compliance.models import ObligationKind
from reports import services as reports
from tests import factories
from tests.incidents.factories import NOW, make_draft, make_filed
from tests.reports.factories import file_report_at, investigating, written_duty

pytestmark = pytest.mark.django_db


def main_text(response):
    """What a reader sees in the page's main part (tags dropped; hover titles too)."""
    html = response.content.decode()
    main = html[html.index("<main>"):html.index("</main>")]
    return " ".join(re.sub(r"<[^>]+>", " ", main).split())


@pytest.fixture
def tokyo_officer(provider_a):
    return factories.OfficerFactory(username="tokyo", provider=provider_a,
                                    timezone="Asia/Tokyo")


def test_every_time_on_a_case_page_reads_in_the_viewers_zone(signed_in, tokyo_officer,
                                                              reviewer):
    incident = make_filed(tokyo_officer, at=NOW)

    with time_machine.travel(NOW, tick=False):
        page = signed_in(tokyo_officer).get(f"/incidents/{incident.pk}/")

    shown = main_text(page)
    assert "2026-06-10 21:00 JST" in shown  # filed at 12:00 UTC
    assert "UTC" not in shown and "EDT" not in shown
    assert 'title="2026-06-10 12:00 UTC"' in page.content.decode()


def test_a_late_filing_error_names_the_due_time_in_the_viewers_zone(signed_in,
                                                                    tokyo_officer):
    with time_machine.travel(NOW - timedelta(hours=30), tick=False):
        draft = make_draft(tokyo_officer, discovered_at=NOW - timedelta(hours=31))

    with time_machine.travel(NOW, tick=False):
        refused = signed_in(tokyo_officer).post(f"/incidents/{draft.pk}/submit/",
                                                {"late_reason": ""})

    assert refused.status_code == 400
    assert "it was due at 2026-06-10 14:00 JST" in main_text(refused)  # 05:00 UTC
    draft.refresh_from_db()
    assert draft.is_draft


def test_an_extension_error_names_the_due_time_in_the_viewers_zone(signed_in, officer_a,
                                                                   reviewer):
    from tests.reports.factories import case_under_review

    case = case_under_review(officer_a, at=NOW)
    duty = written_duty(case)
    with time_machine.travel(NOW, tick=False):
        refused = signed_in(officer_a).post(f"/obligations/{duty.pk}/", {
            "requested_due_at": "2026-06-01T10:00", "justification": "Lab."})

    assert refused.status_code == 400
    assert "after the current due time (2026-06-24 08:00 EDT)" in main_text(refused)
    assert not duty.extension_requests.exists()


def test_the_final_summary_is_due_at_the_end_of_the_day_in_the_providers_zone(
        officer_a, reviewer, provider_a):
    provider_a.timezone = "America/Los_Angeles"
    provider_a.save()

    incident = investigating(officer_a, reviewer, at=NOW)

    final = incident_duty(incident, ObligationKind.FINAL_SUMMARY)
    # The written report gave 2026-09-30: 23:59:59 in Los Angeles (PDT) is 06:59:59 UTC.
    assert final.due_at == datetime(2026, 10, 1, 6, 59, 59, tzinfo=UTC)


def test_a_revised_completion_date_moves_the_final_summary_to_that_days_end_there(
        officer_a, reviewer, provider_a):
    provider_a.timezone = "Europe/Berlin"
    provider_a.save()
    incident = investigating(officer_a, reviewer, at=NOW)

    file_report_at(officer_a, incident, "status", at=NOW + timedelta(days=1),
                   anticipated_completion_date=datetime(2026, 12, 15).date())

    final = incident_duty(incident, ObligationKind.FINAL_SUMMARY)
    assert final.due_at == datetime(2026, 12, 15, 22, 59, 59, tzinfo=UTC)  # CET is UTC+1


def test_a_resubmission_is_due_at_the_end_of_the_day_in_the_providers_zone(
        officer_a, reviewer, provider_a):
    from tests.reports.factories import case_under_review

    provider_a.timezone = "Asia/Tokyo"
    provider_a.save()
    case = case_under_review(officer_a, at=NOW, risk="critical")
    report, _ = file_report_at(officer_a, case, "written", at=NOW)
    with time_machine.travel(NOW, tick=False):
        review = reports.return_report(actor=reviewer, report=report, comment="Fix it.")

    # Critical: three days after June 10 (Tokyo) is June 13; its end is 14:59:59 UTC.
    assert review.resubmission_due_at == datetime(2026, 6, 13, 14, 59, 59, tzinfo=UTC)


def incident_duty(incident, kind):
    from compliance.models import Obligation

    return Obligation.objects.get(incident_id=incident.pk, kind=kind)


def test_a_resubmission_day_chosen_on_the_page_ends_in_the_providers_zone(
        signed_in, officer_a, reviewer, provider_a):
    from tests.reports.factories import case_under_review

    provider_a.timezone = "Asia/Tokyo"
    provider_a.save()
    case = case_under_review(officer_a, at=NOW)
    report, _ = file_report_at(officer_a, case, "written", at=NOW)

    with time_machine.travel(NOW, tick=False):
        response = signed_in(reviewer).post(f"/reports/{report.pk}/return/", {
            "comment": "Name the firmware.", "resubmission_due_on": "2026-06-20"})

    assert response.status_code == 302
    review = report.reviews.get()
    assert review.resubmission_due_at == datetime(2026, 6, 20, 14, 59, 59, tzinfo=UTC)
