"""The reports API: filing, drafts, review, versions; codes and isolation per endpoint."""

from datetime import timedelta

import pytest
import time_machine
from rest_framework.test import APIClient

from compliance.models import Obligation
from reports.models import Report, ReportState
from tests.incidents.factories import make_draft, make_filed

from .factories import NOW, file_report_at, investigating

pytestmark = pytest.mark.django_db

WRITTEN_BODY = {"kind": "written", "circumstances": "A forged reset was accepted.",
                "investigative_procedure": "Replay it on the bench.",
                "anticipated_completion_date": "2026-09-30"}


@pytest.fixture(autouse=True)
def at_now():
    with time_machine.travel(NOW, tick=False):
        yield


def url(case):
    return f"/api/v1/incidents/{case.pk}/reports/"


def test_an_officer_files_a_written_report_in_one_post_and_gets_the_receipt(
        api_for, officer_a, case):
    response = api_for(officer_a).post(url(case), WRITTEN_BODY)

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["kind"] == "written" and body["state"] == "submitted"
    assert body["reference"] == f"{case.reference}-WR1"
    assert body["receipt"]["reference"] == body["reference"]
    assert body["receipt"]["version"] == 1
    assert body["receipt"]["submitted_at"] == "2026-06-10T12:00:00.000000Z"
    assert len(body["receipt"]["sha256"]) == 64
    assert body["anticipated_completion_date"] == "2026-09-30"


def test_a_post_sent_again_with_its_idempotency_key_files_nothing_more(api_for, officer_a,
                                                                       reviewer):
    from notifications.models import OutboundEmail

    from .factories import STATUS

    case = investigating(officer_a, reviewer)
    body = {"kind": "status", "progress": STATUS["progress"],
            "anticipated_completion_date": STATUS["anticipated_completion_date"].isoformat()}
    api = api_for(officer_a)

    first = api.post(url(case), body, HTTP_IDEMPOTENCY_KEY="status-2026-06-10")
    emails = OutboundEmail.objects.count()
    again = api.post(url(case), body, HTTP_IDEMPOTENCY_KEY="status-2026-06-10")

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json()["id"] == first.json()["id"]
    assert Report.objects.filter(incident=case, kind="status").count() == 1
    assert OutboundEmail.objects.count() == emails
    other = api.post(url(case), body, HTTP_IDEMPOTENCY_KEY="x" * 65)
    assert other.status_code == 400 and "Idempotency-Key" in other.json()
    assert Report.objects.filter(incident=case, kind="status").count() == 1


@pytest.mark.parametrize("kind", ["status", "written"])
def test_a_retried_correction_of_a_returned_report_files_nothing_more(api_for, officer_a,
                                                                     reviewer, kind):
    """The report was first filed with a key of its own; its correction's key answers
    the correction's retry (it filed a second status report; a written report's retry
    answered 409)."""
    from reports import services as reports

    from .factories import STATUS, case_under_review

    if kind == "status":
        case = investigating(officer_a, reviewer)
        body = {"kind": "status", "progress": STATUS["progress"],
                "anticipated_completion_date": STATUS["anticipated_completion_date"]
                .isoformat()}
        correction = {**body, "progress": "Replayed on meters M-1 and M-2."}
    else:
        case = case_under_review(officer_a, at=NOW - timedelta(hours=3))
        body = WRITTEN_BODY
        correction = {**body, "circumstances": "Meters M-1 and M-2 accepted a forged reset."}
    api = api_for(officer_a)
    first = api.post(url(case), body, HTTP_IDEMPOTENCY_KEY="first-filing")
    report = Report.objects.get(pk=first.json()["id"])
    reports.return_report(actor=reviewer, report=report, comment="Name the meters.")

    again = api.post(url(case), correction, HTTP_IDEMPOTENCY_KEY="the-correction")
    duties = Obligation.objects.filter(incident_id=case.pk).count()
    retry = api.post(url(case), correction, HTTP_IDEMPOTENCY_KEY="the-correction")

    assert (first.status_code, again.status_code, retry.status_code) == (201, 201, 201)
    assert retry.json()["id"] == again.json()["id"] == report.pk
    assert Report.objects.filter(incident=case, kind=kind).count() == 1
    report.refresh_from_db()
    assert report.current_version == 2
    assert Obligation.objects.filter(incident_id=case.pk).count() == duties


