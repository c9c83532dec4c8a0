"""Keys a report was sent with (a page's, an API client's `Idempotency-Key`): a retry,
however late, answers the report it started and files nothing more; a key sent with
another kind of report, or other content, is refused. And the create page, sent while a
draft of the kind was opened meanwhile, files what was typed into it."""

from datetime import timedelta

import pytest
import time_machine

from compliance.models import AuditEvent
from notifications.models import OutboundEmail
from reports import services
from reports.models import Report, ReportVersion
from tests.reports.factories import NOW, STATUS, case_under_review, file_report_at, investigating

pytestmark = pytest.mark.django_db

BODY = {"kind": "status", "progress": STATUS["progress"],
        "anticipated_completion_date": STATUS["anticipated_completion_date"].isoformat()}
FORM = {"circumstances": "Meter M-1 accepted a forged reset on 2026-06-09.",
        "investigative_procedure": "Replay the reset on the bench.",
        "anticipated_completion_date": "2026-09-30", "file": ""}


@pytest.fixture(autouse=True)
def at_now():
    with time_machine.travel(NOW, tick=False):
        yield


def test_a_late_retry_of_the_first_keyed_filing_files_nothing_after_a_correction(
        api_for, officer_a, reviewer):
    """The same POST sent again with its key answers the report the first started and
    files nothing more, however late: after the report was returned and corrected under
    another key too."""
    case = investigating(officer_a, reviewer)
    api = api_for(officer_a)
    url = f"/api/v1/incidents/{case.pk}/reports/"
    first = api.post(url, BODY, format="json", HTTP_IDEMPOTENCY_KEY="status-first")
    assert first.status_code == 201
    report = Report.objects.get(pk=first.json()["id"])
    services.return_report(actor=reviewer, report=report, comment="Name the meters.")
    corrected = api.post(url, {**BODY, "progress": "Meters M-1 and M-2."}, format="json",
                         HTTP_IDEMPOTENCY_KEY="status-correction")
    assert corrected.status_code == 201 and corrected.json()["id"] == report.pk

    before = (Report.objects.count(), ReportVersion.objects.count(),
              AuditEvent.objects.count(), OutboundEmail.objects.count())
    retry = api.post(url, BODY, format="json", HTTP_IDEMPOTENCY_KEY="status-first")

    assert retry.json()["id"] == report.pk
    assert (Report.objects.count(), ReportVersion.objects.count(),
            AuditEvent.objects.count(), OutboundEmail.objects.count()) == before


def test_a_retry_of_a_keyed_draft_save_starts_no_second_report_once_filed(
        api_for, officer_a, reviewer):
    """Saved as a draft under one key, filed under another: a retry of the draft save
    answers the report it started."""
    case = investigating(officer_a, reviewer)
    api = api_for(officer_a)
    url = f"/api/v1/incidents/{case.pk}/reports/"
    saved = api.post(url, {**BODY, "draft": True}, format="json",
                     HTTP_IDEMPOTENCY_KEY="save-1")
    filed = api.post(url, BODY, format="json", HTTP_IDEMPOTENCY_KEY="file-1")
    assert saved.json()["id"] == filed.json()["id"]

    retry = api.post(url, {**BODY, "draft": True}, format="json",
                     HTTP_IDEMPOTENCY_KEY="save-1")

    assert retry.json()["id"] == saved.json()["id"]
    assert Report.objects.filter(incident=case, kind="status").count() == 1


def test_a_key_reused_for_another_kind_is_refused(api_for, officer_a, reviewer):
    """The key of the written report sent with a final summary is refused (409), not
    answered 201 with the written report as if a final summary were filed."""
    case = investigating(officer_a, reviewer)
    written = Report.objects.get(incident=case, kind="written")
    Report.objects.filter(pk=written.pk).update(submission_key="case-ticket-77")
    api = api_for(officer_a)

    response = api.post(f"/api/v1/incidents/{case.pk}/reports/", {
        "kind": "final", "findings": "F.", "root_cause": "R.", "corrective_actions": "C."},
        format="json", HTTP_IDEMPOTENCY_KEY="case-ticket-77")

    assert response.status_code == 409 and written.reference in response.json()["detail"]
    assert not Report.objects.filter(incident=case, kind="final").exists()


@pytest.mark.parametrize("change", ["content", "draft then filed"])
def test_a_key_sent_again_with_anything_else_is_refused(api_for, officer_a, reviewer,
                                                        change):
    """Next period's status report sent (wrongly) with the key of the last one, or a saved
    draft's key sent to file it: answered 201 with the report the key first touched, the
    new content was dropped and the duty left open. Refused (409), nothing changed; the
    same request sent again is still answered."""
    case = investigating(officer_a, reviewer)
    api = api_for(officer_a)
    url = f"/api/v1/incidents/{case.pk}/reports/"
    first_body = {**BODY, "draft": change == "draft then filed"}
    first = api.post(url, first_body, format="json", HTTP_IDEMPOTENCY_KEY="case-status")
    assert first.status_code == 201
    again = ({**BODY, "progress": "Firmware 4.3 in test on 40 meters."}
             if change == "content" else BODY)
    reports = list(Report.objects.filter(incident=case).values())
    versions, events = ReportVersion.objects.count(), AuditEvent.objects.count()

    refused = api.post(url, again, format="json", HTTP_IDEMPOTENCY_KEY="case-status")

    assert refused.status_code == 409
    assert "other content" in refused.json()["detail"]
    assert list(Report.objects.filter(incident=case).values()) == reports
    assert (ReportVersion.objects.count(), AuditEvent.objects.count()) == (versions, events)
    retry = api.post(url, first_body, format="json", HTTP_IDEMPOTENCY_KEY="case-status")
    assert (retry.status_code, retry.json()["id"]) == (201, first.json()["id"])


def test_filing_from_the_create_page_while_a_draft_is_open_does_not_drop_the_input(
        signed_in, officer_a):
    """Another officer (or another tab) saved a draft after this page was opened. Pressing
    "File" on the create page answers a redirect to the draft's edit page: the typed
    report is neither filed nor kept, and nothing says so. The API, through the same
    service, fills in the open draft and files it."""
    case = case_under_review(officer_a, at=NOW - timedelta(hours=3))
    draft, _ = file_report_at(officer_a, case, "written", at=NOW, draft=True,
                              circumstances="Half done.", investigative_procedure="",
                              anticipated_completion_date=None)
    client = signed_in(officer_a)

    response = client.post(f"/reports/incident/{case.pk}/written/",
                           {**FORM, "submission_key": "page-key-1"})

    draft.refresh_from_db()
    assert draft.state == "submitted", (response.status_code, response.get("Location"))
    assert draft.circumstances == FORM["circumstances"]
