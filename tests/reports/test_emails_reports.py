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
