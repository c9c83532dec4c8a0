"""State changes of the obligation ledger that need no knowledge of other apps."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from compliance.deadlines import is_late, require_aware
from compliance.errors import Conflict
from compliance.models import CLAUSES, Obligation, ObligationState

from .audit import iso_time, record_event
from .schedule import reschedule_reminders


def _iso(value):
    return iso_time(value)


def record_obligation_event(obligation, *, action, usps_only=False, **kwargs):
    """An obligation's audit event. Everything about a USPS target is internal to USPS."""
    if obligation.is_usps_target:
        action = action.replace("obligation.", "usps_target.", 1)
        usps_only = True
    return record_event(obj=obligation, action=action, usps_only=usps_only, **kwargs)


# No savepoint of its own: a duty opened or met is part of the change that opens or meets
# it, and fails with it.
@transaction.atomic(savepoint=False)
def open_obligation(*, actor, kind, provider, subject, due_at, incident_id=None,
                    usps_visible=True, object_id=None, filed_late=False, reviewer=None,
                    clause=None, policy=None):
    """Record a new open duty of `provider`, due at `due_at` (aware); its clause follows
    from the kind unless given. `usps_visible=False` keeps it from USPS until the case is
    filed. `object_id`, `filed_late` and `reviewer` describe a USPS target (see
    `targets`); `object_id` also names the proceeding a period belongs to. Its reminders
    follow `policy` (a DeadlinePolicy the caller read), else the policy in force."""
    require_aware(due_at, "due_at")
    obligation = Obligation(
        kind=kind, clause=clause or CLAUSES[kind], provider=provider, incident_id=incident_id,
        subject=subject[:300], due_at=due_at, original_due_at=due_at,
        state=ObligationState.OPEN, usps_visible=usps_visible, object_id=object_id,
        filed_late=filed_late, reviewer=reviewer,
    )
    reschedule_reminders(obligation, policy)
    obligation.save()
    record_obligation_event(obligation, actor=actor, action="obligation.opened",
                            changes={"kind": [None, kind], "due_at": [None, _iso(due_at)]})
    return obligation


@transaction.atomic
def correct_unfiled_obligation(*, actor, obligation, due_at=None, subject=None):
    """Correct the due time (and the subject) of a duty USPS cannot see yet, e.g. when a
    draft's discovery time is edited. Both `due_at` and `original_due_at` move: nothing
    has been promised to USPS. A missed duty whose new due time is still ahead reopens."""
    obligation = Obligation.objects.select_for_update(no_key=True).get(pk=obligation.pk)
    if obligation.usps_visible:
        raise ValueError("A duty USPS can see keeps its original due time.")
    changes = {}
    if due_at is not None and due_at != obligation.due_at:
        require_aware(due_at, "due_at")
        changes["due_at"] = [_iso(obligation.due_at), _iso(due_at)]
        obligation.due_at = obligation.original_due_at = due_at
        if obligation.state == ObligationState.MISSED and not is_late(due_at, timezone.now()):
            changes["state"] = [obligation.state, ObligationState.OPEN.value]
            obligation.state = ObligationState.OPEN
            obligation.missed_at = None
    if subject is not None and subject[:300] != obligation.subject:
        obligation.subject = subject[:300]
    if "due_at" in changes:
        reschedule_reminders(obligation)
    obligation.save()
    if changes:
        record_obligation_event(obligation, actor=actor, action="obligation.due_corrected",
                                changes=changes)
    return obligation


# What meeting a duty may change on it, its reminder schedule included.
FULFILLED_FIELDS = ("state", "met_at", "subject", "usps_visible", "next_action_at",
                    "steps_done_until")


