"""Saving a new version of the USPS internal deadline policy."""

import math

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from compliance.errors import Conflict
from compliance.models import DeadlinePolicy, ObligationKind, RevenueRisk
from compliance.models.obligations import USPS_KINDS
from compliance.window import check_days, check_hours

from .audit import record_event
from .chain import hold_chain
from .schedule import rearm_reminders
from .users import hold_actor

RISK_WINDOW_FIELDS = ("written_report_days", "status_report_interval_days")
ESCALATION_FIELDS = ("repeat_after_hours", "managers_after_hours", "max_escalations")
MAX_ESCALATIONS = 100
MAX_TARGET_DAYS = 365
# Two managers saving at the same instant both read version n; one insert of n + 1 wins
# and the other retries on the unique constraint.
VERSION_ATTEMPTS = 5


def _number(value, label, *, integer=False, allow_zero=False):
    try:
        number = int(value) if integer else float(value)
    except (TypeError, ValueError):
        raise ValidationError(f"{label}: “{value}” is not a number.") from None
    if integer and isinstance(value, float) and value != number:
        raise ValidationError(f"{label}: use a whole number.")
    if not math.isfinite(number) or number < 0 or (number == 0 and not allow_zero):
        raise ValidationError(f"{label} must be {'zero or more' if allow_zero else 'positive'}.")
    return int(number) if not integer and float(number).is_integer() else number


def clean_risk_windows(risk_windows):
    """{risk: {written_report_days, status_report_interval_days}} for every revenue risk,
    whole positive days."""
    cleaned, errors = {}, []
    for risk in RevenueRisk:
        row = (risk_windows or {}).get(risk.value)
        if not isinstance(row, dict):
            errors.append(f"{risk.label} revenue risk: both windows are required.")
            continue
        try:
            cleaned[risk.value] = {
                field: check_days(_number(row.get(field),
                                          f"{risk.label} {field.replace('_', ' ')}",
                                          integer=True), f"{risk.label} {field.replace('_', ' ')}")
                for field in RISK_WINDOW_FIELDS
            }
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError({"risk_windows": errors})
    return cleaned


def clean_reminder_offsets(reminder_offsets_hours):
    """{kind: [hours before due, largest first]} for every obligation kind; each positive."""
    cleaned, errors = {}, []
    for kind in ObligationKind:
        offsets = (reminder_offsets_hours or {}).get(kind.value, [])
        if not isinstance(offsets, list | tuple):
            errors.append(f"{kind.label}: give a list of hours.")
            continue
        try:
            hours = {check_hours(_number(h, f"{kind.label} reminder"), f"{kind.label} reminder")
                     for h in offsets}
        except ValidationError as exc:
            errors.extend(exc.messages)
            continue
        cleaned[kind.value] = sorted(hours, reverse=True)
    if errors:
        raise ValidationError({"reminder_offsets_hours": errors})
    return cleaned


def clean_escalation(escalation):
    """The ladder after due: repeat gaps (positive hours, at least one), when managers
    join (hours, zero or more) and how many escalations at most (1 to 100)."""
    escalation = escalation or {}
    errors = []
    cleaned = {}
    try:
        gaps = escalation.get("repeat_after_hours") or []
        if not gaps:
            raise ValidationError("Give at least one repeat interval.")
        cleaned["repeat_after_hours"] = [check_hours(_number(g, "Repeat interval"),
                                                     "Repeat interval") for g in gaps]
    except ValidationError as exc:
        errors.extend(exc.messages)
    try:
        cleaned["managers_after_hours"] = check_hours(_number(
            escalation.get("managers_after_hours"), "Managers after", allow_zero=True),
            "Managers after")
    except ValidationError as exc:
        errors.extend(exc.messages)
    try:
        count = _number(escalation.get("max_escalations"), "Maximum escalations", integer=True)
        if count > MAX_ESCALATIONS:
            raise ValidationError(f"Maximum escalations: at most {MAX_ESCALATIONS}.")
        cleaned["max_escalations"] = count
    except ValidationError as exc:
        errors.extend(exc.messages)
    if errors:
        raise ValidationError({"escalation": errors})
    return cleaned


def clean_usps_targets(usps_targets):
    """{kind: {days, business_days}} for every USPS target kind: whole days from 1 to 365,
    counted as business days (true) or calendar days (false)."""
    cleaned, errors = {}, []
    for kind in USPS_KINDS:
        row = (usps_targets or {}).get(kind.value)
        if not isinstance(row, dict):
            errors.append(f"{kind.label}: give the number of days.")
            continue
        try:
            days = _number(row.get("days"), f"{kind.label} days", integer=True)
        except ValidationError as exc:
            errors.extend(exc.messages)
            continue
        if days > MAX_TARGET_DAYS:
            errors.append(f"{kind.label}: at most {MAX_TARGET_DAYS} days.")
            continue
        cleaned[kind.value] = {"days": days, "business_days": bool(row.get("business_days"))}
    if errors:
        raise ValidationError({"usps_targets": errors})
    return cleaned


