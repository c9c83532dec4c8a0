"""A provider's authorization status follows its proceedings: a step that brings a status
(a notice of suspension, a revocation, a reinstatement, a withdrawal or reversal of a
suspension in force) takes effect on its effective date, applied by the deadline sweep (or
at once by the step itself when that date has come), and recorded in the provider's status
history like any other change."""

from django.db import transaction
from django.db.models import Max

from compliance.changes import publish
from compliance.models import Proceeding, ProceedingStep, Provider, ProviderStatusChange
from compliance.models.register import AuthorizationStatus
from compliance.services.audit import record_event
from compliance.services.chain import appended_at_end

STATUS_CHANGED = "provider.status_changed"
BATCH = 100


def held_by_another(proceeding):
    """Whether another proceeding of the provider holds it suspended or revoked: the last
    status that proceeding's steps brought into effect is not "authorized", and no change
    by hand in the register came after it."""
    by_hand = (ProviderStatusChange.objects
               .filter(provider_id=proceeding.provider_id, changed_by__isnull=False)
               .aggregate(last=Max("changed_at"))["last"])
    brought = {}
    for other, status, at in (
            ProceedingStep.objects
            .filter(proceeding__provider_id=proceeding.provider_id,
                    status_applied_at__isnull=False)
            .exclude(proceeding_id=proceeding.pk).exclude(to_status="")
            .order_by("status_applied_at", "id")
            .values_list("proceeding_id", "to_status", "status_applied_at")):
        brought[other] = (status, at)
    return any(status != AuthorizationStatus.AUTHORIZED and (by_hand is None or at > by_hand)
               for status, at in brought.values())


def apply_status_change(step, now):
    """Give the provider the status `step` brings (locked; inside a transaction); a no-op
    when it already has it, or when the step would authorize a provider another
    proceeding holds suspended (a reinstatement one proceeding dated ahead, then closed,
    ends its own suspension, not one a later proceeding noticed). Marks the step applied
    either way, or cancelled when the provider's approval is revoked and not by the
    step's own proceeding: a revocation ends the approval, and only the proceeding that
    revoked it gives it back (a reversal on appeal); another proceeding's notice, or the
    end of a suspension revoked meanwhile in the register, changes nothing."""
    proceeding = step.proceeding
    provider = Provider.objects.select_for_update(no_key=True).get(pk=proceeding.provider_id)
    old = provider.authorization_status
    if old == AuthorizationStatus.REVOKED != step.to_status and not proceeding.steps.filter(
            to_status=AuthorizationStatus.REVOKED, status_applied_at__isnull=False).exists():
        step.status_cancelled = True
        ProceedingStep.objects.filter(pk=step.pk).update(status_cancelled=True)
        return False
    step.status_applied_at = now
    ProceedingStep.objects.filter(pk=step.pk).update(status_applied_at=now)
    if old == step.to_status or (step.to_status == AuthorizationStatus.AUTHORIZED
                                 and held_by_another(proceeding)):
        return False
    provider.authorization_status = step.to_status
    provider.save(update_fields=["authorization_status"])
    reason = (f"{step.get_kind_display()} ({proceeding.reference}, step {step.number}), "
              "effective on its date.")
    ProviderStatusChange.objects.create(provider=provider, from_status=old,
                                        to_status=step.to_status, reason=reason,
                                        changed_by=None, changed_at=now)
    record_event(actor=None, obj=provider, action="provider.status_changed", at=now,
                 changes={"authorization_status": [old, step.to_status]}, reason=reason)
    publish(STATUS_CHANGED, provider=provider.pk, step=step.pk)
    return True


def cancel_pending_status_changes(proceeding, keep=None, from_=None):
    """Status changes of the proceeding not yet in effect are ended by a later step: all
    of them, or (`from_`, the step's own effective time) those that would take effect
    from then on. One dated before still takes effect first: a reinstatement dated after
    a suspension begins ends it early; it does not undo it."""
    pending = ProceedingStep.objects.filter(proceeding=proceeding, status_applied_at__isnull=True,
                                            status_cancelled=False).exclude(to_status="")
    if keep is not None:
        pending = pending.exclude(pk=keep.pk)
    if from_ is not None:
        pending = pending.filter(effective_at__gte=from_)
    return pending.update(status_cancelled=True)


def apply_due_status_changes(now, batch=BATCH):
    """What the sweep runs: every status change whose effective time has come, oldest
    first, through the partial index `step_status_due`. Two sweeps at once split the rows.
    Returns how many changed a provider's status.

    Locks go in the order of a step issued on a proceeding (the proceeding, its provider,
    then its pending steps), the proceedings first: one another transaction holds is left
    to the next pass. Each step is read again under the lock, as that transaction left it
    (a withdrawal cancels it)."""
    due = ProceedingStep.objects.status_due(now)
    if not due.exists():  # most passes: one query, no transaction
        return 0
    with transaction.atomic():
        seen = list(due.order_by("effective_at", "id").values_list("pk", "proceeding_id")[:batch])
        proceedings = list(Proceeding.objects.filter(pk__in={p for _, p in seen})
                           .select_for_update(no_key=True, skip_locked=True).order_by("pk")
                           .values_list("pk", flat=True))
        steps = list(due.filter(pk__in=[pk for pk, _ in seen], proceeding__in=proceedings)
                     .select_for_update(no_key=True, skip_locked=True, of=("self",))
                     .select_related("proceeding").order_by("effective_at", "id"))
        with appended_at_end():  # providers locked one after another: events last
            return sum(apply_status_change(step, now) for step in steps)
