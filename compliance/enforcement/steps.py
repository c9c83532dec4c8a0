"""What each step sets: its outcome, its days, its effective date and the authorization
status it brings (checked before anything is stored), then what that does to the
proceeding (the suspension's end, status changes cancelled or applied)."""

from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError

from compliance import deadlines
from compliance.display import display_time
from compliance.models import Outcome, ProceedingKind, StepKind
from compliance.models.register import AuthorizationStatus
from compliance.window import check_date

from . import flow
from .status import apply_status_change, cancel_pending_status_changes

MAX_DAYS = 3650
ENDS_A_SUSPENSION = (StepKind.REINSTATEMENT, StepKind.WITHDRAWAL)


def _days(value, field, required):
    if value in (None, ""):
        if required:
            raise ValidationError({field: ["Give the number of days."]})
        return None
    try:
        days = int(value)
    except (TypeError, ValueError):
        raise ValidationError({field: ["Give a whole number of days."]}) from None
    if not 1 <= days <= MAX_DAYS or (isinstance(value, float) and value != days):
        raise ValidationError({field: [f"Give a whole number of days from 1 to {MAX_DAYS}."]})
    return days


def _effective(proceeding, day, now, required):
    """{effective_date, effective_at}: `day` and its start in the provider's zone; today
    when not given (unless required). A date before today is refused: a status change is
    never backdated."""
    zone = proceeding.provider.timezone
    today = now.astimezone(ZoneInfo(zone)).date()
    if day is None:
        if required:
            raise ValidationError({"effective_date": ["Give the date it takes effect."]})
        day = today
    check_date(day, "effective_date")
    if day < today:
        raise ValidationError({"effective_date": [
            f"Give today ({today.isoformat()}, the provider's time) or a later date."]})
    return {"effective_date": day, "effective_at": deadlines.start_of_day(day, zone)}


def outcome_of(proceeding, kind, outcome):
    """The outcome a step of `kind` takes from `outcome` as sent: its only choice when
    left blank, none for a step without one (ValidationError for another)."""
    choices = flow.outcomes_for(proceeding.kind, kind)
    if not choices:
        return ""
    if not outcome and len(choices) == 1:
        return choices[0]
    if outcome not in choices:
        raise ValidationError({"outcome": [f"Choose one of {', '.join(choices)}."]})
    return outcome


def _in_force(proceeding):
    """Whether a status change of this proceeding has taken effect on the provider."""
    return proceeding.steps.filter(status_applied_at__isnull=False).exclude(
        to_status=AuthorizationStatus.AUTHORIZED).exists()


def _check_ends_early(proceeding, effective_at):
    """A reinstatement ends a suspension early: one dated after the suspension's end
    would prolong it (the sweep reinstates the provider at the end)."""
    ends = proceeding.suspension_ends_at
    if ends is not None and effective_at > ends:
        last_day = ends.astimezone(ZoneInfo(proceeding.provider.timezone)).date()
        raise ValidationError({"effective_date": [
            f"The suspension ends at {display_time(ends)}, when the provider is reinstated: "
            f"a reinstatement ends it early, so give a date no later than its last day, "
            f"{last_day.isoformat()} (the provider's time)."]})


def check_step_terms(proceeding, kind, outcome, days, effective_date, now):
    """The step's own fields, checked (ValidationError): {outcome, days, effective_at,
    to_status}. Values a step of this kind does not take are ignored."""
    terms = {"outcome": outcome_of(proceeding, kind, outcome)}
    suspension = proceeding.kind == ProceedingKind.SUSPENSION
    if kind == StepKind.SUSPENSION_NOTICE:
        terms.update(_effective(proceeding, effective_date, now, required=True))
        terms["to_status"] = AuthorizationStatus.SUSPENDED
    elif kind == StepKind.DECISION and terms["outcome"] == Outcome.SUSPEND:
        terms["days"] = _days(days, "days", required=False)
    elif kind == StepKind.DECISION and terms["outcome"] == Outcome.REVOKE:
        terms.update(_effective(proceeding, effective_date, now, required=False))
        terms["to_status"] = AuthorizationStatus.REVOKED
    elif kind == StepKind.EXTENSION:
        terms["days"] = _days(days, "days", required=True)
    elif kind == StepKind.REINSTATEMENT:
        terms.update(_effective(proceeding, effective_date, now, required=False))
        _check_ends_early(proceeding, terms["effective_at"])
        terms["to_status"] = AuthorizationStatus.AUTHORIZED
    elif suspension and (kind == StepKind.WITHDRAWAL or (
            kind == StepKind.APPEAL_DECISION and terms["outcome"] == Outcome.REVERSE)):
        if _in_force(proceeding):
            terms["effective_at"] = now
            terms["to_status"] = AuthorizationStatus.AUTHORIZED
    return terms


def terms_taken(kind, outcome):
    """Which of days and effective date a step of `kind` with `outcome` takes from what
    is sent (`check_step_terms`); the rest is ignored."""
    if kind == StepKind.EXTENSION or (kind == StepKind.DECISION and outcome == Outcome.SUSPEND):
        return {"days"}
    if kind in (StepKind.SUSPENSION_NOTICE, StepKind.REINSTATEMENT) or (
            kind == StepKind.DECISION and outcome == Outcome.REVOKE):
        return {"effective_at"}
    return set()


def effective_day(step, zone_name):
    """The day `step` takes effect, as stated; for a step stated before that was kept, the
    day of its start in the provider's zone now."""
    if step.effective_date is not None:
        return step.effective_date
    return step.effective_at.astimezone(ZoneInfo(zone_name)).date()


def _suspension_end(proceeding, days):
    """From the notice's day as stated: a provider's zone changed since (USPS edits it in
    the register) would read its start as another day, and cut or add one."""
    notice = proceeding.steps.filter(kind=StepKind.SUSPENSION_NOTICE).order_by(
        "-number").first()
    zone = proceeding.provider.timezone
    return deadlines.suspension_ends_at(effective_day(notice, zone), days, zone)


def apply_step_terms(proceeding, step, policy, now):
    """What the step does to the proceeding and, when its date has come, to the
    provider's status (later dates are the sweep's). The caller saves both."""
    kind, outcome = step.kind, step.outcome
    if kind == StepKind.DECISION:
        proceeding.outcome = outcome
        if outcome == Outcome.SUSPEND:
            step.days = step.days or policy.proceeding_days("suspension")
            proceeding.suspension_days = step.days
            proceeding.suspension_ends_at = _suspension_end(proceeding, step.days)
    elif kind == StepKind.EXTENSION:
        proceeding.suspension_days += step.days
        proceeding.suspension_ends_at = _suspension_end(proceeding, proceeding.suspension_days)
    elif kind == StepKind.APPEAL_DECISION and outcome == Outcome.REVERSE:
        proceeding.outcome = Outcome.REVERSE
    ends = (kind in ENDS_A_SUSPENSION or outcome in (Outcome.REVOKE, Outcome.REVERSE))
    if ends:
        proceeding.suspension_ends_at = None
        step.save()
        # A step dated later ends only what would come from its date on; one in effect
        # now ends everything still to come.
        later = step.effective_at if step.effective_at and step.effective_at > now else None
        cancel_pending_status_changes(proceeding, keep=step, from_=later)
    if step.to_status and step.effective_at <= now:
        step.save()
        apply_status_change(step, now)
