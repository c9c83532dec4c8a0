"""The periods of a proceeding in the obligation ledger: the provider's (correction,
defense, appeal), with reminders, escalations, extension requests and the calendar feed
like any duty; and USPS's target to decide once the provider has answered. Called inside
the transaction of the step that opens, meets or ends them."""

from django.db.models import OuterRef, Subquery

from compliance import deadlines
from compliance.models import Obligation, ObligationKind
from compliance.models.obligations import PROCEEDING_KINDS
from compliance.services.extensions import settle_met, settle_pending
from compliance.services.obligations import close_obligation, fulfil_obligation, open_obligation
from compliance.services.targets import meet_usps_target, open_usps_target

from .flow import OPENS_PERIOD


def provider_period(proceeding, lock=False):
    """The provider's period still outstanding (open, or missed), or None."""
    periods = (Obligation.objects.outstanding()
               .filter(kind__in=PROCEEDING_KINDS, object_id=proceeding.pk))
    if lock:
        periods = periods.select_for_update(no_key=True)
    return periods.order_by("id").first()


def with_provider_period_due(proceedings):
    """`proceedings` with `provider_period_due_at`: the due time of the provider's period
    still outstanding (`provider_period`), or None; in the same query, for lists."""
    outstanding = (Obligation.objects.outstanding()
                   .filter(kind__in=PROCEEDING_KINDS, object_id=OuterRef("pk"))
                   .order_by("id").values("due_at")[:1])
    return proceedings.annotate(provider_period_due_at=Subquery(outstanding))


def provider_period_due(proceeding):
    """The due time of the provider's period still outstanding, or None: from the
    annotation of `with_provider_period_due` when the proceeding has it, else read."""
    if hasattr(proceeding, "provider_period_due_at"):
        return proceeding.provider_period_due_at
    period = provider_period(proceeding)
    return period.due_at if period is not None else None


def period_runs(proceeding, now):
    """Whether the provider's period runs at `now` (`is_running`)."""
    due = provider_period_due(proceeding)
    return due is not None and not deadlines.is_late(due, now)


def is_running(period, now):
    """Whether the provider may still act within `period` without being late: up to its
    due time's second, included (`is_late`)."""
    return (period is not None and period.is_outstanding
            and not deadlines.is_late(period.due_at, now))


def open_period(actor, proceeding, step, policy, now):
    """Open the provider's period the step starts (none after a willful violation's
    notice): due the policy's days after the step, at the end of that day in the
    provider's zone; the correction period has the proceeding's own days."""
    if step.kind not in OPENS_PERIOD or (step.kind == "proposal" and proceeding.willful):
        return None
    kind, period = OPENS_PERIOD[step.kind]
    zone = proceeding.provider.timezone
    if period == "correction":
        due_at = deadlines.days_later_end_of_day(now, proceeding.correction_period_days, zone)
    else:
        due_at = deadlines.proceeding_period_due_at(policy, period, now, zone)
    return open_obligation(
        actor=actor, kind=kind, provider=proceeding.provider, due_at=due_at,
        subject=f"{proceeding.reference}: {ObligationKind(kind).label.lower()} after the "
                f"{step.get_kind_display().lower()}",
        object_id=proceeding.pk, clause=proceeding.section)


def answer_period(actor, proceeding, period, policy, now):
    """The provider acted: its period is met (late after its due time), and USPS's target
    to decide starts, flagged filed late when the answer came after the period."""
    if period is not None:
        fulfil_obligation(actor=actor, obligation=period, at=now)
        settle_met(duty=period, at=now)
    open_usps_target(actor=actor, kind=ObligationKind.USPS_PROCEEDING_DECISION,
                     provider=proceeding.provider, at=now, object_id=proceeding.pk,
                     policy=policy,
                     filed_late=period is not None and deadlines.is_late(period.due_at, now),
                     subject=f"{proceeding.reference}: the provider's answer to decide on")


def move_on(actor, proceeding, step, now):
    """USPS acted: its target is met, and a period of the provider still outstanding (it
    ran out unanswered, or USPS withdrew) is no longer owed, nor more time on it waits on
    USPS."""
    meet_usps_target(actor=actor, kind=ObligationKind.USPS_PROCEEDING_DECISION,
                     object_id=proceeding.pk, at=now)
    period = provider_period(proceeding)
    if period is not None:
        reason = f"The proceeding went on: {step.get_kind_display().lower()}."
        close_obligation(actor=actor, obligation=period, reason=reason)
        settle_pending(actor=actor, obligation_id=period.pk, at=now, tell=True,
                       reason=f"The period is owed no more: {reason}")
