"""E-mails say what is so when they go out (a mail server's outage holds them up to half an
hour of retries): a review answered by a version filed meanwhile asks no upload, and a
request decided meanwhile asks no decision."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.mail.backends.base import BaseEmailBackend

from compliance import services
from compliance.services import ensure_procedures_obligations
from compliance.services.extensions import deny_extension, request_extension
from notifications import services as outbox
from notifications.models import EmailState, OutboundEmail
from reports import services as reports
from tests.factories import committed
from tests.reports.factories import NOW as FILED_AT
from tests.reports.factories import case_under_review, file_report_at

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def pdf(body=b"%PDF-1.4 internal reporting procedures"):
    return SimpleUploadedFile("procedures.pdf", body, content_type="application/pdf")


def test_a_review_answered_before_its_email_went_out_does_not_ask_for_an_upload(
        settings, tmp_path, officer_a, reviewer):
    settings.MEDIA_ROOT = tmp_path
    with time_machine.travel(NOW, tick=False), committed():
        ensure_procedures_obligations()
        v1 = services.upload_procedures(actor=officer_a, provider=officer_a.provider,
                                        uploaded_file=pdf(), effective_date=NOW.date())
    with time_machine.travel(NOW + timedelta(hours=1), tick=False), committed():
        services.request_procedure_changes(actor=reviewer, document=v1,
                                           comment="Name the deputy officer.")
    OutboundEmail.objects.exclude(template="procedures_reviewed").delete()
    # The officer files the revised version before the worker sends the review's e-mail.
    with time_machine.travel(NOW + timedelta(hours=1, minutes=2), tick=False), committed():
        services.upload_procedures(actor=officer_a, provider=officer_a.provider,
                                   uploaded_file=pdf(b"%PDF-1.4 revised"),
                                   effective_date=NOW.date(),
                                   summary_of_changes="Names the deputy officer.")
    OutboundEmail.objects.exclude(template="procedures_reviewed").delete()

    with time_machine.travel(NOW + timedelta(hours=1, minutes=3), tick=False):
        outbox.send_due_emails()

    (message,) = mail.outbox
    assert "Upload a revised version" not in message.body, message.body
    assert "Version 2, filed since, is the revised version" in message.body


def test_an_extension_request_decided_before_its_email_went_out_is_not_sent_as_one_to_decide(
        officer_a, reviewer):
    """The request's USPS target reminder is not sent once the request is decided; the
    request's own e-mail still asks a reviewer to "Grant or deny it"."""
    with time_machine.travel(NOW, tick=False):
        extension, other = extension_asked_of_two_reviewers(officer_a)
        assert OutboundEmail.objects.filter(template="extension_requested").count() == 2
        with committed():
            deny_extension(actor=other, extension=extension, comment="No: file what you have.")
        OutboundEmail.objects.exclude(template="extension_requested").delete()

        outbox.send_due_emails()

    asked = [m for m in mail.outbox if "Grant or deny it" in m.body]
    assert asked == [], asked[0].body


def test_a_return_answered_before_its_email_went_out_does_not_ask_for_a_correction(
        officer_a, reviewer):
    incident = case_under_review(officer_a)
    report, _ = file_report_at(officer_a, incident, "written", at=FILED_AT)
    with time_machine.travel(FILED_AT + timedelta(hours=1), tick=False), committed():
        reports.return_report(actor=reviewer, report=report,
                              comment="Name the firmware versions.")
    OutboundEmail.objects.exclude(template="report_reviewed").delete()
    # The mail server is down for a few minutes; the officer files the correction
    # (from the case page, or their tooling through the API) before the e-mail goes out.
    file_report_at(officer_a, incident, "written", at=FILED_AT + timedelta(hours=1, minutes=5),
                   circumstances="A forged reset was accepted by Meter M-1, firmware 4.2.")
    OutboundEmail.objects.exclude(template="report_reviewed").delete()

    with time_machine.travel(FILED_AT + timedelta(hours=1, minutes=6), tick=False):
        outbox.send_due_emails()

    (message,) = mail.outbox
    assert "File a corrected version by" not in message.body
    assert "A corrected version has been filed since" in message.body
    assert "corrected version due" not in message.subject


