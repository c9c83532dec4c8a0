"""Enforcement proceedings: opened by a USPS manager, then one step at a time, each by the
side whose turn it is. Every step is a dated, versioned document with its receipt; each
period either side acts within is an obligation in the ledger; a step that changes the
provider's authorization status takes effect on its effective date.

Refusals (nothing is stored): PermissionDenied (403) for the wrong role or side,
ValidationError (400) for bad input (a late answer without its reason among them),
Conflict (409) for a step out of turn or before the provider's period ends.
"""

from datetime import UTC
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from compliance.changes import publish
from compliance.deadlines import is_late
from compliance.display import display_time
from compliance.errors import Conflict
from compliance.models import (
    DeadlinePolicy,
    Obligation,
    ObligationKind,
    ObligationState,
    Proceeding,
    ProceedingKind,
    ProceedingNote,
    ProceedingState,
    ProceedingStep,
    Provider,
    RevenueRisk,
    Side,
    StepKind,
)
from compliance.models.register import AuthorizationStatus
from compliance.services.audit import record_event
from compliance.services.chain import appended_at_end
from compliance.services.targets import hold_usps_target
from compliance.services.users import hold_actor
from compliance.text import as_typed

from . import flow, periods, status, steps
from .cases import case_source
from .documents import evidence_bundle, freeze_version, step_content
from .steps import apply_step_terms, check_step_terms

STEP_ISSUED = "proceeding.step_issued"
MAX_CORRECTION_DAYS = 365
RISK_ORDER = [risk.value for risk in RevenueRisk]


def require_manager(actor):
    if not (actor.is_authenticated and actor.is_usps_manager):
        raise PermissionDenied("Only USPS managers open proceedings and issue notices and "
                               "decisions.")


def require_side(actor, proceeding, side):
    if side == Side.USPS:
        return require_manager(actor)
    if not (actor.is_authenticated and actor.is_provider_officer
            and actor.provider_id == proceeding.provider_id):
        raise PermissionDenied("Only the provider's compliance officers file its responses, "
                               "defenses and appeals.")


# The longest text of a step, its grounds, an amendment's reason or a note, by any door.
MAX_TEXT = 50_000


def _text(value, field, message):
    value = as_typed(value)
    if not value:
        raise ValidationError({field: [message]})
    if len(value) > MAX_TEXT:
        raise ValidationError({field: [f"At most {MAX_TEXT:,} characters."]})
    return value


def _cited_duties(provider, obligations):
    duties = list(Obligation.objects.record_duties().filter(
        provider=provider, pk__in=[o.pk for o in obligations]))
    unfit = [o for o in duties if o.state not in (ObligationState.MISSED, ObligationState.LATE)]
    if len(duties) != len({o.pk for o in obligations}) or unfit:
        raise ValidationError({"obligations": [
            "Cite duties of this provider under § 501.11 that were missed or met late."]})
    return duties


def _terms(kind, willful, correction_period_days, revenue_risk, cases, amount):
    """(willful, correction days, revenue risk, amount) checked for the kind."""
    errors = {}
    if kind == ProceedingKind.SANCTION:
        # Said beside what was given: the days, or the willful box.
        if correction_period_days:
            errors["correction_period_days"] = [
                "Only a suspension has a period to correct deficiencies."]
        if willful:
            errors["willful"] = ["Only a suspension names a willful violation (§ 501.6)."]
        willful, correction_period_days = False, None
    elif willful and correction_period_days:
        errors["correction_period_days"] = [
            "A willful violation has no period to correct (§ 501.6)."]
    elif correction_period_days is not None and not (
            1 <= int(correction_period_days) <= MAX_CORRECTION_DAYS):
        errors["correction_period_days"] = [
            f"Give a whole number of days from 1 to {MAX_CORRECTION_DAYS}."]
    if revenue_risk and revenue_risk not in RISK_ORDER:
        errors["revenue_risk"] = [f"Choose one of {', '.join(RISK_ORDER)}."]
    if amount is not None:
        try:
            amount = Decimal(str(amount))
            if not amount.is_finite() or amount < 0 or amount >= Decimal("1e12"):
                raise InvalidOperation
            amount = amount.quantize(Decimal("0.01"))
        except InvalidOperation:
            errors["amount"] = ["Give an amount in dollars, zero or more."]
    if errors:
        raise ValidationError(errors)
    if not revenue_risk:
        # The correction period follows the gravest risk among the cases cited.
        risks = [c["revenue_risk"] for c in cases if c.get("revenue_risk") in RISK_ORDER]
        revenue_risk = max(risks, key=RISK_ORDER.index) if risks else RevenueRisk.MODERATE
    return willful, correction_period_days, revenue_risk, amount


