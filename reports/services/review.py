"""USPS's review of filed reports: accept, or return for correction with a comment."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from compliance.deadlines import require_aware
from compliance.errors import Conflict
from compliance.models import DeadlinePolicy, ObligationKind
from compliance.services import meet_usps_target, record_event
from compliance.services.audit import iso_time
from compliance.services.chain import appended_at_end
from compliance.services.extensions import settle_pending
from compliance.services.users import hold_actor
from compliance.window import in_window, window_message
from incidents.models import Incident, IncidentStatus
from reports.models import Report, ReportKind, ReportReview, ReportState, ReviewDecision

from . import flow
from .access import require_usps
from .emails import queue_closing_email, queue_decision_email


def _lock(actor, report, expect_version=None):
    """The case and the report, locked; Conflict unless the report awaits review, in the
    version `expect_version` when given (the one the reviewer read)."""
    incident = Incident.objects.select_for_update(no_key=True, of=("self",)).select_related(
        "provider", "assigned_reviewer").get(pk=report.incident_id)
    report = Report.objects.select_for_update(no_key=True).get(pk=report.pk)
    report.incident = incident
    require_usps(hold_actor(actor))  # as they are now: a closed account is refused
    if report.state != ReportState.SUBMITTED:
        raise Conflict(f"{report.reference} is {report.get_state_display().lower()}: "
                            "only a filed report awaiting review is accepted or returned.")
    if expect_version is not None and expect_version != report.current_version:
        raise Conflict(f"Version {report.current_version} of {report.reference} was filed "
                       f"after version {expect_version} was read: read it, then decide.")
    return incident, report


def _decide(actor, report, decision, comment, now, **extra):
    version = report.versions.get(number=report.current_version)
    review = ReportReview.objects.create(
        report=report, version=version, filed_at=version.submitted_at, decision=decision,
        reviewer=actor, decided_at=now, comment=comment, **extra)
    old = report.state
    report.state = decision
    report.decided_at = now
    report.updated_at = now
    report.save()
    changes = {"state": [old, report.state], "version": [None, review.version.number]}
    if review.resubmission_due_at:
        changes["resubmission_due_at"] = [None, iso_time(review.resubmission_due_at)]
    record_event(actor=actor, obj=report, action=f"report.{decision}", at=now,
                 changes=changes, reason=comment)
    meet_usps_target(actor=actor, kind=ObligationKind.USPS_REPORT_REVIEW, object_id=report.pk,
                     at=now)
    return review


def _set_incident_status(actor, incident, status, now, reason=""):
    old = incident.status
    incident.status = status
    incident.updated_at = now
    fields = ["status", "updated_at"]
    if status == IncidentStatus.CLOSED:
        incident.closed_at = now
        fields.append("closed_at")
    incident.save(update_fields=fields)
    record_event(actor=actor, obj=incident, action=f"incident.{status}", at=now,
                 changes={"status": [old, status]}, reason=reason)


@transaction.atomic
@appended_at_end()
def accept_report(*, actor, report, comment="", expect_version=None):
    """Accept the newest version. An accepted written report starts the investigation
    (status-report cadence, final-summary duty); an accepted final summary closes the
    case and every duty still owed on it. The provider's officers are e-mailed.

    Its audit events go last: the case's new status locks the row counting the
    provider's cases, which a triage of another case holds before it appends to the
    chain."""
    require_usps(actor)
    incident, report = _lock(actor, report, expect_version)
    now = timezone.now()
    review = _decide(actor, report, ReviewDecision.ACCEPTED, (comment or "").strip(), now)
    if report.kind == ReportKind.WRITTEN and incident.status != IncidentStatus.INVESTIGATING:
        _set_incident_status(actor, incident, IncidentStatus.INVESTIGATING, now)
        flow.start_investigation(actor, incident, report, now, DeadlinePolicy.in_force())
    elif report.kind == ReportKind.FINAL:
        _set_incident_status(actor, incident, IncidentStatus.CLOSED, now)
        closing = f"The final summary {report.reference} was accepted; the case is closed."
        flow.close_all_duties(actor, incident, closing)
        settle_pending(actor=actor, incident_id=incident.pk, at=now, tell=True,
                       reason=f"Nothing is owed on the case any more: {closing}")
    queue_decision_email(report, review)
    return review


def returnable(incident):
    """Whether a report of `incident` may be returned for correction: not once the case is
    closed, as nothing is owed or filed on a closed case."""
    return incident.status != IncidentStatus.CLOSED


@transaction.atomic
@appended_at_end()
def return_report(*, actor, report, comment, resubmission_due_at=None, expect_version=None):
    """Return the newest version for correction: the comment says what to change; a
    corrected version is owed by `resubmission_due_at` (default: the policy's written-
    report window for the case's risk). The provider's officers are e-mailed. Refused (409)
    once the case is closed: nothing is owed or filed on a closed case, so a correction
    could never be filed; accepting the report closes its review instead. `expect_version`:
    see `_lock`."""
    require_usps(actor)
    now = timezone.now()
    comment = (comment or "").strip()
    errors = {}
    if not comment:
        errors["comment"] = ["Say what the provider must correct."]
    if resubmission_due_at is not None:
        require_aware(resubmission_due_at, "resubmission_due_at")
        if not in_window(resubmission_due_at):
            errors["resubmission_due_at"] = [window_message()]
        elif resubmission_due_at <= now:
            errors["resubmission_due_at"] = ["The resubmission must be due in the future."]
    if errors:
        raise ValidationError(errors)
    incident, report = _lock(actor, report, expect_version)
    # The decision's time, taken with the case held (as every decision's): a sweep that
    # marked USPS's review target missed meanwhile finds it decided late.
    now = timezone.now()
    if resubmission_due_at is not None and resubmission_due_at <= now:
        raise ValidationError({"resubmission_due_at": [
            "The resubmission must be due in the future."]})
    if not returnable(incident):
        raise Conflict(f"The case is closed: no corrected version of {report.reference} "
                       "can be filed, so it is not returned. Accept it to close its review.")
    due_at = resubmission_due_at or flow.default_resubmission_due(
        DeadlinePolicy.in_force(), incident, now)
    duty = flow.open_resubmission(actor, report, due_at)
    review = _decide(actor, report, ReviewDecision.RETURNED, comment, now,
                     resubmission_due_at=due_at, resubmission_obligation=duty)
    queue_decision_email(report, review)
    return review


@transaction.atomic
@appended_at_end()
def close_case(*, actor, incident, reason):
    """USPS closes a filed case without an accepted final summary, saying why (a
    duplicate filing; a case whose written report or final summary USPS waived, which no
    accepted final summary will close): every duty of the provider still owed on it is
    closed (`close_all_duties`: the status reports stop), a pending request for more time
    on one is denied (nothing being owed), USPS's triage target is met if it waits, and the
    provider's officers are e-mailed the reason. Refused while a report
    waits on USPS's review (decide it first). Returns False, changing nothing, for a case
    already closed (the form sent twice)."""
    require_usps(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["Say why the case is closed without an accepted "
                                          "final summary; the provider reads it."]})
    incident = Incident.objects.select_for_update(no_key=True, of=("self",)).select_related(
        "provider").get(pk=incident.pk)
    require_usps(hold_actor(actor))  # as they are now: a closed account is refused
    if incident.is_draft:
        raise Conflict("A draft is the provider's until it is filed: it is not closed.")
    if incident.status == IncidentStatus.CLOSED:
        return False
    waiting = (Report.objects.filter(incident=incident, state=ReportState.SUBMITTED)
               .order_by("id").first())
    if waiting is not None:
        raise Conflict(f"{waiting.reference} waits on your review: accept or return it "
                       "before closing the case.")
    now = timezone.now()
    _set_incident_status(actor, incident, IncidentStatus.CLOSED, now, reason=reason)
    flow.close_all_duties(actor, incident, f"USPS closed the case: {reason}")
    denied = settle_pending(actor=actor, incident_id=incident.pk, at=now,
                            reason=f"The case is closed, nothing is owed on it: {reason}")
    meet_usps_target(actor=actor, kind=ObligationKind.USPS_TRIAGE, object_id=incident.pk,
                     at=now)
    queue_closing_email(incident, reason, denied=[str(e.obligation) for e in denied])
    return True
