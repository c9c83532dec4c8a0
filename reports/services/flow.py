"""The obligations reports set running (§ 501.11(c)): which duty a filing meets, the
status-report cadence, the final-summary due time, resubmissions and closing the case.
Called inside the transactions of filing.py and review.py, with the deadline policy they
read once; the arithmetic is `compliance.deadlines`'."""

from datetime import date
from zoneinfo import ZoneInfo

from compliance.deadlines import (
    end_of_day,
    is_late,
    resubmission_due_at,
    status_report_interval,
)
from compliance.models import DeadlinePolicy, Obligation, ObligationKind, ObligationState
from compliance.models.obligations import OWED
from compliance.services import (
    assign_obligations_reviewer,
    close_obligation,
    fulfil_obligation,
    move_obligation_due,
    open_obligation,
)
from compliance.services.extensions import settle_met, settle_pending
from reports.models import (
    OBLIGATION_KIND,
    Report,
    ReportKind,
    ReportReview,
    ReportState,
    ReportVersion,
)


def provider_day_end(incident, day):
    """A date as a due time: 23:59:59 of that day in the provider's time zone."""
    return end_of_day(day, incident.provider.timezone)


def status_interval(policy, incident):
    """Days between status reports: the case's own, else the policy's for its risk."""
    return status_report_interval(policy, incident.revenue_risk,
                                  incident.status_report_interval_days)


def default_resubmission_due(policy, incident, now):
    """When the reviewer names no time: the end of the day (provider's time) that lies the
    policy's written-report window for the case's risk after today."""
    return resubmission_due_at(policy, incident.revenue_risk, now, incident.provider.timezone)


def _resubmission_ids(incident):
    return ReportReview.objects.filter(
        report__incident=incident, resubmission_obligation__isnull=False,
    ).values("resubmission_obligation_id")


def regular_duty(incident, kind):
    """The earliest outstanding duty of `kind` of the case that is not a resubmission."""
    return (Obligation.objects.filter(OWED, incident_id=incident.pk, kind=kind)
            .exclude(pk__in=_resubmission_ids(incident)).order_by("due_at", "id").first())


def awaiting_correction(reports):
    """Of returned `reports`, the ids of those whose correction is still owed: a
    correction USPS waived (or closed with the case) is owed no more."""
    return set(ReportReview.objects.filter(
        report__in=reports, resubmission_obligation__in=Obligation.objects.filter(OWED),
    ).values_list("report_id", flat=True))


def duty_met_by(report):
    """The duty a filing of `report` meets: after a return, the resubmission duty the
    return opened; otherwise the open duty of its kind."""
    if report.state == ReportState.RETURNED:
        review = report.reviews.filter(resubmission_obligation__isnull=False).order_by(
            "-decided_at", "-id").first()
        duty = review.resubmission_obligation if review else None
        return duty if duty is not None and duty.is_outstanding else None
    return regular_duty(report.incident, OBLIGATION_KIND[report.kind])


def _open(actor, incident, kind, subject, due_at):
    duty = open_obligation(actor=actor, kind=kind, provider=incident.provider,
                           subject=subject, due_at=due_at, incident_id=incident.pk)
    if incident.assigned_reviewer_id:
        assign_obligations_reviewer(incident_id=incident.pk, reviewer=incident.assigned_reviewer)
    return duty


def meet_duty(actor, report, now):
    """Meet (or meet late) the duty a filing answers, settling a request for more time
    still pending on it; returns the duty, or None."""
    duty = duty_met_by(report)
    if duty is None:
        return None
    duty = fulfil_obligation(actor=actor, obligation=duty, at=now)
    settle_met(duty=duty, at=now)
    return duty


def open_next_status_report(actor, incident, now, policy):
    """The cadence: a status report is next due one interval after this one was filed,
    until the final summary is filed (the investigation is complete: § 501.11(c) asks for
    status reports during it)."""
    if summary_filed(incident):
        return None
    return _open(actor, incident, ObligationKind.STATUS_REPORT,
                 f"{incident.reference} status report", now + status_interval(policy, incident))


