"""E-mails of reports: filed to USPS reviewers, accepted or returned to the officers."""

from datetime import timedelta

import pytest
import time_machine

from notifications.models import OutboundEmail
from reports import services
from tests import factories

from .factories import NOW, case_under_review, file_report_at

pytestmark = pytest.mark.django_db


def test_a_filing_goes_to_every_active_reviewer(officer_a, officer_b, reviewer):
    factories.ReviewerFactory(username="away", is_active=False)
    other = factories.ReviewerFactory(username="second")
    incident = case_under_review(officer_a)
    report, version = file_report_at(officer_a, incident, "written", at=NOW)
    emails = OutboundEmail.objects.filter(template="report_filed")
    assert sorted(e.recipient.username for e in emails) == sorted([reviewer.username,
                                                                   other.username])
    email = emails.first().rendered
    assert report.reference in email.subject and version.sha256 in email.body_text
    assert f"/reports/{report.pk}/" in email.body_text


def test_a_filing_goes_to_the_assigned_reviewer_only(officer_a, reviewer):
    assigned = factories.ReviewerFactory(username="assigned")
    incident = case_under_review(officer_a)
    incident.assigned_reviewer = assigned
    incident.save()
    file_report_at(officer_a, incident, "written", at=NOW)
    assert [e.recipient for e in OutboundEmail.objects.filter(template="report_filed")] == \
        [assigned]


def test_a_return_goes_to_the_providers_officers_with_the_comment(
        officer_a, viewer_a, officer_b, reviewer):
    second_officer = factories.OfficerFactory(username="officer_a2",
                                              provider=officer_a.provider)
    incident = case_under_review(officer_a)
    report, _ = file_report_at(officer_a, incident, "written", at=NOW)
    with time_machine.travel(NOW + timedelta(days=1), tick=False):
        services.return_report(actor=reviewer, report=report,
                               comment="Name the firmware versions.",
                               resubmission_due_at=NOW + timedelta(days=4))
    emails = OutboundEmail.objects.filter(template="report_reviewed")
    assert sorted(e.recipient.username for e in emails) == ["officer_a", "officer_a2"]
    email = emails.get(recipient=second_officer).rendered
    assert "returned" in email.subject and report.reference in email.subject
    assert "Name the firmware versions." in email.body_text
    assert "Name the firmware versions." in email.body_html
    assert "corrected version by" in email.body_text


def test_an_acceptance_goes_to_the_officers_and_says_what_follows(officer_a, reviewer):
    incident = case_under_review(officer_a)
    report, _ = file_report_at(officer_a, incident, "written", at=NOW)
    with time_machine.travel(NOW + timedelta(days=1), tick=False):
        services.accept_report(actor=reviewer, report=report, comment="Good work.")
    row = OutboundEmail.objects.get(template="report_reviewed")
    assert row.recipient == officer_a
    email = row.rendered
    assert email.subject.endswith(f"{report.reference} accepted")
    assert "Good work." in email.body_text and "investigation has started" in email.body_text
    assert "moderate" not in email.body_text.lower()  # nothing of USPS's risk assessment


def test_an_acceptance_gives_the_final_summarys_due_time_as_it_stands(officer_a, reviewer):
    """The anticipated completion date passed while USPS held the written report: the final
    summary is due at the first status report's day, and the e-mail says that day, not the
    date already past, which would read as missed."""
    from compliance.models import Obligation, ObligationKind
    from tests.factories import committed

    case = case_under_review(officer_a, at=NOW - timedelta(days=3))
    passed = (NOW - timedelta(days=1)).date()
    report, _ = file_report_at(officer_a, case, "written", at=NOW - timedelta(days=2),
                               anticipated_completion_date=passed)
    with time_machine.travel(NOW, tick=False), committed():
        services.accept_report(actor=reviewer, report=report)
    duties = {duty.kind: duty for duty in Obligation.objects.filter(
        incident_id=case.pk,
        kind__in=[ObligationKind.STATUS_REPORT, ObligationKind.FINAL_SUMMARY])}
    final = duties[ObligationKind.FINAL_SUMMARY]
    assert final.due_at > NOW

    with time_machine.travel(NOW, tick=False):
        email = OutboundEmail.objects.get(template="report_reviewed").rendered

    zoned = "%Y-%m-%d %H:%M"
    from zoneinfo import ZoneInfo
    local = final.due_at.astimezone(ZoneInfo(officer_a.timezone)).strftime(zoned)
    first = duties[ObligationKind.STATUS_REPORT].due_at.astimezone(
        ZoneInfo(officer_a.timezone)).strftime(zoned)
    assert f"(the first by {first} " in email.body_text
    assert f"and the final summary by {local} " in email.body_text
    assert f"and the final summary by {local} " in email.body_html
    assert "anticipated completion date" not in email.body_text


def test_an_acceptance_sent_after_the_case_closed_asks_for_no_status_reports(officer_a,
                                                                            reviewer):
    """Closed before the e-mail went out: it asks for no status reports."""
    from compliance.models import Obligation, ObligationKind
    from tests.factories import committed

    case = case_under_review(officer_a, at=NOW - timedelta(days=3))
    report, _ = file_report_at(officer_a, case, "written", at=NOW - timedelta(days=2))
    with time_machine.travel(NOW, tick=False), committed():
        services.accept_report(actor=reviewer, report=report)
    with time_machine.travel(NOW + timedelta(minutes=1), tick=False), committed():
        services.close_case(actor=reviewer, incident=case, reason="Duplicate of PES-2026-9.")
    assert not Obligation.objects.outstanding().filter(
        incident_id=case.pk, kind__in=[ObligationKind.STATUS_REPORT,
                                       ObligationKind.FINAL_SUMMARY]).exists()

    with time_machine.travel(NOW + timedelta(minutes=2), tick=False):
        email = OutboundEmail.objects.get(template="report_reviewed").rendered

    assert "status reports are now due" not in email.body_text, email.body_text
    assert "Nothing more is owed on the case now" in email.body_text
