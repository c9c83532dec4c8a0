"""Cases ready for reports, made through the services like the product does; the USPS
triage is set directly so these tests stand on the reports app alone."""

from datetime import date, timedelta

import time_machine
from django.utils import timezone

from compliance.models import Obligation, ObligationKind
from compliance.services import meet_usps_target, open_obligation, request_extension
from incidents.models import IncidentStatus
from reports import services
from tests.factories import committed
from tests.incidents.factories import NOW, make_filed

__all__ = ["NOW", "WRITTEN", "STATUS", "FINAL", "case_under_review", "file_report_at",
           "investigating", "waiting_on_usps", "written_duty"]

COMPLETION = date(2026, 9, 30)
WRITTEN = {"circumstances": "A forged reset was accepted by Meter M-1.",
           "investigative_procedure": "Replay the reset against the CMRS test bench.",
           "anticipated_completion_date": COMPLETION}
STATUS = {"progress": "Replayed; the descending register check is skipped.",
          "anticipated_completion_date": COMPLETION}
FINAL = {"findings": "The firmware skips the check after a power cut.",
         "root_cause": "An uninitialised flag in firmware 4.2.",
         "corrective_actions": "Firmware 4.3 deployed to every meter."}


def case_under_review(officer, *, at=NOW, interval=14, risk="moderate",
                      written_due=timedelta(days=14)):
    """A filed incident triaged at `at`: risk, interval, and an open written-report duty."""
    incident = make_filed(officer, at=at - timedelta(hours=1))
    incident.status = IncidentStatus.UNDER_REVIEW
    incident.revenue_risk = risk
    incident.status_report_interval_days = interval
    incident.triaged_at = at
    incident.save()
    with time_machine.travel(at, tick=False), committed():
        meet_usps_target(actor=None, kind=ObligationKind.USPS_TRIAGE, object_id=incident.pk,
                         at=at)
        open_obligation(actor=None, kind=ObligationKind.WRITTEN_REPORT,
                        provider=incident.provider, subject=incident.reference,
                        due_at=at + written_due, incident_id=incident.pk)
    return incident


def written_duty(incident):
    return Obligation.objects.filter(incident_id=incident.pk,
                                     kind=ObligationKind.WRITTEN_REPORT).order_by("id").first()


def more_time_asked(officer, duty, at, days=7):
    """The officer asks for `days` more on `duty` at `at`; returns the request."""
    with time_machine.travel(at, tick=False), committed():
        return request_extension(actor=officer, obligation=duty,
                                 requested_due_at=duty.due_at + timedelta(days=days),
                                 justification="The lab is booked this week.")


def file_report_at(officer, incident, kind, at=None, **fields):
    """File a report of `kind` at `at`; returns (report, version)."""
    values = {"written": WRITTEN, "status": STATUS, "final": FINAL}[kind]
    with time_machine.travel(at or timezone.now(), tick=False), committed():
        return services.file_report(actor=officer, incident=incident, kind=kind,
                                    **{**values, **fields})


def investigating(officer, reviewer, *, at=NOW, **kwargs):
    """A case whose written report was filed and accepted at `at`."""
    incident = case_under_review(officer, at=at - timedelta(hours=2), **kwargs)
    report, _ = file_report_at(officer, incident, "written", at=at - timedelta(hours=1))
    with time_machine.travel(at, tick=False), committed():
        services.accept_report(actor=reviewer, report=report)
    incident.refresh_from_db()
    return incident


def waiting_on_usps(officer, *, at=NOW):
    """One item of each kind waiting on USPS, filed by `officer` up to `at`: an untriaged
    filing, a written report to review, an extension request to decide and a version of
    the internal reporting procedures to review (MEDIA_ROOT must be writable)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from compliance import services as core

    filing = make_filed(officer, at=at - timedelta(hours=5), title="Seal lifts on M-1")
    case = case_under_review(officer, at=at - timedelta(hours=4))
    report, _ = file_report_at(officer, case, "written", at=at - timedelta(hours=3),
                               anticipated_completion_date=(at + timedelta(days=90)).date())
    other = case_under_review(officer, at=at - timedelta(hours=3))
    with time_machine.travel(at - timedelta(hours=2), tick=False), committed():
        extension = core.request_extension(
            actor=officer, obligation=written_duty(other),
            requested_due_at=written_duty(other).due_at + timedelta(days=7),
            justification="The lab is booked.")
    with time_machine.travel(at - timedelta(hours=1), tick=False), committed():
        document = core.upload_procedures(
            actor=officer, provider=officer.provider, effective_date=at.date(),
            uploaded_file=SimpleUploadedFile("procedures.pdf", b"%PDF-1.4 procedures",
                                             content_type="application/pdf"))
    return {"filing": filing, "report": report, "extension": extension,
            "procedures": document, "case": case, "extension_case": other}
