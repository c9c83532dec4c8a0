"""USPS's own targets: each item that waits on USPS is an obligation of kind `usps_*`,
internal to USPS, due by the policy's target and met when USPS acts on it.

Called inside the transaction of the service that files the item (opening the target)
or acts on it (meeting it): a filing and its target commit together, as do a decision
and the target it meets.
"""

from compliance.deadlines import usps_target_due_at
from compliance.models import DeadlinePolicy, Obligation

from .obligations import fulfil_obligation, open_obligation


def open_usps_target(*, actor, kind, provider, subject, at, object_id, incident_id=None,
                     reviewer=None, filed_late=False, policy=None):
    """Open USPS's target for an item of `kind` (a `usps_*` kind) that reached USPS at
    `at`: due by the policy's target, reminded to `reviewer` (else every reviewer)."""
    if not kind.startswith("usps_"):
        raise ValueError(f"{kind} is not a USPS target kind")
    policy = policy or DeadlinePolicy.in_force()
    return open_obligation(
        actor=actor, kind=kind, provider=provider, subject=subject, incident_id=incident_id,
        due_at=usps_target_due_at(policy, kind, at), object_id=object_id,
        filed_late=filed_late, reviewer=reviewer, policy=policy)


def hold_usps_target(kind, object_id):
    """Lock the outstanding target of `kind` for `object_id` (inside a transaction), before
    the action that meets it takes its time: a sweep finding it past due meanwhile has
    marked it missed first (and the action is late by its time), or passes it by."""
    list(Obligation.objects.outstanding().select_for_update(no_key=True)
         .filter(kind=kind, object_id=object_id).values_list("pk", flat=True))


def meet_usps_target(*, actor, kind, object_id, at):
    """USPS acted on the item: its outstanding target of `kind` is met (late when past).
    Returns the target, or None when none is outstanding (e.g. filed before targets)."""
    target = (Obligation.objects.outstanding()
              .filter(kind=kind, object_id=object_id).order_by("id").first())
    if target is None:
        return None
    return fulfil_obligation(actor=actor, obligation=target, at=at)