@transaction.atomic
def open_proceeding(*, actor, provider, kind, grounds, obligations=(), incidents=(),
                    pes_models=(), willful=False, correction_period_days=None,
                    revenue_risk="", sanction="", amount=None):
    """Open a proceeding of `kind` against `provider` and issue its first step (the notice
    of proposed suspension, or the written demand), whose document freezes the cited
    duties (missed or met late) and cases as the record shows them now. A suspension
    cites at least one deficiency; its period to correct is `correction_period_days`, else
    the policy's for the revenue risk (given, else the gravest of the cases cited), and
    none for a willful violation. One suspension proceeding at a time per provider."""
    require_manager(actor)
    if kind not in ProceedingKind.values:
        raise ValidationError({"kind": [f"Choose one of {', '.join(ProceedingKind.values)}."]})
    grounds = _text(grounds, "grounds", "State the grounds: the deficiencies, or why the "
                                        "sanction.")
    duties = _cited_duties(provider, obligations)
    cases = case_source().evidence(provider.pk, [getattr(i, "pk", i) for i in incidents])
    foreign = [m for m in pes_models if m.provider_id != provider.pk]
    if foreign:
        raise ValidationError({"pes_models": ["Choose PES models of this provider."]})
    if kind == ProceedingKind.SUSPENSION and not (duties or cases):
        raise ValidationError({"obligations": [
            "Cite at least one deficiency: a missed or late duty, or a case."]})
    willful, correction_period_days, revenue_risk, amount = _terms(
        kind, willful, correction_period_days, revenue_risk, cases, amount)
    now = timezone.now()
    policy = DeadlinePolicy.in_force()
    provider = Provider.objects.select_for_update(no_key=True).get(pk=provider.pk)
    require_manager(hold_actor(actor))  # as they are now: its notice is a manager's step
    if (kind == ProceedingKind.SUSPENSION
            and provider.authorization_status == AuthorizationStatus.REVOKED):
        raise Conflict(f"{provider.name}'s authorization is revoked: there is no approval "
                       "left to suspend.")
    revoking = (ProceedingStep.objects.filter(
        proceeding__provider=provider, to_status=AuthorizationStatus.REVOKED,
        status_applied_at__isnull=True, status_cancelled=False)
        .select_related("proceeding").order_by("effective_at").first()
        if kind == ProceedingKind.SUSPENSION else None)
    if revoking is not None:
        raise Conflict(f"{provider.name}'s authorization is revoked from "
                       f"{display_time(revoking.effective_at)} "
                       f"({revoking.proceeding.reference}): there is no approval left to "
                       "suspend.")
    if kind == ProceedingKind.SUSPENSION and Proceeding.objects.open().filter(
            provider=provider, kind=kind).exists():
        raise Conflict("A suspension proceeding against this provider is already open.")
    if kind == ProceedingKind.SUSPENSION and not willful and not correction_period_days:
        correction_period_days = policy.proceeding_days("correction", revenue_risk)
    proceeding = Proceeding.objects.create(
        provider=provider, kind=kind, state=flow.LEADS_TO[flow.FIRST_STEP[kind]],
        grounds=grounds, willful=willful, revenue_risk=revenue_risk if kind ==
        ProceedingKind.SUSPENSION else "", correction_period_days=correction_period_days,
        cited_case_ids=[c["id"] for c in cases], sanction=as_typed(sanction),
        amount=amount, opened_by=actor, opened_at=now, updated_at=now)
    proceeding.reference = f"ENF-{now.year}-{proceeding.pk:05d}"
    proceeding.save(update_fields=["reference"])
    proceeding.pes_models.set(pes_models)
    proceeding.cited_obligations.set(duties)
    record_event(actor=actor, obj=proceeding, action="proceeding.opened", at=now,
                 changes={"kind": [None, kind], "reference": [None, proceeding.reference]},
                 reason=grounds)
    opening = {
        "grounds": grounds, "willful": willful, "revenue_risk": proceeding.revenue_risk or None,
        "correction_period_days": correction_period_days, "sanction": proceeding.sanction,
        "amount": str(amount) if amount is not None else None,
        "evidence": evidence_bundle(duties, cases, now),
    }
    _issue(actor, proceeding, flow.FIRST_STEP[kind], grounds, {}, policy, now,
           opening=opening)
    return proceeding


