"""Drafting and filing reports: drafts edited in place, each filing frozen as a version
with a receipt, the matching duty met, the cadence kept. Append-only once filed."""

import hashlib
import json

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from compliance.canonical import canonical_json, changes_between, freeze, sha256_of
from compliance.errors import Conflict
from compliance.models import DeadlinePolicy, ObligationKind, ObligationState
from compliance.services import hold_actor, open_usps_target, record_event
from incidents.models import Incident, IncidentStatus
from reports.models import (
    REFERENCE_CODES,
    Report,
    ReportKind,
    ReportState,
    ReportSubmissionKey,
    ReportVersion,
)

from . import flow
from .access import require_officer
from .canonical import content_of, report_document
from .emails import queue_filed_email
from .validation import check_complete, check_fields

# The incident states in which a report of each kind may be filed. The written report
# answers the deadline USPS sets at triage (§ 501.11(c)), so it follows triage.
FILING_STATES = {
    ReportKind.WRITTEN: (IncidentStatus.UNDER_REVIEW,),
    ReportKind.STATUS: (IncidentStatus.INVESTIGATING,),
    ReportKind.FINAL: (IncidentStatus.INVESTIGATING,),
}
# Kinds of which a case has one report only (corrected by resubmission, never replaced).
SINGLE_KINDS = (ReportKind.WRITTEN, ReportKind.FINAL)
OPEN_STATES = (ReportState.DRAFT, ReportState.SUBMITTED, ReportState.RETURNED)


def kinds_fileable(incident):
    """The kinds a report may be filed of, in the incident's current state."""
    return [kind for kind in ReportKind if incident.status in FILING_STATES[kind]]


def check_incident_state(incident, kind):
    if incident.is_draft:
        raise Conflict("File the notification before filing reports on it.")
    if incident.status == IncidentStatus.CLOSED:
        raise Conflict("The case is closed: no more reports are filed on it.")
    if incident.status not in FILING_STATES[kind]:
        if kind == ReportKind.WRITTEN and incident.status == IncidentStatus.SUBMITTED:
            raise Conflict("USPS has not yet set the written report's deadline; it can be "
                                "filed once the case has been triaged.")
        if kind == ReportKind.WRITTEN:
            raise Conflict("The written report has been accepted; file status reports "
                                "and the final summary now.")
        raise Conflict(f"A {ReportKind(kind).label.lower()} is filed once the written "
                            "report has been accepted.")


# A page filled from another state of the report than it has now.
STALE_PAGE = ("{reference} changed since this page was filled (a version filed, or the "
              "draft saved, by someone else): nothing of this page was {done}. Open the "
              "report again to see what changed, then edit it.")


def report_digest(report):
    """Which state of the report a page shows: its version and what it states (a page
    posting every field sends it back as `based_on`)."""
    return sha256_of(canonical_json({"version": report.current_version,
                                     "content": content_of(report)}))[:32]


def _check_page(report, based_on, values, done):
    """Refuse (Conflict) what a page filled from another state of the report (`based_on`,
    its `report_digest`) would change: unseen, it would undo what was filed or saved
    since. The same page sent again changes nothing more and passes."""
    if based_on is None or based_on == report_digest(report):
        return
    if any(getattr(report, name) != value for name, value in values.items()):
        raise Conflict(STALE_PAGE.format(reference=report.reference, done=done))


def _lock_incident(incident, actor):
    """The case, locked; then the officer as they are now (`hold_actor`): a filing sent
    by a request read before their account was closed, or made a viewer, is refused."""
    incident = Incident.objects.select_for_update(no_key=True, of=("self",)).select_related(
        "provider", "assigned_reviewer").get(pk=incident.pk)
    require_officer(hold_actor(actor), incident.provider_id)
    return incident


def _lock_report(report):
    return Report.objects.select_for_update(no_key=True).get(pk=report.pk)


def _open_report(incident, kind, states=OPEN_STATES):
    return (Report.objects.filter(incident=incident, kind=kind, state__in=states)
            .order_by("created_at", "id").first())


@transaction.atomic
def create_report_draft(*, actor, incident, kind, submission_key=None, **fields):
    """Start a report of `kind` on a filed case, private to the provider until filed. A
    case has one written report and one final summary, and one draft of each kind.
    `submission_key`: see `file_report`."""
    require_officer(actor, incident.provider_id)
    submission_key = submission_key or None
    if kind not in ReportKind.values:
        raise ValidationError({"kind": [f"Choose one of {', '.join(ReportKind.values)}."]})
    incident = _lock_incident(incident, actor)
    check_incident_state(incident, kind)
    values = check_fields(kind, fields)
    blocking = OPEN_STATES if kind in SINGLE_KINDS else (ReportState.DRAFT,)
    existing = _open_report(incident, kind, blocking)
    if existing is not None:
        raise Conflict(f"{existing.reference} is {existing.get_state_display().lower()}: "
                            "continue with it instead of starting another.")
    now = timezone.now()
    number = Report.objects.filter(incident=incident, kind=kind).count() + 1
    report = Report.objects.create(
        incident=incident, provider_id=incident.provider_id, kind=kind, number=number,
        reference=f"{incident.reference}-{REFERENCE_CODES[kind]}{number}",
        created_by=actor, created_at=now, updated_at=now, submission_key=submission_key,
        **values)
    record_event(actor=actor, obj=report, action="report.draft_created", at=now,
                 changes={"kind": [None, kind], "reference": [None, report.reference]})
    return report