def test_a_return_whose_correction_was_given_more_time_before_its_email_went_out_says_the_time_now(
        officer_a, reviewer):
    from compliance.models import Obligation

    incident = case_under_review(officer_a)
    report, _ = file_report_at(officer_a, incident, "written", at=FILED_AT)
    with time_machine.travel(FILED_AT + timedelta(hours=1), tick=False), committed():
        review = reports.return_report(actor=reviewer, report=report,
                                       comment="Name the firmware versions.",
                                       resubmission_due_at=FILED_AT + timedelta(days=3))
    duty = Obligation.objects.get(pk=review.resubmission_obligation_id)
    later = FILED_AT + timedelta(days=10)
    with time_machine.travel(FILED_AT + timedelta(hours=1, minutes=5), tick=False), committed():
        extension = services.request_extension(actor=officer_a, obligation=duty,
                                           requested_due_at=later, justification="Lab booked.")
        services.grant_extension(actor=reviewer, extension=extension)
    OutboundEmail.objects.exclude(template="report_reviewed").delete()

    with time_machine.travel(FILED_AT + timedelta(hours=1, minutes=6), tick=False):
        outbox.send_due_emails()

    (message,) = mail.outbox
    # 2026-06-20 08:00 EDT is the due time now; 2026-06-13 08:00 EDT the one it replaced.
    assert "2026-06-13 08:00" not in message.subject + message.body
    assert "File a corrected version by 2026-06-20 08:00 EDT" in message.body
    assert message.subject.endswith("corrected version due 2026-06-20 08:00 EDT")


def test_a_report_reviewed_before_its_email_went_out_is_not_sent_as_one_to_review(
        officer_a, reviewer):
    """As an extension request decided meanwhile asks nobody to decide it, a report
    another reviewer has already accepted does not ask every reviewer to review it."""
    from tests import factories

    other = factories.ReviewerFactory(username="other_reviewer")
    incident = case_under_review(officer_a)  # nobody assigned: every reviewer is told
    report, _ = file_report_at(officer_a, incident, "written", at=FILED_AT)
    assert OutboundEmail.objects.filter(template="report_filed").count() == 2
    with time_machine.travel(FILED_AT + timedelta(minutes=5), tick=False), committed():
        reports.accept_report(actor=other, report=report)
    OutboundEmail.objects.exclude(template="report_filed").delete()

    with time_machine.travel(FILED_AT + timedelta(minutes=6), tick=False):
        outbox.send_due_emails()

    assert [m for m in mail.outbox if "Review it" in m.body] == []
    assert set(OutboundEmail.objects.filter(template="report_filed")
               .values_list("state", flat=True)) == {"skipped"}


def extension_asked_of_two_reviewers(officer):
    """A request for more time on a duty of `officer`'s provider, its e-mail queued to two
    reviewers; returns the request and the second reviewer."""
    from tests import factories

    duty = factories.ObligationFactory(provider=officer.provider,
                                       due_at=NOW + timedelta(days=2), incident_id=77)
    other = factories.ReviewerFactory(username="other_reviewer")
    with committed():
        extension = request_extension(actor=officer, obligation=duty,
                                      requested_due_at=NOW + timedelta(days=9),
                                      justification="Lab delay.")
    return extension, other


class DecidingBackend(BaseEmailBackend):
    """A slow mail server: while it takes the first message, another reviewer decides the
    extension request."""

    decide = None
    sent = []

    def send_messages(self, email_messages):
        DecidingBackend.sent.extend(email_messages)
        if DecidingBackend.decide is not None:
            decide, DecidingBackend.decide = DecidingBackend.decide, None
            decide()
        return len(email_messages)


def test_an_extension_decided_while_a_slow_batch_goes_out_is_not_sent_as_one_to_decide(
        settings, monkeypatch, officer_a, reviewer):
    """A later e-mail of a slow batch reads again the rows its context names, not only its
    own row."""
    monkeypatch.setattr(outbox, "FRESH_SECONDS", 0)  # every later e-mail's rows are re-read
    settings.EMAIL_BACKEND = f"{__name__}.DecidingBackend"
    DecidingBackend.sent = []
    with time_machine.travel(NOW, tick=False):
        extension, other = extension_asked_of_two_reviewers(officer_a)
        OutboundEmail.objects.exclude(template="extension_requested").delete()
        assert OutboundEmail.objects.count() == 2
        DecidingBackend.decide = lambda: deny_extension(
            actor=other, extension=extension, comment="No: file what you have.")

        outbox.send_due_emails()

    asked = [m for m in DecidingBackend.sent if "Grant or deny it" in m.body]
    assert len(asked) == 1, [m.to for m in asked]
    assert sorted(OutboundEmail.objects.values_list("state", flat=True)) == [
        EmailState.SENT, EmailState.SKIPPED]
