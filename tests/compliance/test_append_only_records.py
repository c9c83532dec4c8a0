"""What was filed or decided is kept by the database as it was, whoever asks (PostgreSQL's
triggers), beyond the version tables and the audit chain: a filed procedures version, a
USPS review decision, a decided extension request, a comment, an attachment record, a
proceeding's note."""

from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection, transaction

from compliance import services as core
from compliance.models import ExtensionRequest, ProcedureDocument
from compliance.services.chain import verify_chain
from incidents import services as incident_services
from incidents.models import Attachment, Comment
from reports import services as report_services
from reports.models import ReportReview
from tests import factories
from tests.conftest import require_service
from tests.reports.factories import NOW, case_under_review, file_report_at, written_duty

PDF = b"%PDF-1.4 internal reporting procedures"


@pytest.fixture(autouse=True)
def postgresql(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    if connection.vendor != "postgresql":
        require_service("database triggers need DATABASE_URL to name PostgreSQL")


def refused(sql, params=()):
    """Whether the database refuses the statement (as the version tables do)."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    except DatabaseError:
        return True
    return False


def test_a_filed_procedures_version_cannot_be_rewritten_or_removed(officer_a, reviewer):
    with factories.committed():
        document = core.upload_procedures(
            actor=officer_a, provider=officer_a.provider, effective_date=NOW.date(),
            uploaded_file=SimpleUploadedFile("p.pdf", PDF, content_type="application/pdf"))
        core.accept_procedures(actor=reviewer, document=document)

    # The filed content (what USPS reviewed, with its hash) is swapped behind its receipt ...
    assert refused("UPDATE compliance_proceduredocument SET sha256 = %s, "
                   "summary_of_changes = 'rewritten' WHERE id = %s", ["0" * 64, document.pk])
    # ... or the filing disappears from the provider's § 501.11(d) record.
    assert refused("DELETE FROM compliance_proceduredocument WHERE id = %s", [document.pk])
    assert ProcedureDocument.objects.get(pk=document.pk).sha256 == document.sha256


def test_a_usps_review_decision_is_never_edited(officer_a, reviewer):
    case = case_under_review(officer_a, at=NOW - timedelta(hours=3))
    report, _ = file_report_at(officer_a, case, "written", at=NOW - timedelta(hours=1))
    with factories.committed():
        review = report_services.return_report(actor=reviewer, report=report,
                                               comment="Say which firmware.")

    # "Never edited" (ReportReview): a return silently turned into an acceptance.
    assert refused("UPDATE reports_reportreview SET decision = 'accepted', comment = '' "
                   "WHERE id = %s", [review.pk])
    assert ReportReview.objects.get(pk=review.pk).decision == "returned"


def test_a_decided_extension_request_is_never_edited(officer_a, reviewer):
    case = case_under_review(officer_a, at=NOW - timedelta(hours=3))
    duty = written_duty(case)
    with time_machine.travel(NOW, tick=False), factories.committed():
        extension = core.request_extension(actor=officer_a, obligation=duty,
                                           requested_due_at=duty.due_at + timedelta(days=7),
                                           justification="The lab is booked.")
        core.deny_extension(actor=reviewer, extension=extension, comment="No.")

    # "Append-only once decided" (ExtensionRequest).
    assert refused("UPDATE compliance_extensionrequest SET state = 'granted', "
                   "granted_due_at = requested_due_at WHERE id = %s", [extension.pk])
    assert ExtensionRequest.objects.get(pk=extension.pk).state == "denied"


def test_a_comment_is_never_edited_or_deleted(officer_a, reviewer):
    case = case_under_review(officer_a, at=NOW - timedelta(hours=3))
    with factories.committed():
        comment = incident_services.add_comment(actor=officer_a, incident=case,
                                                body="We told you on day one.")

    # "Append-only: never edited or deleted" (Comment).
    assert refused("UPDATE incidents_comment SET body = 'nothing' WHERE id = %s", [comment.pk])
    assert refused("DELETE FROM incidents_comment WHERE id = %s", [comment.pk])
    assert Comment.objects.get(pk=comment.pk).body == "We told you on day one."


def test_an_attachment_record_of_a_filed_case_is_never_rewritten(officer_a):
    case = case_under_review(officer_a, at=NOW - timedelta(hours=3))
    with factories.committed():
        attachment = incident_services.add_attachment(
            actor=officer_a, incident=case,
            uploaded_file=SimpleUploadedFile("evidence.pdf", PDF,
                                             content_type="application/pdf"))

    assert refused("UPDATE incidents_attachment SET sha256 = %s WHERE id = %s",
                   ["0" * 64, attachment.pk])
    assert refused("DELETE FROM incidents_attachment WHERE id = %s", [attachment.pk])
    assert Attachment.objects.get(pk=attachment.pk).sha256 == attachment.sha256
    assert verify_chain().ok


def test_a_proceeding_note_is_never_edited_or_deleted(manager, provider_a):
    from compliance.enforcement.services import add_proceeding_note
    from tests.enforcement.helpers import open_sanction

    proceeding = open_sanction(manager, provider_a, amount="100.00")
    with factories.committed():
        note = add_proceeding_note(actor=manager, proceeding=proceeding, body="Counsel agrees.")

    assert refused("UPDATE compliance_proceedingnote SET body = 'x' WHERE id = %s", [note.pk])
    assert refused("DELETE FROM compliance_proceedingnote WHERE id = %s", [note.pk])


def test_what_a_pending_extension_asked_is_kept_while_its_decision_is_written_once(
        officer_a, reviewer):
    case = case_under_review(officer_a, at=NOW - timedelta(hours=3))
    duty = written_duty(case)
    with time_machine.travel(NOW, tick=False), factories.committed():
        extension = core.request_extension(actor=officer_a, obligation=duty,
                                           requested_due_at=duty.due_at + timedelta(days=7),
                                           justification="The lab is booked.")
    assert refused("UPDATE compliance_extensionrequest SET justification = 'x' WHERE id = %s",
                   [extension.pk])
    assert refused("DELETE FROM compliance_extensionrequest WHERE id = %s", [extension.pk])
    with time_machine.travel(NOW, tick=False), factories.committed():
        core.grant_extension(actor=reviewer, extension=extension)
    assert ExtensionRequest.objects.get(pk=extension.pk).state == "granted"
