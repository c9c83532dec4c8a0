"""Triage by USPS: the revenue risk, the written-report deadline, the status-report
interval and the assigned reviewer. The risk rationale is internal to USPS."""


from typing import NamedTuple

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, Value, When
from django.urls import reverse
from django.utils import timezone

from compliance import deadlines
from compliance.deadlines import require_aware
from compliance.errors import Conflict
from compliance.models import DeadlinePolicy, Obligation, ObligationKind, Role, User
from compliance.models.obligations import OWED
from compliance.services import (
    assign_obligations_reviewer,
    meet_usps_target,
    move_obligation_due,
    open_obligation,
    record_event,
)
from compliance.services.audit import iso_time
from compliance.services.chain import appended_at_end
from compliance.services.users import hold_actor
from compliance.window import in_window, window_message
from incidents.models import Incident, IncidentStatus, RevenueRisk
from notifications.services import queue_email

# A first triage takes a filed case under review; a re-triage may also follow it into the
# investigation (a risk raised on new facts). A closed case is not triaged again.
TRIAGE_STATES = (IncidentStatus.SUBMITTED, IncidentStatus.UNDER_REVIEW,
                 IncidentStatus.INVESTIGATING)
MAX_INTERVAL_DAYS = 365


RETRIAGE_REASON = "USPS changed the deadline when it triaged the case again."


class Triaged(NamedTuple):
    """What a triage did: the written-report duty, whether the risk or a deadline changed
    (the provider's officers are told), and the reviewer it assigned (None: no change)."""

    obligation: Obligation | None
    changed: bool
    assigned: User | None


def require_usps(actor):
    if not (actor.is_authenticated and actor.is_usps):
        raise PermissionDenied("Only USPS reviewers and managers review incidents.")


def written_report_obligation(incident, lock=False):
    """The incident's written-report duty in the ledger, or None: the one still owed (the
    resubmission of a returned report, say), else the first."""
    qs = Obligation.objects.filter(incident_id=incident.pk, kind=ObligationKind.WRITTEN_REPORT)
    if lock:
        qs = qs.select_for_update(no_key=True)
    owed_first = Case(When(OWED, then=Value(0)), default=Value(1))
    return qs.order_by(owed_first, "id").first()


def triage_state(incident, duties):
    """What a triage page shows of the case's triage, as one string: its risk, its
    status-report interval and the written report's due time (of `duties`, the case's
    obligations: the one still owed, else the first, as `written_report_obligation`). A
    page sends it back: a change made since is not undone unseen."""
    written = sorted((o for o in duties if o.kind == ObligationKind.WRITTEN_REPORT),
                     key=lambda o: (not o.is_outstanding, o.pk))
    due = _iso(written[0].due_at) if written else ""
    return f"{incident.revenue_risk or ''}|{incident.status_report_interval_days or ''}|{due}"


def _check_reviewer(reviewer):
    if reviewer is None:
        return None
    if not (reviewer.is_active and reviewer.role == Role.USPS_REVIEWER):
        raise ValidationError({"reviewer": ["Choose an active USPS reviewer."]})
    return reviewer


def _check_inputs(risk, written_report_due_at, interval, now):
    errors = {}
    if risk not in RevenueRisk.values:
        errors["revenue_risk"] = [f"Choose one of {', '.join(RevenueRisk.values)}."]
    if written_report_due_at is not None:
        require_aware(written_report_due_at, "written_report_due_at")
        if not in_window(written_report_due_at):
            errors["written_report_due_at"] = [window_message()]
        elif written_report_due_at <= now:
            errors["written_report_due_at"] = ["The written report must be due in the future."]
    if interval is not None and not 1 <= interval <= MAX_INTERVAL_DAYS:
        errors["status_report_interval_days"] = [
            f"Give a whole number of days from 1 to {MAX_INTERVAL_DAYS}."]
    if errors:
        raise ValidationError(errors)


def _iso(value):
    return iso_time(value)


