"""Every collection of the published API (shared/API.md) accepts a POST carrying only its
published fields: a field added later is never required of existing clients."""

from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from compliance.models import Affiliate, Obligation, PESModel, Provider
from incidents.models import Attachment, Comment, Incident
from reports.models import Report
from tests import factories
from tests.incidents.factories import NOW, make_filed
from tests.reports.factories import case_under_review, written_duty

pytestmark = pytest.mark.django_db


def test_it_registers_a_provider_with_only_name_and_status(api_for, manager):
    response = api_for(manager).post("/api/v1/providers/", {
        "name": "Delta Franking", "authorization_status": "authorized"})

    assert response.status_code == 201, response.json()
    assert Provider.objects.get(name="Delta Franking").authorization_number == ""


def test_it_keeps_authorization_numbers_unique_when_given(api_for, manager, provider_a):
    client = api_for(manager)
    client.post("/api/v1/providers/", {"name": "No number", "authorization_status": "authorized"})

    second_blank = client.post("/api/v1/providers/", {"name": "No number either",
                                                       "authorization_status": "authorized"})
    taken = client.post("/api/v1/providers/", {
        "name": "Copycat", "authorization_status": "authorized",
        "authorization_number": provider_a.authorization_number})

    assert second_blank.status_code == 201
    assert taken.status_code == 400 and "authorization_number" in str(taken.json())
    assert not Provider.objects.filter(name="Copycat").exists()


def test_it_creates_affiliates_and_pes_models_from_the_published_fields(
        api_for, manager, officer_a, provider_a):
    affiliate = api_for(officer_a).post("/api/v1/affiliates/", {
        "provider": provider_a.pk, "name": "Alpha GmbH", "relationship": "subsidiary",
        "country": "DE"})
    model = api_for(manager).post("/api/v1/pes-models/", {
        "provider": provider_a.pk, "name": "Meter X", "kind": "postage_meter",
        "approval_status": "approved", "approved_by": "USPS"})

    assert affiliate.status_code == 201, affiliate.json()
    assert model.status_code == 201, model.json()
    assert Affiliate.objects.filter(name="Alpha GmbH", provider=provider_a).exists()
    assert PESModel.objects.filter(name="Meter X", provider=provider_a).exists()


def test_it_creates_a_draft_and_its_children_from_the_published_fields(api_for, officer_a,
                                                                       provider_a):
    model = factories.PESModelFactory(provider=provider_a)
    client = api_for(officer_a)
    draft = client.post("/api/v1/incidents/", {
        "category": "security_weakness", "subtype": "equipment_defect",
        "title": "Forged resets", "description": "Accepted without a register.",
        "discovered_at": (timezone.now() - timedelta(hours=1)).isoformat(),
        "discovery_timezone": "America/New_York", "discovered_by_affiliate": None,
        "discovered_by_name": "Dana", "pes_models": [model.pk]}, format="json")
    assert draft.status_code == 201, draft.json()
    pk = draft.json()["id"]

    attachment = client.post(f"/api/v1/incidents/{pk}/attachments/", {
        "file": SimpleUploadedFile("log.txt", b"reset log\n", "text/plain")},
        format="multipart")
    receipt = client.post(f"/api/v1/incidents/{pk}/submit/", {"late_reason": ""})
    comment = client.post(f"/api/v1/incidents/{pk}/comments/",
                          {"body": "More soon.", "visibility": "shared"})

    assert attachment.status_code == 201, attachment.json()
    assert receipt.status_code == 201, receipt.json()
    assert comment.status_code == 201, comment.json()
    assert Attachment.objects.filter(incident_id=pk).count() == 1
    assert Comment.objects.filter(incident_id=pk).count() == 1
    assert Incident.objects.get(pk=pk).reference


def test_it_files_reports_and_extension_requests_from_the_published_fields(
        api_for, officer_a, reviewer):
    case = case_under_review(officer_a)
    duty = written_duty(case)
    client = api_for(officer_a)
    with time_machine.travel(NOW, tick=False):
        extension = client.post(f"/api/v1/obligations/{duty.pk}/extension-requests/", {
            "requested_due_at": (duty.due_at + timedelta(days=7)).isoformat(),
            "justification": "The lab is booked."})
        report = client.post(f"/api/v1/incidents/{case.pk}/reports/", {
            "kind": "written", "circumstances": "A forged reset.",
            "investigative_procedure": "Replay it.",
            "anticipated_completion_date": "2026-09-30"})

    assert extension.status_code == 201, extension.json()
    assert report.status_code == 201, report.json()
    assert Report.objects.filter(incident=case).count() == 1
    assert duty.extension_requests.count() == 1


def test_it_triages_with_only_the_published_fields(api_for, officer_a, reviewer):
    filed = make_filed(officer_a)

    response = api_for(reviewer).post(f"/api/v1/incidents/{filed.pk}/triage/", {
        "revenue_risk": "high", "rationale": "Resets at scale."})

    assert response.status_code == 200, response.json()
    assert Obligation.objects.filter(incident_id=filed.pk, kind="written_report").exists()


def test_it_opens_a_proceeding_and_files_its_steps_from_the_published_fields(
        api_for, manager, officer_a, provider_a):
    incident = make_filed(officer_a)
    missed = factories.ObligationFactory(provider=provider_a, kind="written_report",
                                         state="missed", incident_id=incident.pk)
    opened = api_for(manager).post("/api/v1/proceedings/", {
        "provider": provider_a.pk, "kind": "suspension", "grounds": "Missed report.",
        "obligations": [missed.pk], "incidents": [incident.pk]})
    assert opened.status_code == 201, opened.json()
    assert {"id", "provider", "kind", "state", "steps", "sha256"} <= set(opened.json())

    answered = api_for(officer_a).post(f"/api/v1/proceedings/{opened.json()['id']}/steps/",
                                       {"kind": "correction", "body": "Filed now."})

    assert answered.status_code == 201, answered.json()
