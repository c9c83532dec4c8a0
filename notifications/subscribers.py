"""E-mails about changes the compliance app publishes (`compliance.changes`): written to the
outbox after the change commits, by the one subscriber of its topic, whoever made the
change (page, API, admin or task).

An extension request goes to the obligation's assigned reviewer, or to every USPS reviewer
when none is; a decision to the provider's compliance officers. A procedures version goes
to the USPS reviewers; USPS's review of it to the provider's compliance officers.
"""

from django.urls import reverse

from compliance.changes import subscribe
from compliance.models import (
    ExtensionRequest,
    ExtensionState,
    Obligation,
    ObligationKind,
    ProcedureDocument,
    User,
)
from compliance.services import extensions, procedures

from .services import queue_email


def _extension(pk):
    return ExtensionRequest.objects.select_related("obligation").filter(pk=pk).first()


def _extension_context(extension):
    return {"extension": extension, "obligation": extension.obligation,
            "obligation_path": reverse("obligation-detail", args=[extension.obligation_id])}


@subscribe(extensions.REQUESTED)
def extension_requested(extension):
    extension = _extension(extension)
    if extension is None:
        return
    queue_email(recipients=User.objects.reviewers_for(extension.obligation.reviewer),
                template="extension_requested", context=_extension_context(extension),
                key=f"extension_requested:{extension.pk}")


@subscribe(extensions.DECIDED)
def extension_decided(extension):
    extension = _extension(extension)
    if extension is None or extension.state == ExtensionState.PENDING:
        return
    template = ("extension_granted" if extension.state == ExtensionState.GRANTED
                else "extension_denied")
    queue_email(recipients=User.objects.officers_of(extension.obligation.provider_id),
                template=template, context=_extension_context(extension),
                key=f"extension_decided:{extension.pk}")


@subscribe(procedures.UPLOADED)
def procedures_uploaded(document):
    document = ProcedureDocument.objects.filter(pk=document).first()
    if document is None:
        return
    queue_email(recipients=User.objects.reviewers(), template="procedures_uploaded",
                context={"document": document,
                         "document_path": reverse("procedures-review", args=[document.pk])},
                key=f"procedures_uploaded:{document.pk}")


@subscribe(procedures.REVIEWED)
def procedures_reviewed(document):
    document = ProcedureDocument.objects.filter(pk=document).first()
    if document is None:
        return
    duty = (Obligation.objects.outstanding()
            .filter(provider_id=document.provider_id, kind=ObligationKind.PROCEDURES).first())
    queue_email(recipients=User.objects.officers_of(document.provider_id),
                template="procedures_reviewed",
                context={"document": document, "duty": duty,
                         "list_path": reverse("procedures-list")},
                key=f"procedures_reviewed:{document.pk}")