def test_a_keyed_post_that_files_a_saved_draft_files_nothing_more_when_retried(
        api_for, officer_a, reviewer):
    from .factories import STATUS

    case = investigating(officer_a, reviewer)
    body = {"kind": "status", "progress": STATUS["progress"],
            "anticipated_completion_date": STATUS["anticipated_completion_date"].isoformat()}
    api = api_for(officer_a)
    assert api.post(url(case), {**body, "draft": True}).status_code == 201

    first = api.post(url(case), body, HTTP_IDEMPOTENCY_KEY="file-status-1")
    again = api.post(url(case), body, HTTP_IDEMPOTENCY_KEY="file-status-1")

    assert first.status_code == 201 and again.json()["id"] == first.json()["id"]
    assert Report.objects.filter(incident=case, kind="status").count() == 1


def test_an_incomplete_report_is_400_keyed_by_field(api_for, officer_a, case):
    response = api_for(officer_a).post(url(case), {"kind": "written", "circumstances": "x",
                                                   "anticipated_completion_date": "2026-01-01"})
    assert response.status_code == 400
    assert set(response.json()) == {"investigative_procedure", "anticipated_completion_date"}
    assert not Report.objects.filter(state="submitted").exists()


def test_a_bad_kind_or_date_is_400(api_for, officer_a, case):
    client = api_for(officer_a)
    assert client.post(url(case), {**WRITTEN_BODY, "kind": "memo"}).status_code == 400
    response = client.post(url(case), {**WRITTEN_BODY, "anticipated_completion_date": "soon"})
    assert response.status_code == 400 and "anticipated_completion_date" in response.json()


def test_a_draft_is_saved_patched_and_then_filed(api_for, officer_a, case):
    client = api_for(officer_a)
    created = client.post(url(case), {"kind": "written", "draft": True,
                                      "circumstances": "Start."})
    assert created.status_code == 201 and created.json()["state"] == "draft"
    assert created.json()["receipt"] is None
    pk = created.json()["id"]
    patched = client.patch(f"/api/v1/reports/{pk}/", {"circumstances": "Better."})
    assert patched.status_code == 200 and patched.json()["circumstances"] == "Better."
    incomplete = client.post(f"/api/v1/reports/{pk}/submit/", {})
    assert incomplete.status_code == 400
    filed = client.post(f"/api/v1/reports/{pk}/submit/", {
        "investigative_procedure": "Bench.", "anticipated_completion_date": "2026-09-30"})
    assert filed.status_code == 201 and filed.json()["state"] == "submitted"


def test_a_filed_report_is_append_only(api_for, officer_a, filed):
    client = api_for(officer_a)
    response = client.patch(f"/api/v1/reports/{filed.pk}/", {"circumstances": "Changed."})
    assert response.status_code == 409
    assert client.post(f"/api/v1/reports/{filed.pk}/submit/", {}).status_code == 409
    assert client.put(f"/api/v1/reports/{filed.pk}/", {}).status_code == 405
    assert client.delete(f"/api/v1/reports/{filed.pk}/").status_code == 405


def test_the_reviewer_returns_and_the_officer_files_a_new_version(
        api_for, officer_a, reviewer, case, filed):
    returned = api_for(reviewer).post(f"/api/v1/reports/{filed.pk}/return/", {
        "comment": "Name the firmware.", "resubmission_due_at": "2026-06-13T17:00:00-04:00"})
    assert returned.status_code == 200, returned.json()
    review = returned.json()["reviews"][0]
    assert review["decision"] == "returned" and review["comment"] == "Name the firmware."
    assert review["resubmission_due_at"] == "2026-06-13T21:00:00.000000Z"

    again = api_for(officer_a).post(url(case), {**WRITTEN_BODY,
                                                "circumstances": "Firmware 4.2 accepts it."})
    assert again.status_code == 201
    assert again.json()["id"] == filed.pk and again.json()["receipt"]["version"] == 2

    versions = api_for(reviewer).get(f"/api/v1/reports/{filed.pk}/versions/").json()
    assert versions["count"] == 2
    assert [v["version"] for v in versions["results"]] == [1, 2]
    assert versions["results"][1]["changes"]["circumstances"][1] == "Firmware 4.2 accepts it."
    assert versions["results"][1]["content"]["previous_sha256"] == \
        versions["results"][0]["sha256"]


