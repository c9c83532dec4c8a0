from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from compliance.enforcement.cases import case_source
from compliance.errors import Conflict
from compliance.models import Obligation, ObligationState
from compliance.models.obligations import PROCEEDING_KINDS
from compliance.services.users import hold_actor

from .chain import appended_at_end
from .extensions import settle_pending
from .obligations import record_obligation_event
from .schedule import reschedule_reminders

# Sent in the waiver's transaction (obligation, actor, at): the apps above compliance act
# on it there, e.g. the reports app keeps the status-report cadence going.
waived = Signal()


@transaction.atomic
@appended_at_end()
def waive_obligation(*, actor, obligation, reason):
    """USPS releases a provider from an obligation that is still owed; the reason is kept.
    USPS's own targets are not waived. Its audit events go last (the chain's lock held for
    their insert and the commit): a sweep holding a USPS target it settles appends last
    too."""
    if not actor.is_usps:
        raise PermissionDenied("Only USPS staff waive obligations.")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the obligation is waived."})
    # Before the duty, whose waiver moves the case's clock (`case_source` says why).
    case_source().lock(obligation.incident_id)
    obligation = Obligation.objects.select_for_update(no_key=True).get(pk=obligation.pk)
    if not hold_actor(actor).is_usps:  # as they are now: a closed account is refused
        raise PermissionDenied("Only USPS staff waive obligations.")
    if obligation.is_usps_target:
        # What waits on USPS would leave its inbox, and a missed target its on-time rate.
        raise Conflict("A USPS target is not waived: it is met when USPS does what waits "
                       "on it (triage, review or decision).")
    if obligation.kind in PROCEEDING_KINDS:
        # The provider's time to answer under § 501.6 / § 501.12: USPS decides before it
        # ends only once the provider has answered, and it ends with the proceeding's next
        # step (or runs longer by an extension), never by a waiver.
        raise Conflict("A provider's period in a proceeding is not waived: it ends with the "
                       "proceeding's next step.")
    if not obligation.is_outstanding:
        raise Conflict(f"An obligation {obligation.standing} cannot be waived.")
    old = obligation.state
    now = timezone.now()
    obligation.state = ObligationState.WAIVED
    obligation.waived_reason = reason
    obligation.waived_at = now
    obligation.met_at = None
    reschedule_reminders(obligation)
    obligation.save(update_fields=["state", "waived_reason", "waived_at", "met_at",
                                   "next_action_at", "steps_done_until"])
    record_obligation_event(obligation, actor=actor, action="obligation.waived",
                            changes={"state": [old, ObligationState.WAIVED]}, reason=reason,
                            at=now)
    settle_pending(actor=actor, obligation_id=obligation.pk, at=now, tell=True,
                   reason=f"The obligation was waived, nothing is owed on it: {reason}")
    waived.send(sender=Obligation, obligation=obligation, actor=actor, at=now)
    return obligation
