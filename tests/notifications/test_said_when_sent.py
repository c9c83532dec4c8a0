"""E-mails say what is so when they go out (a mail server's outage holds them up to half an
hour of retries): a review answered by a version filed meanwhile asks no upload, and a
request decided meanwhile asks no decision."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from compliance import services
from compliance.services import ensure_procedures_obligations
from notifications import services as outbox
from notifications.models import OutboundEmail
from tests.factories import committed

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
    from compliance.services.extensions import deny_extension, request_extension
    from tests import factories

    with time_machine.travel(NOW, tick=False):
        duty = factories.ObligationFactory(provider=officer_a.provider,
                                           due_at=NOW + timedelta(days=2), incident_id=77)
        other = factories.ReviewerFactory(username="other_reviewer")
        with committed():
            extension = request_extension(actor=officer_a, obligation=duty,
                                          requested_due_at=NOW + timedelta(days=9),
                                          justification="Lab delay.")
        assert OutboundEmail.objects.filter(template="extension_requested").count() == 2
        with committed():
            deny_extension(actor=other, extension=extension, comment="No: file what you have.")
        OutboundEmail.objects.exclude(template="extension_requested").delete()

        outbox.send_due_emails()

    asked = [m for m in mail.outbox if "Grant or deny it" in m.body]
    assert asked == [], asked[0].body