def test_return_needs_a_comment_and_an_offset(api_for, reviewer, filed):
    client = api_for(reviewer)
    assert client.post(f"/api/v1/reports/{filed.pk}/return/", {}).status_code == 400
    blank = client.post(f"/api/v1/reports/{filed.pk}/return/", {"comment": " "})
    assert blank.status_code == 400 and "comment" in blank.json()
    naive = client.post(f"/api/v1/reports/{filed.pk}/return/", {
        "comment": "x", "resubmission_due_at": "2026-06-13T17:00:00"})
    assert naive.status_code == 400 and "resubmission_due_at" in naive.json()


def test_accepting_moves_the_case_to_investigating(api_for, reviewer, case, filed):
    response = api_for(reviewer).post(f"/api/v1/reports/{filed.pk}/accept/", {})
    assert response.status_code == 200 and response.json()["state"] == "accepted"
    case.refresh_from_db()
    assert case.status == "investigating"


def test_accepting_a_returned_report_is_409(api_for, reviewer, filed):
    client = api_for(reviewer)
    client.post(f"/api/v1/reports/{filed.pk}/return/", {"comment": "Fix."})
    assert client.post(f"/api/v1/reports/{filed.pk}/accept/", {}).status_code == 409


def test_filing_on_a_closed_case_is_409(api_for, officer_a, reviewer):
    incident = investigating(officer_a, reviewer, at=NOW - timedelta(days=2))
    final, _ = file_report_at(officer_a, incident, "final", at=NOW - timedelta(days=1))
    api_for(reviewer).post(f"/api/v1/reports/{final.pk}/accept/", {})
    response = api_for(officer_a).post(url(incident), {"kind": "status", "progress": "x",
                                                       "anticipated_completion_date":
                                                           "2026-09-30"})
    assert response.status_code == 409


def test_returning_a_report_on_a_closed_case_is_409_and_changes_nothing(
        api_for, officer_a, reviewer):
    incident = investigating(officer_a, reviewer, at=NOW - timedelta(days=3))
    status, _ = file_report_at(officer_a, incident, "status", at=NOW - timedelta(days=2))
    final, _ = file_report_at(officer_a, incident, "final", at=NOW - timedelta(days=1))
    client = api_for(reviewer)
    assert client.post(f"/api/v1/reports/{final.pk}/accept/", {}).status_code == 200
    owed = Obligation.objects.provider_duties().filter(incident_id=incident.pk,
                                                       state__in=["open", "missed"])

    response = client.post(f"/api/v1/reports/{status.pk}/return/", {"comment": "Say more."})

    assert response.status_code == 409
    assert "The case is closed" in response.json()["detail"]
    status.refresh_from_db()
    assert status.state == ReportState.SUBMITTED and not status.reviews.exists()
    assert not owed.exists()


def test_a_written_report_waits_for_the_deadline_usps_sets_at_triage(api_for, officer_a):
    incident = make_filed(officer_a)

    response = api_for(officer_a).post(url(incident), WRITTEN_BODY)

    assert response.status_code == 409
    assert "triaged" in str(response.json())
    assert not Report.objects.filter(incident=incident).exists()


def test_filing_on_a_draft_incident_is_409(api_for, officer_a):
    incident = make_draft(officer_a)
    assert api_for(officer_a).post(url(incident), WRITTEN_BODY).status_code == 409