def _apply(actor, report, values, now, action):
    changes = {}
    for name, value in values.items():
        old = getattr(report, name)
        if old != value:
            changes[name] = [old.isoformat() if hasattr(old, "isoformat") else old,
                             value.isoformat() if hasattr(value, "isoformat") else value]
            setattr(report, name, value)
    if changes:
        report.updated_at = now
        report.save()
        if action:
            record_event(actor=actor, obj=report, action=action, changes=changes, at=now)
    return changes


@transaction.atomic
def update_report_draft(*, actor, report, based_on=None, **fields):
    """Change a draft in place. A filed report is append-only: 409. `based_on`: see
    `_check_page`."""
    require_officer(actor, report.provider_id)
    incident = _lock_incident(report.incident, actor)
    report = _lock_report(report)
    if not report.is_draft:
        raise Conflict(f"{report.reference} has been filed: it is not edited. "
                            "A returned report is corrected by filing a new version.")
    if incident.status == IncidentStatus.CLOSED:
        check_incident_state(incident, report.kind)
    values = check_fields(report.kind, fields)
    _check_page(report, based_on, values, "saved")
    _apply(actor, report, values, timezone.now(), "report.draft_updated")
    return report


def _freeze(report, *, actor, now, previous, duty):
    number = report.current_version + 1
    document = report_document(report, number=number, submitted_by=actor, submitted_at=now,
                               previous=previous)
    text, sha256 = freeze(document)
    return ReportVersion.objects.create(
        report=report, number=number, canonical_json=text, sha256=sha256,
        submitted_by=actor, submitted_at=now, obligation=duty,
        changes=changes_between(previous.content, document["content"]) if previous else {},
    )


@transaction.atomic
def submit_report(*, actor, report, based_on=None, **fields):
    """File a draft (version 1) or, after USPS returned it, a corrected version (n+1),
    with `fields` applied first. Checks completeness; stamps the server time; meets (or
    meets late) the matching duty; the filing then waits for USPS review (a USPS
    target); a first status report opens the next one and any status report may move the
    final summary's due time. `based_on`: see `_check_page`. Returns the version
    (receipt)."""
    require_officer(actor, report.provider_id)
    incident = _lock_incident(report.incident, actor)
    report = _lock_report(report)
    report.incident = incident
    if report.state not in (ReportState.DRAFT, ReportState.RETURNED):
        raise Conflict(f"{report.reference} has been filed and is "
                            f"{report.get_state_display().lower()}: filings are append-only.")
    check_incident_state(incident, report.kind)
    if not correctable(report):
        raise Conflict(CORRECTION_WAIVED.format(reference=report.reference))
    now = timezone.now()
    values = check_fields(report.kind, fields)
    _check_page(report, based_on, values, "filed")
    for name, value in values.items():
        setattr(report, name, value)
    check_complete(report, now)
    previous = report.versions.order_by("-number").first()
    resubmission = report.state == ReportState.RETURNED
    if resubmission and not changes_between(previous.content, content_of(report)):
        raise ValidationError({"non_field_errors": [
            "Nothing changed: a resubmission must answer the return by changing the report."]})
    duty = flow.meet_duty(actor, report, now)
    version = _freeze(report, actor=actor, now=now, previous=previous, duty=duty)
    old_state = report.state
    report.state = ReportState.SUBMITTED
    report.current_version = version.number
    report.submitted_at = now
    report.updated_at = now
    report.save()
    record_event(actor=actor, obj=report, at=now,
                 action="report.resubmitted" if resubmission else "report.submitted",
                 changes={"state": [old_state, report.state],
                          "version": [previous.number if previous else None, version.number],
                          "sha256": [None, version.sha256], **version.changes})
    policy = DeadlinePolicy.in_force()
    open_usps_target(
        actor=actor, kind=ObligationKind.USPS_REPORT_REVIEW, provider=incident.provider,
        subject=f"{report.get_kind_display()} {report.reference} v{version.number}", at=now,
        object_id=report.pk, incident_id=incident.pk, reviewer=incident.assigned_reviewer,
        filed_late=duty is not None and duty.state == ObligationState.LATE, policy=policy)
    if report.kind == ReportKind.STATUS:
        if not resubmission:
            flow.open_next_status_report(actor, incident, now, policy)
        flow.follow_revised_completion(actor, report, now)
    elif report.kind == ReportKind.FINAL:
        flow.end_status_reports(actor, incident, report, now)
    queue_filed_email(report, version)
    return version


