"""Drafting stays the provider's, inside the door: whether an event belongs to the drafting
stage is fixed when it is written, and `AuditEvent.objects.visible_to` keeps those events
from USPS on every page, API and the admin."""

from datetime import timedelta

import pgtrigger
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from compliance.models import AuditEvent, Obligation, ObligationKind
from incidents import services
from reports import services as report_services
from tests.incidents.factories import NOW, make_draft
from tests.reports.factories import WRITTEN, case_under_review


def _draft_with_history(officer):
    """A draft made at NOW - 3 h, its discovery time corrected and a file attached."""
    with time_machine.travel(NOW - timedelta(hours=3), tick=False):
        draft = make_draft(officer, title="Forged resets (first guess)",
                           discovered_at=NOW - timedelta(hours=4))
    with time_machine.travel(NOW - timedelta(hours=2), tick=False):
        services.update_draft(actor=officer, incident=draft, title="Forged resets",
                              discovered_at=NOW - timedelta(hours=5))
        services.add_attachment(actor=officer, incident=draft, uploaded_file=SimpleUploadedFile(
            "log.txt", b"reset log\n", "text/plain"))
    return draft


def _file(officer, draft):
    with time_machine.travel(NOW, tick=False):
        services.submit_incident(actor=officer, incident=draft)
    draft.refresh_from_db()
    return draft


def test_it_marks_every_event_of_a_draft_as_drafting_stage_when_written(officer_a):
    draft = _draft_with_history(officer_a)

    events = AuditEvent.objects.for_case(draft.pk)
    assert set(events.values_list("action", flat=True)) == {
        "incident.draft_created", "incident.draft_updated", "incident.attachment_added",
        "obligation.opened", "obligation.due_corrected"}
    assert all(event.drafting_stage for event in events)


def test_it_keeps_the_flag_of_earlier_events_once_the_draft_is_filed(officer_a):
    draft = _file(officer_a, _draft_with_history(officer_a))

    flags = dict(AuditEvent.objects.for_case(draft.pk).values_list("action", "drafting_stage"))
    assert flags["incident.draft_created"] is True
    assert flags["obligation.opened"] is True
    assert flags["incident.submitted"] is False
    assert flags["obligation.met"] is False


def test_usps_sees_a_case_from_its_filing_on(officer_a, reviewer):
    draft = _file(officer_a, _draft_with_history(officer_a))

    seen = list(AuditEvent.objects.visible_to(reviewer).for_case(draft.pk)
                .order_by("at", "id").values_list("action", flat=True))
    # USPS's own target for the triage opens with the filing (internal to USPS).
    assert sorted(seen) == ["incident.submitted", "obligation.met", "usps_target.opened"]
    assert "first guess" not in str(list(AuditEvent.objects.visible_to(reviewer).values()))


def test_the_provider_keeps_its_whole_drafting_history(officer_a):
    draft = _file(officer_a, _draft_with_history(officer_a))

    assert AuditEvent.objects.visible_to(officer_a).for_case(draft.pk).count() == 7


def test_the_obligation_page_shows_usps_a_history_starting_at_the_filing(
        signed_in, officer_a, reviewer):
    draft = _file(officer_a, _draft_with_history(officer_a))
    duty = Obligation.objects.get(incident_id=draft.pk, kind=ObligationKind.NOTIFICATION)
    first_due = (NOW - timedelta(hours=4) + timedelta(hours=24)).isoformat()

    usps_page = signed_in(reviewer).get(f"/obligations/{duty.pk}/").content.decode()
    officer_page = signed_in(officer_a).get(f"/obligations/{duty.pk}/").content.decode()

    assert "Obligation met" in usps_page
    assert "Obligation opened" not in usps_page and "due corrected" not in usps_page
    assert first_due not in usps_page
    assert "Obligation opened" in officer_page and "Obligation due corrected" in officer_page


def test_the_case_page_hides_the_drafting_stage_from_usps(signed_in, officer_a, reviewer):
    draft = _file(officer_a, _draft_with_history(officer_a))

    page = signed_in(reviewer).get(f"/incidents/{draft.pk}/").content.decode()

    assert "Incident submitted" in page
    for hidden in ("Incident draft created", "Incident draft updated",
                   "Incident attachment added", "Obligation opened", "first guess"):
        assert hidden not in page


def test_the_admin_never_lists_events_of_a_draft(client, officer_a, manager):
    _draft_with_history(officer_a)
    client.force_login(manager)

    page = client.get("/admin/compliance/auditevent/").content.decode()

    assert "first guess" not in page and "Forged resets" not in page
    assert AuditEvent.objects.filter(drafting_stage=True).exists()


def test_a_report_draft_stays_the_providers_after_it_is_filed(officer_a, reviewer):
    case = case_under_review(officer_a)
    with time_machine.travel(NOW, tick=False):
        report, _ = report_services.file_report(actor=officer_a, incident=case,
                                                kind="written", draft=True,
                                                circumstances="First thoughts")
        report_services.submit_report(actor=officer_a, report=report, **WRITTEN)

    usps = set(AuditEvent.objects.visible_to(reviewer).for_object(report)
               .values_list("action", flat=True))
    provider = set(AuditEvent.objects.visible_to(officer_a).for_object(report)
                   .values_list("action", flat=True))
    assert "report.draft_created" in provider and "report.draft_created" not in usps
    assert usps and all(not action.startswith("report.draft") for action in usps)


def test_assigning_a_reviewer_changes_nothing_the_provider_sees(api_for, officer_a, reviewer):
    case = case_under_review(officer_a)
    before = api_for(officer_a).get(f"/api/v1/incidents/{case.pk}/").json()

    services.assign_reviewer(actor=reviewer, incident=case, reviewer=reviewer)

    assert api_for(officer_a).get(f"/api/v1/incidents/{case.pk}/").json() == before
    assert not AuditEvent.objects.visible_to(officer_a).filter(
        action="incident.reviewer_assigned").exists()


def test_a_draft_missing_its_due_time_stays_the_providers(officer_a, reviewer):
    from notifications.sweep import sweep

    draft = _draft_with_history(officer_a)
    sweep(NOW + timedelta(days=2))

    missed = AuditEvent.objects.get(case_id=draft.pk, action="obligation.missed")
    assert missed.drafting_stage is True
    assert not AuditEvent.objects.visible_to(reviewer).filter(case_id=draft.pk).exists()


def test_the_migration_marks_earlier_events_as_the_services_now_do(officer_a):
    from importlib import import_module

    from django.apps import apps

    backfill = import_module("incidents.migrations.0004_audit_drafting_stage_backfill")
    _file(officer_a, _draft_with_history(officer_a))
    _draft_with_history(officer_a)
    case = case_under_review(officer_a)
    with time_machine.travel(NOW, tick=False):
        report_services.file_report(actor=officer_a, incident=case, kind="written",
                                    draft=True, circumstances="First thoughts")
    written = dict(AuditEvent.objects.values_list("id", "drafting_stage"))

    # The backfill runs before the append-only trigger exists; here the trigger is set aside.
    with pgtrigger.ignore("compliance.AuditEvent:audit_event_append_only"):
        AuditEvent.objects.update(drafting_stage=False)
        backfill.mark_drafting_events(apps, None)

    assert dict(AuditEvent.objects.values_list("id", "drafting_stage")) == written