def test_a_status_report_before_investigating_is_409(api_for, officer_a, case):
    response = api_for(officer_a).post(url(case), {"kind": "status", "progress": "x",
                                                   "anticipated_completion_date": "2026-09-30"})
    assert response.status_code == 409


# --- isolation ---------------------------------------------------------------------


def test_anonymous_callers_get_401_everywhere(case, filed):
    client = APIClient()
    for path in (url(case), f"/api/v1/reports/{filed.pk}/",
                 f"/api/v1/reports/{filed.pk}/versions/"):
        assert client.get(path).status_code == 401
    for path in (url(case), f"/api/v1/reports/{filed.pk}/accept/",
                 f"/api/v1/reports/{filed.pk}/return/", f"/api/v1/reports/{filed.pk}/submit/"):
        assert client.post(path, {}).status_code == 401


def test_another_providers_officer_gets_404_everywhere(api_for, officer_b, case, filed, draft):
    client = api_for(officer_b)
    assert client.get(url(case)).status_code == 404
    assert client.post(url(case), WRITTEN_BODY).status_code == 404
    for report in (filed, draft):
        base = f"/api/v1/reports/{report.pk}/"
        assert client.get(base).status_code == 404
        assert client.get(base + "versions/").status_code == 404
        assert client.patch(base, {"circumstances": "x"}).status_code == 404
        for action in ("submit", "accept", "return"):
            assert client.post(base + action + "/", {"comment": "x"}).status_code == 404


def test_usps_never_sees_a_draft(api_for, reviewer, draft):
    client = api_for(reviewer)
    assert client.get(url(draft.incident)).json()["count"] == 0
    base = f"/api/v1/reports/{draft.pk}/"
    assert client.get(base).status_code == 404
    assert client.get(base + "versions/").status_code == 404
    assert client.post(base + "accept/", {}).status_code == 404


def test_provider_staff_and_usps_both_list_the_filed_report(
        api_for, officer_a, viewer_a, reviewer, officer_b, case, filed):
    assert api_for(viewer_a).get(url(case)).json()["count"] == 1
    assert api_for(reviewer).get(url(case)).json()["results"][0]["id"] == filed.pk


def test_viewers_get_403_on_writes(api_for, viewer_a, case, filed, draft):
    client = api_for(viewer_a)
    assert client.get(f"/api/v1/reports/{draft.pk}/").status_code == 200
    assert client.post(url(case), WRITTEN_BODY).status_code == 403
    assert client.patch(f"/api/v1/reports/{draft.pk}/", {"circumstances": "x"}).status_code \
        == 403
    assert client.post(f"/api/v1/reports/{draft.pk}/submit/", {}).status_code == 403
    assert client.post(f"/api/v1/reports/{filed.pk}/accept/", {}).status_code == 403


def test_officers_cannot_review_and_usps_cannot_file(api_for, officer_a, reviewer, case,
                                                     filed):
    assert api_for(officer_a).post(f"/api/v1/reports/{filed.pk}/accept/", {}).status_code \
        == 403
    assert api_for(officer_a).post(f"/api/v1/reports/{filed.pk}/return/",
                                   {"comment": "x"}).status_code == 403
    assert api_for(reviewer).post(url(case), WRITTEN_BODY).status_code == 403
    assert api_for(reviewer).patch(f"/api/v1/reports/{filed.pk}/", {}).status_code == 403
    assert Report.objects.get(pk=filed.pk).state == ReportState.SUBMITTED


def test_the_list_is_paginated_in_a_fixed_number_of_queries(
        api_for, officer_a, reviewer, django_assert_max_num_queries):
    incident = investigating(officer_a, reviewer, at=NOW - timedelta(days=5))
    client = api_for(reviewer)
    with django_assert_max_num_queries(6):
        client.get(url(incident))
    for n in range(5):
        file_report_at(officer_a, incident, "status", at=NOW - timedelta(days=4 - n))
    with django_assert_max_num_queries(6):
        body = client.get(url(incident) + "?page_size=3").json()
    assert body["count"] == 6 and len(body["results"]) == 3 and body["next"]
