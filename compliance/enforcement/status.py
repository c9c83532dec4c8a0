"""A provider's authorization status follows its proceedings: a step that brings a status
(a notice of suspension, a revocation, a reinstatement, a withdrawal or reversal of a
suspension in force) takes effect on its effective date, applied by the deadline sweep (or
at once by the step itself when that date has come), and recorded in the provider's status
history like any other change."""

from django.db import transaction

from compliance.changes import publish
from compliance.models import Proceeding, ProceedingStep, Provider, ProviderStatusChange
from compliance.models.register import AuthorizationStatus
from compliance.services.audit import record_event
from compliance.services.chain import appended_at_end

STATUS_CHANGED = "provider.status_changed"
BATCH = 100


# The graver status wins when proceedings hold a provider at once.
GRAVITY = {AuthorizationStatus.AUTHORIZED: 0, AuthorizationStatus.SUSPENDED: 1,
           AuthorizationStatus.REVOKED: 2}


def _by_hand(provider_id):
    """The last change set by hand in the register: (status, when), or None."""
    return (ProviderStatusChange.objects
            .filter(provider_id=provider_id, changed_by__isnull=False)
            .order_by("-changed_at", "-id").values_list("to_status", "changed_at").first())


_UNREAD = object()


def holds(provider_id, by_hand=_UNREAD):
    """{proceeding id: its step whose status last took effect}, since the last change
    made by hand in the register (which sets the status over whatever came before): what
    each proceeding holds the provider at now. `by_hand`: that change, when read already."""
    by_hand = _by_hand(provider_id) if by_hand is _UNREAD else by_hand
    applied = (ProceedingStep.objects.select_related("proceeding")
               .filter(proceeding__provider_id=provider_id, status_applied_at__isnull=False)
               .exclude(to_status="").order_by("status_applied_at", "id"))
    if by_hand is not None:
        applied = applied.filter(status_applied_at__gt=by_hand[1])
    return {step.proceeding_id: step for step in applied}


def standing(provider_id, ending=None, by_hand=_UNREAD):
    """The status the provider's proceedings give it: the gravest any of them holds, and
    never lighter than the status last set by hand (authorized if none): what USPS set in
    the register stands until USPS lifts it there (no proceeding gives back an approval it
    did not take). `ending`: a proceeding whose hold ends (what the provider's status
    would be once it no longer holds it)."""
    by_hand = _by_hand(provider_id) if by_hand is _UNREAD else by_hand
    base = by_hand[0] if by_hand is not None else AuthorizationStatus.AUTHORIZED
    held = [step.to_status for pk, step in holds(provider_id, by_hand).items()
            if pk != ending]
    if ending is not None:
        held.append(AuthorizationStatus.AUTHORIZED)
    return max([base, *held], key=GRAVITY.get)


def holding_step(provider, by_hand=_UNREAD):
    """The step by which a proceeding holds the provider at its status now (the earliest,
    when several do), or None (set by hand, or authorized)."""
    holding = [step for step in holds(provider.pk, by_hand).values()
               if step.to_status == provider.authorization_status]
    return min(holding, key=lambda step: (step.status_applied_at, step.pk), default=None)


def holder(provider, by_hand=_UNREAD):
    """What holds the provider at its status now: (the step by which a proceeding does,
    None) or, when none does and USPS's change by hand in the register set that status,
    (None, when USPS set it); (None, None) for an authorized provider."""
    by_hand = _by_hand(provider.pk) if by_hand is _UNREAD else by_hand
    step = holding_step(provider, by_hand)
    if step is None and by_hand is not None and by_hand[0] == provider.authorization_status:
        return None, by_hand[1]
    return step, None


def apply_status_change(step, now):
    """Take `step`'s status change into effect (inside a transaction): its proceeding now
    holds the provider at the step's status, and the provider's status becomes what its
    proceedings hold together (`standing`): a reinstatement ends its own proceeding's
    suspension, not one another proceeding noticed, nor a revocation another brought; a
    revocation reversed on appeal gives back what the other proceedings hold. A step that
    would lift a revocation set by hand in the register is cancelled: only USPS there
    gives that approval back. Returns whether the provider's status changed."""
    return apply_status_changes([step], now)


def apply_status_changes(steps, now):
    """`apply_status_change` of several steps of one provider taking effect at once (the
    sweep's, due together): each takes its place, then the provider's status is settled
    once, so it never passes through a status none of them leaves it at. Returns whether
    the provider's status changed."""
    provider = Provider.objects.select_for_update(no_key=True).get(
        pk=steps[0].proceeding.provider_id)
    old = provider.authorization_status
    by_hand = _by_hand(provider.pk)
    taken = []
    for step in steps:
        if (step.to_status != AuthorizationStatus.REVOKED and by_hand is not None
                and by_hand[0] == AuthorizationStatus.REVOKED == old):
            step.status_cancelled = True
            ProceedingStep.objects.filter(pk=step.pk).update(status_cancelled=True)
            continue
        step.status_applied_at = now
        ProceedingStep.objects.filter(pk=step.pk).update(status_applied_at=now)
        taken.append(step)
    new = standing(provider.pk, by_hand=by_hand)
    if not taken or new == old:
        return False
    # The step that settles it: a graver status since the first step bringing it (as the
    # banner says), a lighter one since the last; else the last to take effect.
    bringing = [s for s in taken if s.to_status == new]
    step = (bringing[0] if GRAVITY[new] > GRAVITY[old] else bringing[-1]) if bringing \
        else taken[-1]
    provider.authorization_status = new
    provider.save(update_fields=["authorization_status"])
    reason = (f"{step.get_kind_display()} ({step.proceeding.reference}, step {step.number}), "
              "effective on its date.")
    if new != step.to_status:
        holding, _ = holder(provider, by_hand)
        reason += (f" {holding.proceeding.reference if holding else 'USPS, in the register,'}"
                   f" still holds the provider {AuthorizationStatus(new).label.lower()}.")
    ProviderStatusChange.objects.create(provider=provider, from_status=old, to_status=new,
                                        reason=reason, changed_by=None, changed_at=now)
    record_event(actor=None, obj=provider, action="provider.status_changed", at=now,
                 changes={"authorization_status": [old, new]}, reason=reason)
    publish(STATUS_CHANGED, provider=provider.pk, step=step.pk, status=new)
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
    # A suspension that has run its course is ended after (`end_due_suspensions`), which
    # cancels what of its own is still pending: its notice never takes effect at its end.
    due = ProceedingStep.objects.status_due(now).exclude(
        proceeding__suspension_ends_at__lte=now)
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
        by_provider = {}
        for step in steps:
            by_provider.setdefault(step.proceeding.provider_id, []).append(step)
        with appended_at_end():  # providers locked one after another: events last
            return sum(apply_status_changes(due_together, now)
                       for due_together in by_provider.values())
