"""Extension requests with their e-mails: the compliance services, then both sides told.

A request goes to the obligation's assigned reviewer, or to every USPS reviewer when
none is assigned; a decision goes to the provider's compliance officers. The e-mails
are written in the same transaction as the change and sent after commit.
"""

from django.db import transaction
from django.urls import reverse

from compliance import services as core
from compliance.models import User
from notifications.services import queue_email


def obligation_path(obligation):
    return reverse("obligation-detail", args=[obligation.pk])


def _reviewers_for(obligation):
    return User.objects.reviewers_for(obligation.reviewer)


def _officers_of(obligation):
    return list(User.objects.officers_of(obligation.provider_id))


def _context(extension):
    obligation = extension.obligation
    return {"extension": extension, "obligation": obligation,
            "obligation_path": obligation_path(obligation)}


@transaction.atomic
def request_extension(*, actor, obligation, requested_due_at, justification):
    extension = core.request_extension(actor=actor, obligation=obligation,
                                       requested_due_at=requested_due_at,
                                       justification=justification)
    obligation = extension.obligation
    queue_email(recipients=_reviewers_for(obligation), template="extension_requested",
                context=_context(extension), key=f"extension_requested:{extension.pk}")
    return extension


@transaction.atomic
def grant_extension(*, actor, extension, comment="", due_at=None):
    extension = core.grant_extension(actor=actor, extension=extension, comment=comment,
                                     due_at=due_at)
    queue_email(recipients=_officers_of(extension.obligation), template="extension_granted",
                context=_context(extension), key=f"extension_decided:{extension.pk}")
    return extension


@transaction.atomic
def deny_extension(*, actor, extension, comment):
    extension = core.deny_extension(actor=actor, extension=extension, comment=comment)
    queue_email(recipients=_officers_of(extension.obligation), template="extension_denied",
                context=_context(extension), key=f"extension_decided:{extension.pk}")
    return extension
