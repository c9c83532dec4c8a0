"""Extension requests on obligations: an officer asks for more time, USPS decides.

Each change is published (`extension.requested`, `extension.decided`): after it commits,
the notifications app e-mails the other side, whoever called the service.

Errors: `PermissionDenied` for the wrong role or provider; `ValidationError` with a
field dict for bad input; `Conflict` when the state forbids it, e.g. deciding a request
already decided.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from compliance.changes import publish
from compliance.deadlines import is_late
from compliance.display import display_time
from compliance.enforcement.cases import case_source
from compliance.errors import Conflict
from compliance.models import ExtensionRequest, ExtensionState, Obligation, ObligationKind
from compliance.models.obligations import ObligationState
from compliance.window import check_datetime

from .audit import iso_time, record_event
from .chain import appended_at_end
from .obligations import move_obligation_due
from .targets import hold_usps_target, meet_usps_target, open_usps_target
from .users import hold_actor

REQUESTED = "extension.requested"
DECIDED = "extension.decided"
# Sent in the grant's transaction (obligation, before: its due time before, actor, at): the
# apps above compliance act on it there, e.g. the reports app keeps a final summary that
# waits on the first status report's day with that report.
extended = Signal()


def _iso(value):
    return iso_time(value)


def extension_subject(obligation, subject=None):
    """The subject of USPS's item to decide an extension of `obligation` (named by
    `subject`, by default its own)."""
    return (f"Extension of the {obligation.get_kind_display().lower()}: "
            f"{obligation.subject if subject is None else subject}")[:300]


@transaction.atomic
def request_extension(*, actor, obligation, requested_due_at, justification):
    """An officer of the obligation's provider asks for a later due time, with reasons.
    The obligation must still be owed and known to USPS; one pending request at a time."""
    if not (actor.is_provider_officer and actor.provider_id == obligation.provider_id) \
            or obligation.is_usps_target:
        raise PermissionDenied("Only the provider's compliance officers ask for extensions.")
    if requested_due_at is None:
        raise ValidationError({"requested_due_at": ["Give the time with its UTC offset."]})
    check_datetime(requested_due_at, "requested_due_at")
    if not (justification or "").strip():
        raise ValidationError({"justification": ["Say why more time is needed."]})
    # The case first: its target's insert updates the case's row. The duty is read under
    # both locks, its reviewer as any assignment to the case left it.
    case_source().lock(obligation.incident_id)
    obligation = Obligation.objects.select_for_update(no_key=True).get(pk=obligation.pk)
    hold_actor(actor)  # as they are now: a closed account, a move, is refused
    if not (actor.is_provider_officer and actor.provider_id == obligation.provider_id):
        raise PermissionDenied("Only the provider's compliance officers ask for extensions.")
    if not obligation.is_outstanding:
        raise Conflict(f"An obligation {obligation.standing} is not owed; there is no due "
                       "time to extend.")
    if not obligation.usps_visible:
        raise Conflict("File the case first: USPS decides extensions on filed cases.")
    if requested_due_at <= obligation.due_at:
        raise ValidationError({"requested_due_at": [
            f"Ask for a time after the current due time ({display_time(obligation.due_at)})."]})
    now = timezone.now()
    if requested_due_at <= now:
        raise ValidationError({"requested_due_at": [
            f"{display_time(requested_due_at)} has passed: ask for a time to come."]})
    if obligation.extension_requests.pending().exists():
        raise Conflict("An extension request on this obligation is already pending.")
    extension = ExtensionRequest.objects.create(
        obligation=obligation, requested_by=actor, due_at_when_requested=obligation.due_at,
        requested_due_at=requested_due_at, justification=justification.strip(),
        created_at=now)
    record_event(actor=actor, obj=obligation, action="obligation.extension_requested", at=now,
                 changes={"requested_due_at": [None, _iso(requested_due_at)]},
                 reason=extension.justification)
    open_usps_target(
        actor=actor, kind=ObligationKind.USPS_EXTENSION_DECISION, provider=obligation.provider,
        subject=extension_subject(obligation),
        at=now, object_id=extension.pk, incident_id=obligation.incident_id,
        reviewer=obligation.reviewer,
        # By the time, as every filing is: the sweep may not have marked it missed yet.
        filed_late=(obligation.state == ObligationState.MISSED
                    or is_late(obligation.due_at, now)))
    publish(REQUESTED, extension=extension.pk)
    return extension


def _require_usps(actor):
    if not actor.is_usps:
        raise PermissionDenied("Only USPS staff decide extension requests.")


def _lock_pending(actor, extension):
    """Lock the request and its obligation, after the obligation's case: deciding writes
    the case's duties, which update its row."""
    _require_usps(actor)
    case_id, duty_id = (ExtensionRequest.objects.filter(pk=extension.pk)
                        .values_list("obligation__incident_id", "obligation_id").first())
    case_source().lock(case_id)
    # The duty before the request, as a waiver of the duty does (which then settles the
    # request): a duty of no case (the procedures') has no case lock to keep them apart.
    list(Obligation.objects.select_for_update(no_key=True).filter(pk=duty_id)
         .values_list("pk", flat=True))
    extension = (ExtensionRequest.objects.select_for_update(no_key=True, of=("self",))
                 .select_related("obligation").get(pk=extension.pk))
    _require_usps(hold_actor(actor))  # as they are now: a closed account is refused
    if extension.state != ExtensionState.PENDING:
        raise Conflict(
            f"This request was already {extension.get_state_display().lower()}.")
    hold_usps_target(ObligationKind.USPS_EXTENSION_DECISION, extension.pk)
    return extension