def _lock(proceeding):
    return Proceeding.objects.select_for_update(no_key=True).select_related("provider").get(
        pk=proceeding.pk)


@transaction.atomic
@appended_at_end()
def issue_step(*, actor, proceeding, kind, body, late_reason="", effective_date=None,
               outcome="", days=None, after=None):
    """Issue the next step of `kind`: USPS managers issue notices and decisions, the
    provider's officers file responses, defenses and appeals. A step out of turn is a
    Conflict; so is USPS's notice of suspension or decision before the provider's period
    ends, unless the provider has answered. A provider's step after its period needs
    `late_reason`. Returns the step.

    `after`: the number of the last step the page showed. A step filed since is a
    Conflict (the page decided on a proceeding that has moved), unless it is this very
    step sent again (a double click, a retry), which answers the step it filed.

    Its audit events go last: a period's end settles requests for more time on it, whose
    USPS targets (of no case) the sweep may hold while it waits for the chain."""
    if kind not in StepKind.values:
        raise ValidationError({"kind": [f"Choose one of {', '.join(StepKind.values)}."]})
    side = flow.side_of(kind)
    require_side(actor, proceeding, side)
    proceeding = _lock(proceeding)
    require_side(hold_actor(actor), proceeding, side)  # as they are now
    if after is not None:
        sent = sent_again(actor, proceeding, after=after, kind=kind, body=body,
                          outcome=outcome, days=days, effective_date=effective_date,
                          late_reason=late_reason)
        if sent is not None:
            return sent
        since = list(proceeding.steps.filter(number__gt=after).order_by("number"))
        if since:
            raise Conflict(f"{since[-1].get_kind_display()} was filed as step "
                           f"{since[-1].number} since this page was shown: read it, then "
                           "decide what follows.")
    # The provider's period held before the step's time is taken: a sweep that found it
    # past due has marked it missed before, and this step is late by this time.
    period = periods.provider_period(proceeding, lock=True)
    hold_usps_target(ObligationKind.USPS_PROCEEDING_DECISION, proceeding.pk)
    now = timezone.now()
    allowed = flow.next_steps(proceeding.kind, proceeding.state,
                              proceeding.suspension_runs_at(now))
    if kind not in allowed:
        follow = ", ".join(StepKind(s).label.lower() for s in allowed) or "nothing"
        raise Conflict(f"A {StepKind(kind).label.lower()} does not follow now: the "
                       f"proceeding is {proceeding.get_state_display().lower()}, and what "
                       f"may follow is: {follow}.")
    body = _text(body, "body", "Write the text of the step.")
    terms = check_step_terms(proceeding, kind, outcome, days, effective_date, now)
    late_reason = as_typed(late_reason)
    if len(late_reason) > MAX_TEXT:
        raise ValidationError({"late_reason": [f"At most {MAX_TEXT:,} characters."]})
    if side == Side.USPS and kind in flow.AFTER_PERIOD and periods.is_running(period, now):
        raise Conflict(f"The provider's {period.get_kind_display().lower()} period runs until "
                       f"{display_time(period.due_at)}: decide once it ends, or once the "
                       "provider answers.")
    if side == Side.PROVIDER:
        terms["is_late"] = period is not None and is_late(period.due_at, now)
        if terms["is_late"] and not late_reason:
            raise ValidationError({"late_reason": [
                f"The period ended at {display_time(period.due_at)}: say why this comes late."]})
        terms["late_reason"] = late_reason if terms["is_late"] else ""
    # USPS ending a suspension early leaves an appeal waiting for its decision, as the
    # sweep's reinstatement at its end does.
    appealed = (kind == StepKind.REINSTATEMENT
                and proceeding.state == ProceedingState.APPEALED)
    return _issue(actor, proceeding, kind, body, terms, DeadlinePolicy.in_force(), now,
                  period=period, keep_state=appealed)