@transaction.atomic
def triage_incident(*, actor, incident, revenue_risk, rationale, written_report_due_at=None,
                    status_report_interval_days=None, reviewer=None, expect_first=False,
                    based_on=None):
    """Set the revenue risk of a filed incident and what follows from it.

    The first triage puts the case under review, opens the written-report duty (due the
    policy's window for the risk after now, unless `written_report_due_at` is given) and
    sets the status-report interval (the policy's, unless given). A later triage that
    changes the risk or a deadline needs a rationale and moves the duty's `due_at`;
    `original_due_at` stays. The rationale is recorded for USPS only. The provider's
    officers are e-mailed the deadline after commit.

    `expect_first`: the caller offered a first triage (a page filled in before anyone
    triaged): refused if someone has triaged meanwhile and this would change their triage,
    which it has not seen (the same triage sent twice changes nothing). `based_on`: the
    `triage_state` the page was filled from: a change is refused once another was made
    since. Returns what it did (`Triaged`).
    """
    require_usps(actor)
    incident = Incident.objects.select_for_update(no_key=True).get(pk=incident.pk)
    require_usps(hold_actor(actor))  # as they are now: a closed account is refused
    if incident.status not in TRIAGE_STATES:
        raise Conflict(f"A {incident.get_status_display().lower()} incident is not "
                            "triaged.")
    now = timezone.now()
    rationale = (rationale or "").strip()
    _check_inputs(revenue_risk, written_report_due_at, status_report_interval_days, now)
    reviewer = _check_reviewer(reviewer)
    policy = DeadlinePolicy.in_force()
    policy_due = deadlines.written_report_due_at(policy, revenue_risk, now)
    policy_interval = deadlines.risk_window(policy, revenue_risk,
                                            "status_report_interval_days")
    if incident.triaged_at is None:
        obligation, changed = _first_triage(
            actor, incident, now, revenue_risk, rationale, written_report_due_at or policy_due,
            status_report_interval_days or policy_interval), True
    else:
        obligation, changed = _retriage(
            actor, incident, now, revenue_risk, rationale, written_report_due_at, policy_due,
            status_report_interval_days, policy_interval, expect_first, based_on)
    if reviewer is None and actor.role == Role.USPS_REVIEWER and _held_by_no_reviewer(incident):
        reviewer = actor
    if reviewer is None or reviewer.pk == incident.assigned_reviewer_id:
        return Triaged(obligation, changed, None)
    _assign(actor, incident, reviewer, now)
    return Triaged(obligation, changed, reviewer)


def _first_triage(actor, incident, now, risk, rationale, due_at, interval):
    if not rationale:
        raise ValidationError({"rationale": ["Say why this revenue risk (USPS only)."]})
    old_status = incident.status
    incident.revenue_risk = risk
    incident.status = IncidentStatus.UNDER_REVIEW
    incident.triaged_at = now
    incident.status_report_interval_days = interval
    incident.updated_at = now
    incident.save()
    obligation = open_obligation(
        actor=actor, kind=ObligationKind.WRITTEN_REPORT, provider=incident.provider,
        subject=f"{incident.reference}: {incident.title}", due_at=due_at,
        incident_id=incident.pk, usps_visible=True)
    if incident.assigned_reviewer_id:
        assign_obligations_reviewer(incident_id=incident.pk,
                                    reviewer=incident.assigned_reviewer)
    changes = {"revenue_risk": [None, risk], "status": [old_status, incident.status],
               "written_report_due_at": [None, _iso(due_at)],
               "status_report_interval_days": [None, interval]}
    event = record_event(actor=actor, obj=incident, action="incident.triaged", at=now,
                         changes=changes)
    record_event(actor=actor, obj=incident, action="incident.triage_rationale", at=now,
                 changes={"revenue_risk": [None, risk]}, reason=rationale, usps_only=True)
    meet_usps_target(actor=actor, kind=ObligationKind.USPS_TRIAGE, object_id=incident.pk,
                     at=now)
    _queue_triage_email(incident, obligation, event, changed=False)
    return obligation


# Revenue risks from the lightest to the gravest.
RISK_ORDER = [risk.value for risk in RevenueRisk]


def _held_by_no_reviewer(incident):
    """Whether the case is held by no one who reviews: no one, or someone since made a
    manager, gone to a provider or closed (its news and reminders go to every reviewer)."""
    holder = incident.assigned_reviewer if incident.assigned_reviewer_id else None
    return holder is None or not holder.is_active or holder.role != Role.USPS_REVIEWER