def last_reported_completion(report):
    """The anticipated completion date the case stood at before this filing of `report`:
    that of the newest earlier filed status-report version (this report's own earlier
    versions included), else the accepted written report's."""
    earlier = (ReportVersion.objects
               .filter(report__incident_id=report.incident_id, report__kind=ReportKind.STATUS)
               .exclude(report_id=report.pk, number__gte=report.current_version)
               .order_by("-submitted_at", "-id").first())
    if earlier is not None:
        day = earlier.content.get("anticipated_completion_date")
        return date.fromisoformat(day) if day else None
    # An accepted report's fields hold its accepted (newest filed) version.
    return (Report.objects.filter(incident_id=report.incident_id, kind=ReportKind.WRITTEN,
                                  state=ReportState.ACCEPTED)
            .values_list("anticipated_completion_date", flat=True).first())


def _own_earlier_completion(report):
    """The anticipated completion date the version of `report` before this one stated."""
    version = ReportVersion.objects.filter(report_id=report.pk,
                                          number=report.current_version - 1).first()
    day = version.content.get("anticipated_completion_date") if version else None
    return date.fromisoformat(day) if day else None


def follow_revised_completion(actor, report, now):
    """A status report (or its resubmission) that changes the anticipated completion date
    last reported moves the final summary's due time to the end of the new day (provider's
    time); the original due time stays on record. One that keeps the date leaves the due
    time alone, so an extension USPS granted meanwhile stands. A final summary already
    missed stays missed, still owed: a date reported after it does not undo the miss (only
    USPS moves a missed duty's due time), whether or not the sweep has marked it yet."""
    duty = regular_duty(report.incident, ObligationKind.FINAL_SUMMARY)
    day = report.anticipated_completion_date
    if duty is None or day is None:
        return None
    if duty.state == ObligationState.MISSED or is_late(duty.due_at, now):
        return duty
    if report.current_version > 1 and day == _own_earlier_completion(report):
        # A correction that keeps its own date restates nothing: a later report's date
        # stands.
        return duty
    before = last_reported_completion(report)
    if day == before:
        return duty
    due_at = provider_day_end(report.incident, day)
    if duty.due_at == due_at:
        return duty
    return move_obligation_due(
        actor=actor, obligation=duty, due_at=due_at, action="obligation.due_revised",
        reason=f"{report.reference} revises the anticipated completion date "
               f"{f'from {before.isoformat()} ' if before else ''}to {day.isoformat()}.")


def after_waiver(sender, *, obligation, actor, at, **kwargs):
    """USPS waived a status report: that one is not owed, but the investigation goes on,
    so the next is due one interval after the later of its due time and the waiver (as
    one filed would set it). Not after the final summary is filed, nor for a correction
    USPS had asked of a status report, nor while another status report is owed."""
    from incidents.models import Incident, IncidentStatus

    if obligation.kind != ObligationKind.STATUS_REPORT or obligation.incident_id is None:
        return None
    incident = Incident.objects.select_related("provider", "assigned_reviewer").get(
        pk=obligation.incident_id)
    if (incident.status != IncidentStatus.INVESTIGATING or summary_filed(incident)
            or _resubmission_ids(incident).filter(
                resubmission_obligation_id=obligation.pk).exists()
            or regular_duty(incident, ObligationKind.STATUS_REPORT) is not None):
        return None
    policy = DeadlinePolicy.in_force()
    following = _open(actor, incident, ObligationKind.STATUS_REPORT,
                      f"{incident.reference} status report",
                      max(obligation.due_at, at) + status_interval(policy, incident))
    follow_first_status_report(actor, incident, obligation.due_at, following.due_at, at)
    return following


def after_extension(sender, *, obligation, before, actor, at, **kwargs):
    """USPS granted a status report more time: a final summary waiting on its day (see
    `follow_first_status_report`) moves with it."""
    from incidents.models import Incident

    if obligation.kind != ObligationKind.STATUS_REPORT or obligation.incident_id is None:
        return None
    incident = Incident.objects.select_related("provider").get(pk=obligation.incident_id)
    return follow_first_status_report(actor, incident, before, obligation.due_at, at)