def sent_again(actor, proceeding, *, after, kind, body, outcome="", days=None,
               effective_date=None, late_reason=""):
    """The step `actor` filed as the only one after step `after`, of `kind`, with `body`
    and the same terms (its outcome, days, effective date, reason for lateness, where the
    request gives them): the same step sent again (a double click, a retry), which
    answers what it filed; None otherwise (another step is no retry of it)."""
    since = list(proceeding.steps.filter(number__gt=after).order_by("number")[:2])
    if not (len(since) == 1 and since[0].issued_by_id == actor.pk and since[0].kind == kind
            and as_typed(since[0].body) == as_typed(body)):
        return None
    step = since[0]
    try:  # as the step took it: a sanction's decision left blank is its one outcome
        outcome = steps.outcome_of(proceeding, kind, outcome)
    except ValidationError:
        return None
    if outcome != (step.outcome or ""):
        return None
    taken = steps.terms_taken(kind, outcome)  # what else was sent was ignored
    if "days" in taken and days not in (None, "") and str(days) != str(step.days):
        return None
    if "effective_at" in taken and effective_date not in (None, ""):
        filed = (steps.effective_day(step, proceeding.provider.timezone).isoformat()
                 if step.effective_at else None)
        if str(effective_date) != filed:
            return None
    if step.is_late and as_typed(late_reason) != as_typed(step.late_reason):
        return None
    return step


def _issue(actor, proceeding, kind, body, terms, policy, now, period=None, opening=None,
           keep_state=False):
    """Write the step and its version 1, then what it sets running. `keep_state`: the step
    leaves the proceeding where it is, and what waits on USPS waiting (the sweep's
    reinstatement while an appeal waits for its decision)."""
    previous = proceeding.steps.order_by("-number").first()
    previous_version = (previous.versions.order_by("-number").first() if previous else None)
    step = ProceedingStep.objects.create(
        proceeding=proceeding, number=previous.number + 1 if previous else 1, kind=kind,
        side=flow.side_of(kind), body=body, issued_by=actor, issued_at=now, **terms)
    if step.side == Side.PROVIDER:
        periods.answer_period(actor, proceeding, period, policy, now)
        step.answered = period
    elif kind in flow.LEADS_TO and not keep_state:
        periods.move_on(actor, proceeding, step, now)
    step.period = periods.open_period(actor, proceeding, step, policy, now)
    apply_step_terms(proceeding, step, policy, now)
    step.save()
    freeze_version(step, content=step_content(step, step.period, opening), actor=actor,
                   at=now, previous_sha256=previous_version.sha256 if previous_version
                   else None)
    old_state = proceeding.state
    if not keep_state:
        proceeding.state = flow.LEADS_TO.get(kind, proceeding.state)
    proceeding.updated_at = now
    if flow.is_final(proceeding.kind, proceeding.state, proceeding.suspension_runs_at(now)):
        proceeding.closed_at = now
    proceeding.save()
    record_event(actor=actor, obj=proceeding, action=f"proceeding.{kind}", at=now,
                 changes={"state": [old_state, proceeding.state], "step": [None, step.number]},
                 reason=step.late_reason)
    publish(STEP_ISSUED, step=step.pk)
    return step