def _retriage(actor, incident, now, risk, rationale, due_at, policy_due, interval,
              policy_interval, expect_first, based_on):
    """(the written-report duty, whether anything changed)."""
    obligation = written_report_obligation(incident, lock=True)
    risk_changed = risk != incident.revenue_risk
    if due_at is None and risk_changed and obligation is not None \
            and obligation.is_outstanding:
        # The policy's window counted from now, one way only: a graver risk never gives
        # the provider more time than it has, a lighter one never takes away time it was
        # given (an extension granted, a date USPS set). Any other date is typed.
        was = (RISK_ORDER.index(incident.revenue_risk)
               if incident.revenue_risk in RISK_ORDER else -1)
        graver = RISK_ORDER.index(risk) > was
        due_at = (min if graver else max)(obligation.due_at, policy_due)
    if interval is None and risk_changed:
        interval = policy_interval
    changes = {}
    if risk_changed:
        changes["revenue_risk"] = [incident.revenue_risk, risk]
    if interval is not None and interval != incident.status_report_interval_days:
        changes["status_report_interval_days"] = [incident.status_report_interval_days,
                                                  interval]
    if due_at is not None and (obligation is None or due_at != obligation.due_at):
        if obligation is None or not obligation.is_outstanding:
            raise ValidationError({"written_report_due_at": [
                "The written report is no longer owed: its due time does not move."]})
        changes["written_report_due_at"] = [_iso(obligation.due_at), _iso(due_at)]
    if not changes:
        return obligation, False
    # A change of a triage the page did not show is refused.
    if expect_first:
        raise Conflict("This case was triaged meanwhile: open it again to see that triage, "
                       "then change it if need be.")
    if based_on is not None and based_on != triage_state(
            incident, [obligation] if obligation is not None else []):
        raise Conflict("This case's triage was changed meanwhile: open it again to see the "
                       "risk and deadlines it has now, then change them if need be.")
    if not rationale:
        raise ValidationError({"rationale": [
            "A change of risk or deadline needs a rationale (USPS only)."]})
    if "written_report_due_at" in changes:
        # The duty's own history says when and to what it moved, for the provider too;
        # why is USPS's (the rationale's event below).
        obligation = move_obligation_due(actor=actor, obligation=obligation, due_at=due_at,
                                         reason=RETRIAGE_REASON, action="obligation.due_moved")
    incident.revenue_risk = risk
    if interval is not None:
        incident.status_report_interval_days = interval
    incident.updated_at = now
    incident.save()
    event = record_event(actor=actor, obj=incident, action="incident.retriaged", at=now,
                         changes=changes)
    record_event(actor=actor, obj=incident, action="incident.triage_rationale", at=now,
                 changes=changes, reason=rationale, usps_only=True)
    if obligation is not None:
        _queue_triage_email(incident, obligation, event, changed=True)
    return obligation, True


@transaction.atomic
def assign_reviewer(*, actor, incident, reviewer):
    """Assign a filed incident to a USPS reviewer (or to nobody, with None); escalations of
    its duties go to them from now on. Internal to USPS."""
    require_usps(actor)
    incident = Incident.objects.select_for_update(no_key=True).get(pk=incident.pk)
    require_usps(hold_actor(actor))
    if incident.is_draft:
        raise Conflict("A draft is not reviewed.")
    reviewer = _check_reviewer(reviewer)
    if (reviewer.pk if reviewer else None) == incident.assigned_reviewer_id:
        return incident
    _assign(actor, incident, reviewer, timezone.now())
    return incident


@transaction.atomic
def assign_reviewers(*, actor, incidents, reviewer):
    """Assign several filed incidents to one USPS reviewer (or to nobody) at once: all or
    none. Returns how many changed hands."""
    require_usps(actor)
    changed = 0
    # The cases first, in a fixed order, then the author: as every USPS write locks them.
    list(Incident.objects.select_for_update(no_key=True)
         .filter(pk__in=[incident.pk for incident in incidents]).order_by("pk")
         .values_list("pk", flat=True))
    require_usps(hold_actor(actor))
    # A fixed lock order, and the events appended last: a case locked after another's
    # event would wait holding the audit chain, which its holder may be waiting for.
    with appended_at_end():
        for incident in sorted(incidents, key=lambda i: i.pk):
            before = incident.assigned_reviewer_id
            after = assign_reviewer(actor=actor, incident=incident, reviewer=reviewer)
            changed += before != after.assigned_reviewer_id
    return changed


def _assign(actor, incident, reviewer, now):
    old = incident.assigned_reviewer
    # Internal to USPS: `updated_at`, which the provider sees, stays as it was.
    incident.assigned_reviewer = reviewer
    incident.save(update_fields=["assigned_reviewer"])
    assign_obligations_reviewer(incident_id=incident.pk, reviewer=reviewer)
    record_event(actor=actor, obj=incident, action="incident.reviewer_assigned", at=now,
                 changes={"reviewer": [old.username if old else None,
                                       reviewer.username if reviewer else None]},
                 usps_only=True)


def _queue_triage_email(incident, obligation, event, *, changed):
    """The deadline to the provider's officers: risk, due time, interval; no rationale."""
    officers = User.objects.officers_of(incident.provider_id)
    queue_email(recipients=list(officers), template="incident_triaged", context={
        "incident": incident,
        "obligation": obligation,
        "changed": changed,
        "case_path": reverse("incident-detail", args=[incident.pk]),
    }, key=f"incident:{incident.pk}:triage:{event.pk}")