def clean_proceeding_periods(periods):
    """{correction_days: {risk: days}, defense_days, appeal_days, suspension_days}: whole
    positive days, at most ten years."""
    periods = periods or {}
    cleaned, errors = {}, []

    def days(value, label):
        try:
            return check_days(_number(value, label, integer=True), label)
        except ValidationError as exc:
            errors.extend(exc.messages)
            return None

    correction = periods.get("correction_days")
    if not isinstance(correction, dict):
        errors.append("Correction period: give the days for every revenue risk.")
    else:
        cleaned["correction_days"] = {
            risk.value: days(correction.get(risk.value),
                             f"Correction period, {risk.label.lower()} revenue risk")
            for risk in RevenueRisk}
    for period in ("defense", "appeal", "suspension"):
        cleaned[f"{period}_days"] = days(periods.get(f"{period}_days"),
                                         f"{period.capitalize()} period")
    if errors:
        raise ValidationError({"proceeding_periods": errors})
    return cleaned


def save_deadline_policy(*, actor, risk_windows, reminder_offsets_hours, escalation, note,
                         usps_targets=None, proceeding_periods=None, base_version=None):
    """Save the next version of the deadline policy; it is in force from now on.

    Only USPS managers (PermissionDenied otherwise). Values are checked and normalised
    (ValidationError); a note saying what changed is required. Without `usps_targets` or
    `proceeding_periods` those stay as in the version in force. Deadlines already set stay
    as they are: obligations keep their `due_at`. `base_version`: the version the values
    were filled from (0 for the built-in defaults); refused (Conflict) once another has
    been saved since, whose changes these values would undo unseen.
    """
    if not (actor.is_authenticated and actor.is_usps_manager):
        raise PermissionDenied("Only USPS managers change the deadline policy.")
    note = (note or "").strip()
    errors = {}
    values = {}
    in_force = DeadlinePolicy.in_force()
    if usps_targets is None:
        usps_targets = {kind.value: in_force.usps_target(kind.value) for kind in USPS_KINDS}
    if proceeding_periods is None:
        proceeding_periods = in_force_periods(in_force)
    for field, cleaner, raw in (("risk_windows", clean_risk_windows, risk_windows),
                                ("reminder_offsets_hours", clean_reminder_offsets,
                                 reminder_offsets_hours),
                                ("escalation", clean_escalation, escalation),
                                ("usps_targets", clean_usps_targets, usps_targets),
                                ("proceeding_periods", clean_proceeding_periods,
                                 proceeding_periods)):
        try:
            values[field] = cleaner(raw)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if not note:
        errors["note"] = ["Say what changed and why."]
    if errors:
        raise ValidationError(errors)

    for _ in range(VERSION_ATTEMPTS):
        try:
            with transaction.atomic():
                _check_base_version(base_version)
                if not hold_actor(actor).is_usps_manager:  # as they are now
                    raise PermissionDenied("Only USPS managers change the deadline policy.")
                return _save_next_version(actor, values, note)
        except IntegrityError:
            continue
    raise Conflict("Another manager was saving the policy at the same time; try again.")


def in_force_periods(policy):
    """The proceeding periods of `policy` in full (defaults for what it lacks)."""
    return {"correction_days": {risk.value: policy.proceeding_days("correction", risk.value)
                                for risk in RevenueRisk},
            **{f"{period}_days": policy.proceeding_days(period)
               for period in ("defense", "appeal", "suspension")}}


def _check_base_version(base_version):
    """Refuse (Conflict) values filled from another version than the newest, read locked."""
    if base_version is None:
        return
    # The lock first: a save that held it has committed its version by the time it is
    # granted, which only a statement after it sees (the locked row is the one it waited
    # for, not the newer one).
    DeadlinePolicy.objects.select_for_update(no_key=True).order_by("-version").first()
    latest = DeadlinePolicy.objects.select_related("created_by").order_by("-version").first()
    version = latest.version if latest else 0
    if version != base_version:
        by = f" by {latest.created_by}" if latest is not None else ""
        raise Conflict(f"Version {version} was saved meanwhile{by}: open the page again to "
                       "see it, then make your change.")


def _save_next_version(actor, values, note):
    latest = DeadlinePolicy.objects.select_for_update(no_key=True).order_by("-version").first()
    previous = latest or DeadlinePolicy.defaults()
    policy = DeadlinePolicy.objects.create(
        version=previous.version + 1, note=note, created_by=actor, **values)
    changes = {field: [getattr(previous, field), value] for field, value in values.items()
               if getattr(previous, field) != value}
    changes["version"] = [latest.version if latest else None, policy.version]
    if "reminder_offsets_hours" in changes or "escalation" in changes:
        # The chain first: the re-arm then waits for nothing (it passes over the duties a
        # filing holds), and a filing holding the chain while it locks its duties finishes
        # first, instead of each waiting for the other.
        hold_chain()
        changes["reminder_cursors_moved"] = [None, rearm_reminders(policy, policy.created_at)]
    record_event(actor=actor, obj=policy, action="deadline_policy.saved", changes=changes,
                 reason=note, usps_only=True, at=policy.created_at)
    return policy
