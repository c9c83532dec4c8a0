"""Drafting and filing reports: completeness, receipts, append-only, who may, when."""

import json
from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from compliance.errors import Conflict
from compliance.models import AuditEvent, ObligationState
from reports import services
from reports.models import Report, ReportState, ReportVersion
from reports.services.canonical import sha256_of
from tests.incidents.factories import make_draft

from .factories import (
    NOW,
    STATUS,
    WRITTEN,
    case_under_review,
    file_report_at,
    investigating,
    written_duty,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def at_now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def case(officer_a):
    return case_under_review(officer_a)


def test_it_saves_an_incomplete_draft_and_refuses_to_file_it_keyed_by_field(officer_a, case):
    draft = services.create_report_draft(actor=officer_a, incident=case, kind="written",
                                         circumstances="Only this so far.")
    with pytest.raises(ValidationError) as exc:
        services.submit_report(actor=officer_a, report=draft)

    assert set(exc.value.message_dict) == {"investigative_procedure",
                                           "anticipated_completion_date"}
    draft.refresh_from_db()
    assert draft.state == ReportState.DRAFT and not draft.versions.exists()


def test_it_refuses_blank_text_and_a_completion_date_in_the_past(officer_a, case):
    with pytest.raises(ValidationError) as exc:
        services.file_report(actor=officer_a, incident=case, kind="written",
                             **{**WRITTEN, "circumstances": "   ",
                                "anticipated_completion_date": date(2026, 6, 9)})
    assert set(exc.value.message_dict) == {"circumstances", "anticipated_completion_date"}
    assert "past" in exc.value.message_dict["anticipated_completion_date"][0]
    assert not Report.objects.filter(state=ReportState.SUBMITTED).exists()


def test_it_accepts_today_as_the_completion_date(officer_a, case):
    report, version = services.file_report(
        actor=officer_a, incident=case, kind="written",
        **{**WRITTEN, "anticipated_completion_date": NOW.date()})
    assert report.state == ReportState.SUBMITTED and version.number == 1


def test_it_refuses_fields_of_another_kind(officer_a, case):
    with pytest.raises(ValidationError) as exc:
        services.file_report(actor=officer_a, incident=case, kind="written",
                             findings="Not yet.", **WRITTEN)
    assert list(exc.value.message_dict) == ["findings"]


def test_it_files_version_1_with_a_receipt_whose_hash_is_of_the_canonical_json(
        officer_a, case):
    report, version = file_report_at(officer_a, case, "written", at=NOW)

    assert report.reference == f"{case.reference}-WR1"
    assert version.number == 1 and version.submitted_at == NOW
    assert version.sha256 == sha256_of(version.canonical_json)
    document = json.loads(version.canonical_json)
    assert document["format"] == "pes-report-filing/1"
    assert document["reference"] == report.reference
    assert document["incident"] == case.reference
    assert document["submitted_by"] == "officer_a"
    assert document["previous_sha256"] is None
    assert document["content"] == {
        "circumstances": WRITTEN["circumstances"],
        "investigative_procedure": WRITTEN["investigative_procedure"],
        "anticipated_completion_date": "2026-09-30",
    }
    assert version.canonical_json == json.dumps(document, sort_keys=True,
                                                separators=(",", ":"), ensure_ascii=False)


def test_it_fills_in_and_files_the_open_draft_instead_of_starting_another(officer_a, case):
    draft, _ = services.file_report(actor=officer_a, incident=case, kind="written",
                                    draft=True, circumstances="Start.")
    report, version = file_report_at(officer_a, case, "written", at=NOW)

    assert report.pk == draft.pk and version.number == 1
    assert Report.objects.count() == 1


def test_it_refuses_to_edit_a_filed_report(officer_a, case):
    report, _ = file_report_at(officer_a, case, "written", at=NOW)
    with pytest.raises(Conflict):
        services.update_report_draft(actor=officer_a, report=report, circumstances="Changed.")
    with pytest.raises(Conflict):
        services.submit_report(actor=officer_a, report=report)
    report.refresh_from_db()
    assert report.circumstances == WRITTEN["circumstances"]
    assert ReportVersion.objects.count() == 1


def test_it_refuses_a_second_written_report_while_one_awaits_review(officer_a, case):
    file_report_at(officer_a, case, "written", at=NOW)
    with pytest.raises(Conflict):
        file_report_at(officer_a, case, "written", at=NOW)
    with pytest.raises(Conflict):
        services.create_report_draft(actor=officer_a, incident=case, kind="written")


def test_it_meets_the_written_report_duty_on_time(officer_a, case):
    _, version = file_report_at(officer_a, case, "written", at=NOW + timedelta(days=3))
    duty = written_duty(case)
    assert duty.state == ObligationState.MET and duty.met_at == NOW + timedelta(days=3)
    assert version.obligation == duty


def test_it_meets_the_written_report_duty_late_after_its_due_time(officer_a, case):
    file_report_at(officer_a, case, "written", at=NOW + timedelta(days=15))
    assert written_duty(case).state == ObligationState.LATE


def test_it_files_status_reports_and_the_final_summary_only_while_investigating(
        officer_a, case):
    for kind in ("status", "final"):
        with pytest.raises(Conflict):
            file_report_at(officer_a, case, kind, at=NOW)


def test_it_refuses_reports_on_a_draft_incident(officer_a):
    draft = make_draft(officer_a)
    with pytest.raises(Conflict):
        services.create_report_draft(actor=officer_a, incident=draft, kind="written")


def test_it_refuses_a_written_report_once_investigating(officer_a, reviewer):
    incident = investigating(officer_a, reviewer)
    with pytest.raises(Conflict):
        file_report_at(officer_a, incident, "written", at=NOW)


def test_it_numbers_status_reports(officer_a, reviewer):
    incident = investigating(officer_a, reviewer)
    first, _ = file_report_at(officer_a, incident, "status", at=NOW + timedelta(days=1))
    second, _ = file_report_at(officer_a, incident, "status", at=NOW + timedelta(days=2))
    assert first.reference.endswith("-SR1") and second.reference.endswith("-SR2")


@pytest.mark.parametrize("who", ["viewer_a", "officer_b", "reviewer"])
def test_it_lets_only_the_providers_officers_file(request, who, officer_a, case):
    actor = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        services.file_report(actor=actor, incident=case, kind="written", **WRITTEN)
    draft = services.create_report_draft(actor=officer_a, incident=case, kind="written")
    with pytest.raises(PermissionDenied):
        services.update_report_draft(actor=actor, report=draft, circumstances="x")
    with pytest.raises(PermissionDenied):
        services.submit_report(actor=actor, report=draft, **WRITTEN)


def test_it_audits_drafting_and_filing(officer_a, case):
    draft = services.create_report_draft(actor=officer_a, incident=case, kind="written")
    services.update_report_draft(actor=officer_a, report=draft, circumstances="First.")
    services.submit_report(actor=officer_a, report=draft, **WRITTEN)
    actions = list(AuditEvent.objects.for_object(draft).order_by("id")
                   .values_list("action", flat=True))
    assert actions == ["report.draft_created", "report.draft_updated", "report.submitted"]
    submitted = AuditEvent.objects.for_object(draft).get(action="report.submitted")
    assert submitted.provider_id == case.provider_id
    assert submitted.changes["state"] == ["draft", "submitted"]


def test_status_content_excludes_written_fields(officer_a, reviewer):
    incident = investigating(officer_a, reviewer)
    _, version = file_report_at(officer_a, incident, "status", at=NOW)
    assert version.content == {"progress": STATUS["progress"],
                               "anticipated_completion_date": "2026-09-30"}
