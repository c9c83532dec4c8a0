"""E-mails about changes the compliance app publishes (`compliance.changes`): written to the
outbox after the change commits, by the one subscriber of its topic, whoever made the
change (page, API, admin or task).

An extension request goes to the obligation's assigned reviewer, or to every USPS reviewer
when none is; a decision to the provider's compliance officers. A procedures version goes
to the USPS reviewers; USPS's review of it to the provider's compliance officers. A
proceeding's notices and decisions go to the provider's compliance officers, its answers
to the USPS managers, and a change of its authorization status to both.
"""

from django.urls import reverse

from compliance.changes import subscribe
from compliance.enforcement import services as enforcement
from compliance.enforcement import status as enforcement_status
from compliance.models import (
    ExtensionRequest,
    ExtensionState,
    Obligation,
    ObligationKind,
    ProcedureDocument,
    ProcedureReview,
    ProceedingStep,
    ProviderStatusChange,
    Side,
    User,
)
from compliance.models.register import AuthorizationStatus
from compliance.services import extensions, procedures, register

from .rendering import NotApplicable, builder
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
    queue_email(recipients=User.objects.officers_of(document.provider_id),
                template="procedures_reviewed",
                context={"document": document, "list_path": reverse("procedures-list")},
                key=f"procedures_reviewed:{document.pk}")


@builder("procedures_reviewed")
def _procedures_reviewed(email, context, now):
    """What is owed after the review, as it is when the e-mail goes out: changes asked on a
    version a later one (with USPS, or accepted) already answers owe nothing more, and the
    e-mail says so rather than asking for an upload."""
    document = context["document"]
    duty = (Obligation.objects.outstanding()
            .filter(provider_id=document.provider_id, kind=ObligationKind.PROCEDURES).first())
    answered_by = (ProcedureDocument.objects
                   .filter(provider_id=document.provider_id, version__gt=document.version,
                           review_state__in=[ProcedureReview.PENDING, ProcedureReview.ACCEPTED])
                   .order_by("version").values_list("version", flat=True).first())
    return {**context, "duty": duty, "answered_by": answered_by}


@builder("extension_requested")
def _extension_requested(email, context, now):
    """A request asks USPS to decide it: decided before the e-mail goes out (by another
    reviewer), it asks nothing more."""
    if context["extension"].state != ExtensionState.PENDING:
        raise NotApplicable("the request has been decided")
    return context


def _step(pk):
    return (ProceedingStep.objects.select_related("proceeding__provider", "period")
            .filter(pk=pk).first())


def _proceeding_context(step, version=1):
    # The text as that version has it: one sent after an amendment still says what it
    # said.
    return {"step": step, "proceeding": step.proceeding, "version": version,
            "step_version": step.versions.filter(number=version).first(),
            "period": step.period,
            "proceeding_path": reverse("proceeding-detail", args=[step.proceeding_id])}


@subscribe(enforcement.STEP_ISSUED)
def proceeding_step_issued(step, version=1):
    """A USPS notice or decision to the provider's compliance officers, the provider's
    answer to the USPS managers. Nothing internal to USPS is in either."""
    step = _step(step)
    if step is None:
        return
    provider_id = step.proceeding.provider_id
    recipients = (User.objects.managers() if step.side == Side.PROVIDER
                  else User.objects.officers_of(provider_id))
    queue_email(recipients=recipients, template="proceeding_step",
                context=_proceeding_context(step, version),
                key=f"proceeding:{step.proceeding_id}:step:{step.number}:v{version}")


@subscribe(register.STATUS_SET)
def authorization_status_set(provider, change):
    """A status a manager set in the register, with its reason (the provider's own status
    history shows it too)."""
    change = (ProviderStatusChange.objects.select_related("provider").filter(pk=change)
              .first())
    if change is None:
        return
    queue_email(recipients=[*User.objects.officers_of(provider), *User.objects.managers()],
                template="authorization_status_set",
                context={"change": change, "provider": change.provider,
                         "provider_path": reverse("provider-detail", args=[provider])},
                key=f"authorization:{provider}:change:{change.pk}")


@subscribe(enforcement_status.STATUS_CHANGED)
def authorization_status_changed(provider, step, status=None):
    """`status`: what the provider's proceedings together gave it (the step's own, unless
    another proceeding still holds it: a revocation reversed while another's suspension
    runs leaves the provider suspended)."""
    step = _step(step)
    if step is None:
        return
    status = status or step.to_status
    queue_email(recipients=[*User.objects.officers_of(provider), *User.objects.managers()],
                template="authorization_status_changed",
                context={**_proceeding_context(step), "provider": step.proceeding.provider,
                         "status": status, "status_label": AuthorizationStatus(status).label,
                         "held_elsewhere": status != step.to_status,
                         "held_by_register": status != step.to_status and enforcement_status
                         .holder(step.proceeding.provider)[1] is not None},
                key=f"authorization:{provider}:step:{step.pk}")


@builder("proceeding_step")
def _proceeding_step(email, context, now):
    """Whether the step's status, in effect, is outweighed as the e-mail goes out: still
    its proceeding's hold, while another proceeding (or USPS in the register) holds the
    provider otherwise. A step its own proceeding has moved past since says nothing of it."""
    step = context["step"]
    outweighed = False
    if step.to_status and step.status_applied_at:
        provider = step.proceeding.provider
        held = enforcement_status.holds(provider.pk).get(step.proceeding_id)
        outweighed = (held is not None and held.pk == step.pk
                      and provider.authorization_status != step.to_status)
    return {**context, "outweighed": outweighed}


@builder("incident_triaged")
def _incident_triaged(email, context, now):
    """The status reports as they stand when the e-mail goes out: during the investigation
    the next one owed, and its due time (a re-triage changes the interval from the next
    one on, not the one owed)."""
    from reports.services.flow import regular_duty, summary_filed

    incident = context["incident"]
    # The cadence's next one (a returned status report's correction is not the next).
    next_status = regular_duty(incident, ObligationKind.STATUS_REPORT)
    return {**context, "next_status": next_status,
            "summary_filed": next_status is None and summary_filed(incident)}