@transaction.atomic
@appended_at_end()
def grant_extension(*, actor, extension, comment="", due_at=None):
    """USPS grants more time: the obligation's `due_at` moves to `due_at` when given (a
    time USPS chose, later than the current due time and to come), else to the time asked
    for (refused once it has passed); its
    `original_due_at` stays. The comment, else the justification, is the recorded reason."""
    check_datetime(due_at, "due_at")
    extension = _lock_pending(actor, extension)
    granted = due_at or extension.requested_due_at
    if granted <= extension.obligation.due_at:
        raise ValidationError({"due_at": [
            "Grant a time after the current due time "
            f"({display_time(extension.obligation.due_at)})."]})
    now = timezone.now()
    if granted <= now:
        # The duty would be due, and perhaps missed, before the time granted it.
        raise ValidationError({"due_at": [
            f"{display_time(granted)} has passed: grant a time to come."]})
    comment = (comment or "").strip()
    reason = f"Extension granted. {comment or extension.justification}"
    before = extension.obligation.due_at
    obligation = move_obligation_due(
        actor=actor, obligation=extension.obligation, due_at=granted,
        reason=reason, action="obligation.extension_granted")
    extended.send(sender=None, obligation=obligation, before=before, actor=actor, at=now)
    ExtensionRequest.objects.filter(pk=extension.pk).update(
        state=ExtensionState.GRANTED, decided_by=actor, decided_at=now,
        comment=comment, granted_due_at=granted)
    meet_usps_target(actor=actor, kind=ObligationKind.USPS_EXTENSION_DECISION,
                     object_id=extension.pk, at=now)
    publish(DECIDED, extension=extension.pk)
    extension.refresh_from_db()
    extension.obligation = obligation
    return extension


@transaction.atomic
@appended_at_end()
def deny_extension(*, actor, extension, comment):
    """USPS denies the request, saying why; the due time stays where it is."""
    _require_usps(actor)
    if not (comment or "").strip():
        raise ValidationError({"comment": ["Say why the extension is denied."]})
    extension = _lock_pending(actor, extension)
    _deny(actor, extension, comment.strip(), timezone.now())
    publish(DECIDED, extension=extension.pk)
    return extension


def _deny(actor, extension, comment, now):
    """Record the denial of a pending request (locked) and meet USPS's target to decide it."""
    ExtensionRequest.objects.filter(pk=extension.pk).update(
        state=ExtensionState.DENIED, decided_by=actor, decided_at=now, comment=comment)
    extension.refresh_from_db()
    record_event(actor=actor, obj=extension.obligation, action="obligation.extension_denied",
                 at=now, changes={"requested_due_at": [_iso(extension.requested_due_at), None]},
                 reason=extension.comment)
    meet_usps_target(actor=actor, kind=ObligationKind.USPS_EXTENSION_DECISION,
                     object_id=extension.pk, at=now)


def settle_pending(*, actor, reason, at, incident_id=None, obligation_id=None, tell=False):
    """The pending requests for more time on duties owed no more: a case's (`incident_id`)
    as it closes, or one duty's (`obligation_id`) as USPS waives it. Each is denied with
    `reason` and USPS's target to decide it met, so none waits in its inbox, is missed on
    its record, or offers a grant that would move a duty no longer owed. The caller holds
    the case. `tell`: each denial is e-mailed as a decision (else the caller's own e-mail
    says so). Returns the requests denied."""
    pending = (ExtensionRequest.objects.select_for_update(no_key=True, of=("self",))
               .select_related("obligation").filter(state=ExtensionState.PENDING))
    pending = list((pending.filter(obligation__incident_id=incident_id)
                    if incident_id is not None else pending.filter(obligation_id=obligation_id))
                   .order_by("pk"))
    for extension in pending:
        _deny(actor, extension, reason, at)
        if tell:
            publish(DECIDED, extension=extension.pk)
    return pending


def settle_met(*, duty, at):
    """A duty just met (filed, answered) leaves nothing to extend: a request still pending
    on it is denied, by no one, with that reason, and USPS's target to decide it met. The
    officers are not e-mailed: their own filing met it. Returns the requests denied."""
    return settle_pending(actor=None, obligation_id=duty.pk, at=at, reason=(
        f"The obligation was met ({display_time(at)}): nothing is left to extend."))