@transaction.atomic(savepoint=False)
def fulfil_obligation(*, actor, obligation, at, subject=None, show_to_usps=False,
                      locked=False):
    """Record that the duty was done at `at`: `met` when on or before its due time, `late`
    after it (also when the sweep had marked it missed). A duty already met, late or
    waived keeps its state. `show_to_usps` makes it visible to USPS from now on.
    `locked`: the caller read `obligation` with `select_for_update` in this transaction."""
    require_aware(at, "at")
    if not locked:
        obligation = Obligation.objects.select_for_update(no_key=True).get(pk=obligation.pk)
    changes = {}
    if obligation.is_outstanding:
        new_state = (ObligationState.LATE if is_late(obligation.due_at, at)
                     else ObligationState.MET)
        changes["state"] = [obligation.state, new_state.value]
        changes["met_at"] = [None, _iso(at)]
        obligation.state = new_state
        obligation.met_at = at
    if subject is not None:
        obligation.subject = subject[:300]
    if show_to_usps and not obligation.usps_visible:
        obligation.usps_visible = True
        changes["usps_visible"] = [False, True]
    if "state" in changes:
        reschedule_reminders(obligation)
    obligation.save(update_fields=FULFILLED_FIELDS)
    if changes:
        record_obligation_event(obligation, actor=actor,
                                action=f"obligation.{obligation.state}", changes=changes, at=at)
    return obligation


@transaction.atomic
def move_obligation_due(*, actor, obligation, due_at, reason, action="obligation.due_moved",
                        usps_only=False):
    """Move the due time of a duty still owed (an extension granted, a deadline changed by
    USPS, a revised completion date). `original_due_at` never moves; a reason is required.
    A missed duty whose new due time is ahead is owed again (open)."""
    require_aware(due_at, "due_at")
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why the due time moves."})
    obligation = Obligation.objects.select_for_update(no_key=True).get(pk=obligation.pk)
    if not obligation.is_outstanding:
        raise Conflict(f"An obligation {obligation.standing} has no due time to move.")
    changes = {"due_at": [_iso(obligation.due_at), _iso(due_at)]}
    obligation.due_at = due_at
    if obligation.state == ObligationState.MISSED and not is_late(due_at, timezone.now()):
        changes["state"] = [obligation.state, ObligationState.OPEN.value]
        obligation.state = ObligationState.OPEN
        obligation.missed_at = None
    reschedule_reminders(obligation)
    obligation.save()
    record_obligation_event(obligation, actor=actor, action=action, changes=changes,
                            reason=reason, usps_only=usps_only)
    return obligation


@transaction.atomic
def assign_obligations_reviewer(*, incident_id, reviewer):
    """Escalations of an incident's duties, and the reminders of its USPS targets, go to
    its assigned reviewer from now on, those already written and not yet sent included."""
    from notifications.sweep import follow_assignment

    moved = Obligation.objects.filter(incident_id=incident_id).update(reviewer=reviewer)
    follow_assignment([incident_id])
    return moved


@transaction.atomic
def close_obligation(*, actor, obligation, reason):
    """End a duty that is no longer owed because its case closed (e.g. the next status
    report once the final summary is accepted) or its proceeding went on. A duty not yet
    due is waived, with the reason; a missed one (or one past its due time the sweep has
    not marked yet) stays missed, for good (its record is permanent), and is closed: owed
    no more, with the time and the reason."""
    obligation = Obligation.objects.select_for_update(no_key=True).get(pk=obligation.pk)
    if not obligation.is_outstanding:
        return obligation
    now = timezone.now()
    obligation.closed_at = now
    obligation.closed_reason = reason
    changes = {"closed_at": [None, _iso(now)]}
    if obligation.state == ObligationState.OPEN and is_late(obligation.due_at, now):
        changes["state"] = [obligation.state, ObligationState.MISSED.value]
        obligation.state = ObligationState.MISSED
        obligation.missed_at = now
    elif obligation.state == ObligationState.OPEN:
        changes["state"] = [obligation.state, ObligationState.WAIVED.value]
        obligation.state = ObligationState.WAIVED
        obligation.waived_reason = reason
        obligation.waived_at = now
    reschedule_reminders(obligation)
    obligation.save()
    record_obligation_event(obligation, actor=actor, action="obligation.closed",
                            changes=changes, reason=reason, at=now)
    return obligation