@transaction.atomic
def file_report(*, actor, incident, kind, draft=False, submission_key=None, new_only=False,
                **fields):
    """What an officer's "file a report of this kind" means in the case's state: fill in
    and file the open draft, correct the returned report, or start a new one. With
    `draft`, only save. Returns (report, version or None).

    `new_only`: the page offered a new report (none was returned when it was shown): a
    report USPS returned since is refused (Conflict), not corrected with what was typed
    before its return was read — for a status report, another period's.

    `submission_key` names the page that sent it: sent again (a double click, a retry,
    however late), the report it started, filled in or corrected is answered, unchanged,
    and nothing else is filed; sent with another kind of report, or with anything else
    than the first time (other content, a draft then a filing), it is refused (409): what
    it asks would otherwise be dropped unsaid."""
    require_officer(actor, incident.provider_id)
    incident = _lock_incident(incident, actor)
    asked = fingerprint(kind, draft, fields)
    if submission_key:
        sent, first_asked = _sent_with(incident, submission_key)
        if sent is not None:
            if sent.kind != kind:
                raise Conflict(f"This key was sent with {sent.reference}, a "
                               f"{sent.get_kind_display().lower()}: a new request takes a "
                               "new key.")
            if first_asked and first_asked != asked:
                raise Conflict(f"This key was sent with {sent.reference} and other content: "
                               "a new request takes a new key.")
            return sent, sent.versions.order_by("-number").first()
    report, version = _file_or_draft(actor, incident, kind, draft, submission_key, fields,
                                     new_only)
    if submission_key:
        ReportSubmissionKey.objects.get_or_create(
            incident=incident, key=submission_key,
            defaults={"report": report, "fingerprint": asked})
    return report, version


def fingerprint(kind, draft, fields):
    """SHA-256 of what a request asks: the same for a retry of it, whatever the order of
    its fields."""
    def plain(value):
        return value.pk if isinstance(value, models.Model) else str(value)

    asked = json.dumps({"kind": kind, "draft": bool(draft), "fields": fields},
                       sort_keys=True, default=plain, ensure_ascii=False)
    return hashlib.sha256(asked.encode()).hexdigest()


def _sent_with(incident, key):
    """(The report `key` was sent with on the case, or None; the fingerprint of what it
    asked, or "" when not kept)."""
    kept = (ReportSubmissionKey.objects.filter(incident=incident, key=key)
            .select_related("report").first())
    if kept is not None:
        return kept.report, kept.fingerprint
    return Report.objects.filter(incident=incident, submission_key=key).first(), ""


CORRECTION_WAIVED = ("USPS no longer asks for a correction of {reference} (it waived it): "
                     "file the next status report instead.")


def correctable(report):
    """Whether filing `report` now is allowed as far as its return goes: a draft, or a
    returned report whose correction is owed (a written report or final summary always
    is, a case having one of each; a status report's correction USPS may waive, and then
    the next status report is what is owed)."""
    if report.state != ReportState.RETURNED or report.kind in SINGLE_KINDS:
        return True
    return report.pk in flow.awaiting_correction([report])


def report_to_continue(incident, kind):
    """The report a filing of `kind` on the case goes to: its draft, or the returned report
    it corrects (`_returned_to_correct`); None when it starts a new one."""
    return _open_report(incident, kind, (ReportState.DRAFT,)) or _returned_to_correct(
        incident, kind)


def _returned_to_correct(incident, kind):
    """The returned report a filing of `kind` corrects: a written report or final summary
    is always corrected (a case has one); a status report only while its correction is
    owed, and once USPS waived it the next status report is the one the cadence asks."""
    returned = list(Report.objects.filter(incident=incident, kind=kind,
                                          state=ReportState.RETURNED)
                    .order_by("created_at", "id"))
    if kind not in SINGLE_KINDS and returned:
        owed = flow.awaiting_correction(returned)
        returned = [report for report in returned if report.pk in owed]
    return returned[0] if returned else None


def _file_or_draft(actor, incident, kind, draft, submission_key, fields, new_only=False):
    if kind in ReportKind.values:
        check_incident_state(incident, kind)
    existing = report_to_continue(incident, kind)
    if new_only and existing is not None and existing.state == ReportState.RETURNED:
        raise Conflict(f"USPS returned {existing.reference} since this page was opened: "
                       "read why on its page, and correct it there.")
    if existing is None and kind in SINGLE_KINDS:
        existing = _open_report(incident, kind, (ReportState.SUBMITTED,))
        if existing is not None:
            raise Conflict(f"{existing.reference} awaits USPS review.")
    if draft:
        if existing is not None and not existing.is_draft:
            raise Conflict(f"{existing.reference} was returned: file its corrected "
                                "version (drafts of a resubmission are not kept).")
        if existing is None:
            return create_report_draft(actor=actor, incident=incident, kind=kind,
                                       submission_key=submission_key, **fields), None
        return update_report_draft(actor=actor, report=existing, **fields), None
    if existing is not None and submission_key and existing.submission_key != submission_key:
        # Sent again, the key answers the report it filed (a draft filled in, a correction):
        # the report keeps the key of its latest filing, which a retry follows closely.
        existing.submission_key = submission_key
        existing.save(update_fields=["submission_key"])
    report = existing or create_report_draft(actor=actor, incident=incident, kind=kind,
                                             submission_key=submission_key)
    version = submit_report(actor=actor, report=report, **fields)
    report.refresh_from_db()
    return report, version