def may_issue(user, proceeding):
    """The step kinds `user` may issue on `proceeding` now (their side's turn): not a
    notice of suspension nor a decision while the provider's period runs unanswered,
    which `issue_step` refuses."""
    now = timezone.now()
    allowed = flow.next_steps(proceeding.kind, proceeding.state,
                              proceeding.suspension_runs_at(now))
    if user.is_usps_manager:
        kinds = [s for s in allowed if flow.side_of(s) == "usps"]
        if set(kinds) & set(flow.AFTER_PERIOD) and periods.period_runs(proceeding, now):
            kinds = [s for s in kinds if s not in flow.AFTER_PERIOD]
        return kinds
    if user.is_provider_officer and user.provider_id == proceeding.provider_id:
        return [s for s in allowed if flow.side_of(s) == "provider"]
    return []


def may_act_on(user, proceeding):
    """Whether `user` ever issues steps on `proceeding`: USPS managers, and the officers of
    its provider."""
    return user.is_authenticated and (user.is_usps_manager or (
        user.is_provider_officer and user.provider_id == proceeding.provider_id))


def may_amend(user, step):
    """Whether `user` may amend `step` now, as far as who they are goes: its own side, a
    step a person issued (the service also checks nothing has followed it)."""
    if step.issued_by_id is None or not user.is_authenticated:
        return False
    if step.side == Side.USPS:
        return user.is_usps_manager
    return user.is_provider_officer and user.provider_id == step.proceeding.provider_id


def require_amendable(actor, step):
    """Refuse to amend `step` to anyone but its own side (PermissionDenied), and to anyone
    once the system issued it or a later step has followed it (Conflict)."""
    require_side(actor, step.proceeding, step.side)
    if step.issued_by_id is None:
        raise Conflict("A step the system issued is not amended.")
    if step.proceeding.steps.filter(number__gt=step.number).exists():
        raise Conflict("A later step has followed this one: it is no longer amended.")


@transaction.atomic
def amend_step(*, actor, step, body, reason, based_on=None):
    """File a new version of the step's text, by its own side, while nothing has followed
    it; the clocks it set do not move. Earlier versions stay. Amending the opening notice
    amends the proceeding's grounds with it.

    `based_on`: the version the page showed. A version filed since is a Conflict (the
    page's text would replace it unseen), unless it is this very amendment sent again,
    which answers the version it filed."""
    require_amendable(actor, step)
    body = _text(body, "body", "Write the text of the step.")
    reason = _text(reason, "amendment_reason", "Say why the step is amended.")
    proceeding = _lock(step.proceeding)
    step = ProceedingStep.objects.select_for_update(no_key=True).get(pk=step.pk)
    step.proceeding = proceeding
    hold_actor(actor)  # as they are now: a closed account, a move, is refused
    require_amendable(actor, step)  # again, locked: nothing follows it while it is written
    if based_on is not None and based_on != step.current_version:
        latest = step.versions.order_by("-number").first()
        if latest.number == based_on + 1 and latest.submitted_by_id == actor.pk \
                and as_typed(step.body) == body \
                and as_typed(latest.amendment_reason) == reason:
            return latest
        raise Conflict(f"Version {step.current_version} of step {step.number} was filed "
                       f"since this page showed version {based_on}: read it, then amend.")
    if body == as_typed(step.body):
        raise ValidationError({"body": ["Nothing changed: an amendment changes the text."]})
    now = timezone.now()
    previous = step.versions.order_by("-number").first()
    content = {**previous.content, "body": body}
    # The opening notice's text is the proceeding's grounds: the new version's document
    # and the proceeding (its page, the API) carry the amended text with it.
    opening = step.number == 1
    if opening:
        content["grounds"] = body
    version = freeze_version(step, content=content, actor=actor, at=now,
                             previous_sha256=previous.sha256, previous=previous,
                             amendment_reason=reason)
    step.body = body
    step.current_version = version.number
    step.save(update_fields=["body", "current_version"])
    if opening:
        proceeding.grounds = body
        proceeding.updated_at = now
        proceeding.save(update_fields=["grounds", "updated_at"])
    record_event(actor=actor, obj=proceeding, action="proceeding.step_amended", at=now,
                 changes={"step": [None, step.number],
                          "version": [previous.number, version.number]}, reason=reason)
    publish(STEP_ISSUED, step=step.pk, version=version.number)
    return version