def follow_first_status_report(actor, incident, before, due_at, now):
    """A final summary due at the end of the first status report's day (the anticipated
    completion date passed while USPS held the written report: `start_investigation`)
    waits on the new date the provider reports there; while no status report has been
    filed, it follows that report's day when the report moves (an extension granted) or
    gives way to the next (a waiver). A missed one stays missed."""
    final = regular_duty(incident, ObligationKind.FINAL_SUMMARY)
    if final is None or final.state == ObligationState.MISSED or is_late(final.due_at, now):
        return None
    zone = ZoneInfo(incident.provider.timezone)
    if final.due_at != provider_day_end(incident, before.astimezone(zone).date()):
        return None
    written = (Report.objects.filter(incident_id=incident.pk, kind=ReportKind.WRITTEN,
                                     state=ReportState.ACCEPTED)
               .values_list("anticipated_completion_date", flat=True).first())
    if written is None or final.original_due_at == provider_day_end(incident, written):
        return None  # due at the date the provider stated, not waiting on a report
    if ReportVersion.objects.filter(report__incident_id=incident.pk,
                                    report__kind=ReportKind.STATUS).exists():
        return None  # a new date was reported there
    moved_to = provider_day_end(incident, due_at.astimezone(zone).date())
    if moved_to == final.due_at:
        return None
    return move_obligation_due(
        actor=actor, obligation=final, due_at=moved_to, action="obligation.due_revised",
        reason="The first status report, where the provider reports the new anticipated "
               "completion date, is now due later: the final summary waits on its day.")


def summary_filed(incident):
    """Whether the case's final summary has been filed (whatever USPS made of it since)."""
    return Report.objects.filter(incident_id=incident.pk, kind=ReportKind.FINAL,
                                 current_version__gt=0).exists()


def end_status_reports(actor, incident, report, now):
    """A filed final summary ends the status-report cadence: the status report owed is
    owed no more (`close_obligation`: waived if not yet due, a missed one stays missed),
    so USPS's time reviewing the summary makes no status report late, and a request for
    more time on it is denied. A correction USPS asked of a status report stays owed."""
    for duty in (Obligation.objects.filter(OWED, incident_id=incident.pk,
                                           kind=ObligationKind.STATUS_REPORT)
                 .exclude(pk__in=_resubmission_ids(incident)).order_by("id")):
        reason = (f"{report.reference} is filed: the investigation is complete, and "
                  "status reports are owed no more.")
        close_obligation(actor=actor, obligation=duty, reason=reason)
        # Denied by no one (the officer filing decides nothing), the officers told.
        settle_pending(actor=None, obligation_id=duty.pk, at=now, tell=True, reason=reason)


def start_investigation(actor, incident, report, now, policy):
    """An accepted written report starts the status-report cadence and opens the final
    summary, due at the end of the anticipated completion date (provider's time). A date
    that passed while the report waited on USPS (the provider could not revise it: a filed
    report is not edited, and status reports start at acceptance) gives way to the end of
    the day the first status report is due, where the provider reports a new date."""
    first_status = _open(actor, incident, ObligationKind.STATUS_REPORT,
                         f"{incident.reference} status report",
                         now + status_interval(policy, incident))
    due_at = provider_day_end(incident, report.anticipated_completion_date)
    if is_late(due_at, now):
        zone = ZoneInfo(incident.provider.timezone)
        due_at = provider_day_end(incident, first_status.due_at.astimezone(zone).date())
    final = _open(actor, incident, ObligationKind.FINAL_SUMMARY,
                  f"{incident.reference} final summary", due_at)
    return first_status, final


def open_resubmission(actor, report, due_at):
    return _open(actor, report.incident, OBLIGATION_KIND[report.kind],
                 f"{report.reference} (resubmission)", due_at)


def close_all_duties(actor, incident, reason):
    """Close every duty of the provider still owed on the case (`close_obligation`: an open
    one is waived, a missed one stays missed): nothing is owed on a closed case. What
    still waits on USPS (a report to review) keeps its USPS target."""
    closed = []
    for duty in Obligation.objects.provider_duties().filter(
            OWED, incident_id=incident.pk).order_by("id"):
        closed.append(close_obligation(actor=actor, obligation=duty, reason=reason))
    return closed
