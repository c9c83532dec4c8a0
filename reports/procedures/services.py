"""Internal reporting procedures with their upload checks and e-mails.

The file is checked here, on its content, with the same rules as incident attachments
(size limit, accepted kinds); the compliance service then stores it. Uploads are
e-mailed to the USPS reviewers; reviews to the provider's compliance officers.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse

from compliance import services as core
from compliance.errors import TooLarge
from compliance.models import Obligation, ObligationKind, User
from incidents.services.attachments import HEAD_BYTES, clean_name, max_attachment_bytes
from incidents.services.filetypes import detect_content_type
from notifications.services import queue_email


def _head(uploaded_file):
    uploaded_file.seek(0)
    head = uploaded_file.read(HEAD_BYTES)
    uploaded_file.seek(0)
    return head


def check_upload(uploaded_file):
    """(clean name, content type) of an acceptable file; TooLarge (413) or
    ValidationError (400, on `file`) otherwise."""
    limit = max_attachment_bytes()
    if uploaded_file.size > limit:
        raise TooLarge.upload(uploaded_file.size, limit)
    name = clean_name(uploaded_file.name)
    return name, detect_content_type(_head(uploaded_file), name)


@transaction.atomic
def upload_procedures(*, actor, provider, uploaded_file, effective_date,
                      summary_of_changes=""):
    if not (actor.is_provider_officer and actor.provider_id == provider.pk):
        # Refuse before reading the file; the core service checks again.
        raise PermissionDenied(
            "Only the provider's compliance officers file its procedures.")
    name, content_type = check_upload(uploaded_file)
    document = core.upload_procedures(
        actor=actor, provider=provider, uploaded_file=uploaded_file, original_name=name,
        content_type=content_type, effective_date=effective_date,
        summary_of_changes=summary_of_changes)
    reviewers = User.objects.reviewers()
    queue_email(recipients=list(reviewers), template="procedures_uploaded",
                context={"document": document,
                         "document_path": reverse("procedures-review", args=[document.pk])},
                key=f"procedures_uploaded:{document.pk}")
    return document


def _tell_officers(document):
    officers = User.objects.officers_of(document.provider_id)
    duty = (Obligation.objects.outstanding()
            .filter(provider_id=document.provider_id, kind=ObligationKind.PROCEDURES).first())
    queue_email(recipients=list(officers), template="procedures_reviewed",
                context={"document": document, "duty": duty,
                         "list_path": reverse("procedures-list")},
                key=f"procedures_reviewed:{document.pk}")


@transaction.atomic
def accept_procedures(*, actor, document, comment=""):
    document = core.accept_procedures(actor=actor, document=document, comment=comment)
    _tell_officers(document)
    return document


@transaction.atomic
def request_procedure_changes(*, actor, document, comment, due_at=None):
    document = core.request_procedure_changes(actor=actor, document=document,
                                              comment=comment, due_at=due_at)
    _tell_officers(document)
    return document