@transaction.atomic
def add_proceeding_note(*, actor, proceeding, body):
    """An internal USPS note on the proceeding (USPS staff, as they are now): never shown
    to the provider, never e-mailed."""
    if not (actor.is_authenticated and actor.is_usps):
        raise PermissionDenied("Only USPS staff write internal notes.")
    body = _text(body, "body", "Write the note.")
    if not hold_actor(actor).is_usps:
        raise PermissionDenied("Only USPS staff write internal notes.")
    now = timezone.now()
    note = ProceedingNote.objects.create(proceeding=proceeding, author=actor, body=body,
                                         created_at=now)
    record_event(actor=actor, obj=proceeding, action="proceeding.note_added", at=now,
                 reason=body, usps_only=True)
    return note


def end_due_suspensions(now, batch=100, policy=None):
    """What the sweep runs: each decided suspension whose last day has ended gets its
    reinstatement step, issued by the system and effective at that end (through the
    partial index `proceeding_suspension_end`), under `policy` (by default the one in
    force). An appeal waiting for its decision still waits for it: the proceeding stays
    appealed, and USPS's target to decide stays open. Returns how many ended."""
    ended = Proceeding.objects.filter(suspension_ends_at__lte=now)
    if not ended.exists():  # most passes: one query, no transaction
        return 0
    policy = policy or DeadlinePolicy.in_force()
    with transaction.atomic():
        due = list(ended.select_for_update(no_key=True, skip_locked=True, of=("self",))
                   .select_related("provider")
                   .order_by("suspension_ends_at", "id")[:batch])
        # Each reinstatement locks its provider after the step before's events: all the
        # pass's events go last, so no provider is waited for holding the audit chain.
        with appended_at_end():
            for proceeding in due:
                _end_suspension(proceeding, policy, now)
        return len(due)


def _end_suspension(proceeding, policy, now):
    """The system's reinstatement of a suspension that has run its course."""
    ends = proceeding.suspension_ends_at
    appealed = proceeding.state == ProceedingState.APPEALED
    # What the provider's status is once this suspension no longer holds it: another
    # proceeding, or USPS in the register, may hold it still.
    stays = status.standing(proceeding.provider_id, ending=proceeding.pk)
    body = (f"The suspension of {proceeding.suspension_days} days ended at "
            f"{ends.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC. "
            + ("The provider's authorization is restored."
               if stays == AuthorizationStatus.AUTHORIZED else
               f"The provider's authorization stays {AuthorizationStatus(stays).label.lower()}:"
               " another proceeding, or USPS in the register, holds it so.")
            + (" The appeal remains to be decided." if appealed else ""))
    _issue(None, proceeding, StepKind.REINSTATEMENT, body,
           {"effective_at": ends, "to_status": AuthorizationStatus.AUTHORIZED},
           policy, now, keep_state=appealed)
