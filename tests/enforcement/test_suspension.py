"""A suspension proceeding (§ 501.6), step by step and clock by clock: the notice and its
evidence, the period to correct, the notice of suspension and its effective date, the
defense, the decision, the appeal, extensions and reinstatement."""

import json
from datetime import date, timedelta

import pytest
import time_machine

from compliance.canonical import sha256_of
from compliance.errors import Conflict
from compliance.models import (
    AuditEvent,
    Obligation,
    ObligationKind,
    ProceedingStep,
    ProviderStatusChange,
)
from compliance.services.register import update_provider
from incidents.models import IncidentVersion
from notifications.services import send_due_emails
from tests.reports.factories import file_report_at

from .helpers import (
    DAY,
    T0,
    at,
    end_of_day_new_york,
    issue,
    open_suspension,
    period_of,
    start_of_day_new_york,
    sweep_at,
)

pytestmark = pytest.mark.django_db


def status_of(provider):
    provider.refresh_from_db()
    return provider.authorization_status


def noticed(suspension, officer_a, manager, effective=date(2026, 6, 15)):
    """Answered on day 1, suspension noticed on day 2, effective on `effective`."""
    issue(officer_a, suspension, "correction", T0 + DAY, body="We filed it today.")
    return issue(manager, suspension, "suspension_notice", T0 + 2 * DAY,
                 effective_date=effective)


def test_it_opens_with_a_notice_that_freezes_the_cited_record(suspension, missed_case,
                                                              missed_duty):
    step = suspension.steps.get()
    version = step.versions.get()
    document = json.loads(version.canonical_json)

    assert suspension.reference == f"ENF-2026-{suspension.pk:05d}"
    assert suspension.state == "proposed"
    assert (step.number, step.kind, step.side) == (1, "proposal", "usps")
    assert version.sha256 == sha256_of(version.canonical_json)
    evidence = document["content"]["evidence"]
    assert evidence["as_of"] == "2026-06-10T16:00:00.000000Z"
    assert evidence["obligations"] == [{
        "id": missed_duty.pk, "kind": "written_report", "clause": "§ 501.11(c)",
        "subject": missed_case.reference, "incident": missed_case.pk,
        "original_due_at": "2026-05-28T16:00:00.000000Z",
        "due_at": "2026-05-28T16:00:00.000000Z", "state": "missed", "met_at": None,
        "missed_at": "2026-05-29T16:00:00.000000Z", "waived_reason": "",
        "closed_at": None, "closed_reason": ""}]
    [case] = evidence["cases"]
    filing = IncidentVersion.objects.get(incident=missed_case)
    assert (case["reference"], case["revenue_risk"]) == (missed_case.reference, "high")
    assert case["versions"] == [{"version": 1, "sha256": filing.sha256,
                                 "submitted_at": "2026-05-21T15:00:00.000000Z"}]


def test_the_notice_proves_what_the_record_said_even_after_it_changes(
        suspension, officer_a, missed_case, missed_duty):
    file_report_at(officer_a, missed_case, "written", at=T0 + DAY)
    missed_duty.refresh_from_db()

    assert missed_duty.state == "late"
    frozen = suspension.steps.get().versions.get()
    assert frozen.content["evidence"]["obligations"][0]["state"] == "missed"
    assert frozen.sha256 == sha256_of(frozen.canonical_json)


def test_the_period_to_correct_follows_the_cases_revenue_risk(suspension):
    period = period_of(suspension, ObligationKind.PROCEEDING_CORRECTION)

    # High revenue risk: 14 days from June 10, to the end of June 24 in New York.
    assert suspension.correction_period_days == 14
    assert period.due_at == end_of_day_new_york(date(2026, 6, 24))
    assert (period.state, period.clause, period.provider_id) == (
        "open", "§ 501.6", suspension.provider_id)
    assert suspension.steps.get().period == period


def test_usps_may_set_the_period_itself(manager, provider_a, missed_duty):
    proceeding = open_suspension(manager, provider_a, obligations=[missed_duty],
                                 correction_period_days=45)

    period = period_of(proceeding, ObligationKind.PROCEEDING_CORRECTION)
    assert period.due_at == end_of_day_new_york(date(2026, 7, 25))


def test_a_willful_violation_has_no_period_and_usps_may_notice_at_once(
        manager, provider_a, missed_duty):
    proceeding = open_suspension(manager, provider_a, obligations=[missed_duty], willful=True)

    assert period_of(proceeding, ObligationKind.PROCEEDING_CORRECTION) is None
    step = issue(manager, proceeding, "suspension_notice", T0 + DAY,
                 effective_date=date(2026, 6, 11))
    assert step.to_status == "suspended"


def test_usps_waits_for_the_end_of_the_period_unless_the_provider_answers(
        suspension, manager, officer_a):
    with pytest.raises(Conflict, match="period runs until"):
        issue(manager, suspension, "suspension_notice", T0 + 13 * DAY,
              effective_date=date(2026, 6, 30))

    issue(officer_a, suspension, "correction", T0 + 13 * DAY)
    issue(manager, suspension, "suspension_notice", T0 + 13 * DAY,
          effective_date=date(2026, 6, 30))
    suspension.refresh_from_db()
    assert suspension.state == "noticed"


def test_usps_waits_through_the_periods_last_instant_when_the_provider_is_still_on_time(
        suspension, manager, officer_a):
    """Within the due time's second the provider's answer is on time: the period still
    runs."""
    due = period_of(suspension, ObligationKind.PROCEEDING_CORRECTION).due_at
    assert due == end_of_day_new_york(date(2026, 6, 24))
    last_moment = due + timedelta(microseconds=999_999)

    with pytest.raises(Conflict, match="period runs until"):
        issue(manager, suspension, "suspension_notice", last_moment,
              effective_date=date(2026, 6, 30))
    suspension.refresh_from_db()
    assert suspension.state == "proposed" and suspension.steps.count() == 1

    correction = issue(officer_a, suspension, "correction", last_moment)
    assert correction.is_late is False
    assert period_of(suspension, ObligationKind.PROCEEDING_CORRECTION).state == "met"


def test_an_answer_in_time_meets_the_period_and_starts_usps_clock(suspension, officer_a):
    step = issue(officer_a, suspension, "correction", T0 + DAY, body="Report filed.")

    period = period_of(suspension, ObligationKind.PROCEEDING_CORRECTION)
    assert (step.side, step.is_late, step.answered) == ("provider", False, period)
    assert (period.state, period.met_at) == ("met", T0 + DAY)
    target = period_of(suspension, ObligationKind.USPS_PROCEEDING_DECISION)
    assert target.state == "open" and target.clause == "USPS target"


def test_a_missed_period_lets_usps_go_on_and_is_then_closed(suspension, manager):
    sweep_at(end_of_day_new_york(date(2026, 6, 24)) + DAY / 24)
    period = period_of(suspension, ObligationKind.PROCEEDING_CORRECTION)
    assert period.state == "missed"

    issue(manager, suspension, "suspension_notice", T0 + 15 * DAY,
          effective_date=date(2026, 6, 26))

    # It stays missed (the record is permanent) and is owed no more.
    period.refresh_from_db()
    assert (period.state, period.waived_reason, period.is_outstanding) == ("missed", "", False)
    assert "went on" in period.closed_reason and period.closed_at is not None


def test_a_period_run_out_unswept_when_usps_goes_on_is_closed_missed(suspension, manager):
    # The correction period ended on June 24 (New York); no sweep has run since.
    issue(manager, suspension, "suspension_notice", T0 + 15 * DAY,
          effective_date=date(2026, 6, 26))

    period = period_of(suspension, ObligationKind.PROCEEDING_CORRECTION)
    assert period.due_at < T0 + 15 * DAY and period.met_at is None
    assert (period.state, period.missed_at, period.closed_at) == (
        "missed", T0 + 15 * DAY, T0 + 15 * DAY)


def test_the_notice_of_suspension_opens_thirty_days_to_defend(suspension, officer_a, manager):
    notice = noticed(suspension, officer_a, manager)

    defense = period_of(suspension, ObligationKind.PROCEEDING_DEFENSE)
    assert notice.period == defense
    assert defense.due_at == end_of_day_new_york(date(2026, 7, 12))  # June 12 + 30 days
    assert period_of(suspension, ObligationKind.USPS_PROCEEDING_DECISION).state == "met"


def test_the_suspension_takes_effect_on_its_date_by_the_sweep(suspension, officer_a,
                                                              manager, provider_a):
    notice = noticed(suspension, officer_a, manager, effective=date(2026, 6, 15))
    assert notice.effective_at == start_of_day_new_york(date(2026, 6, 15))

    sweep_at(notice.effective_at - DAY / 24)
    assert status_of(provider_a) == "authorized"

    sweep_at(notice.effective_at)
    assert status_of(provider_a) == "suspended"
    change = ProviderStatusChange.objects.filter(provider=provider_a).first()
    assert (change.from_status, change.to_status, change.changed_by) == (
        "authorized", "suspended", None)
    assert suspension.reference in change.reason
    assert AuditEvent.objects.filter(action="provider.status_changed",
                                     provider=provider_a).count() == 1


def test_a_notice_effective_today_suspends_at_once(suspension, officer_a, manager, provider_a):
    issue(officer_a, suspension, "correction", T0 + DAY)
    issue(manager, suspension, "suspension_notice", T0 + 2 * DAY,
          effective_date=date(2026, 6, 12))

    assert status_of(provider_a) == "suspended"


def test_usps_decides_after_the_defense_period_and_the_suspension_runs_ninety_days(
        suspension, officer_a, manager, provider_a):
    noticed(suspension, officer_a, manager, effective=date(2026, 6, 15))
    with pytest.raises(Conflict):
        issue(manager, suspension, "decision", T0 + 10 * DAY, outcome="suspend")

    decision = issue(manager, suspension, "decision", T0 + 33 * DAY, outcome="suspend")

    suspension.refresh_from_db()
    assert (decision.days, suspension.suspension_days) == (90, 90)
    # June 15 to September 12 inclusive: ninety days.
    assert suspension.suspension_ends_at == end_of_day_new_york(date(2026, 9, 12))
    appeal = period_of(suspension, ObligationKind.PROCEEDING_APPEAL)
    assert appeal.due_at == end_of_day_new_york(date(2026, 8, 12))  # July 13 + 30 days
    # No defense came within its thirty days: missed, and owed no more.
    defense = period_of(suspension, ObligationKind.PROCEEDING_DEFENSE)
    assert (defense.state, defense.is_outstanding) == ("missed", False)


def test_the_sweep_reinstates_the_provider_when_the_suspension_ends(
        suspension, officer_a, manager, provider_a):
    noticed(suspension, officer_a, manager, effective=date(2026, 6, 12))
    issue(officer_a, suspension, "defense", T0 + 5 * DAY, body="Our facts.")
    issue(manager, suspension, "decision", T0 + 6 * DAY, outcome="suspend", days=10)
    suspension.refresh_from_db()
    ends = suspension.suspension_ends_at
    assert ends == end_of_day_new_york(date(2026, 6, 21))

    sweep_at(ends - DAY / 24)
    assert status_of(provider_a) == "suspended"
    result = sweep_at(ends + DAY / 24)

    assert result.suspensions_ended == 1
    assert status_of(provider_a) == "authorized"
    suspension.refresh_from_db()
    assert (suspension.state, suspension.suspension_ends_at) == ("reinstated", None)
    assert suspension.closed_at is not None
    last = suspension.steps.order_by("-number").first()
    assert (last.kind, last.issued_by, last.effective_at) == ("reinstatement", None, ends)
    assert period_of(suspension, ObligationKind.PROCEEDING_APPEAL).state == "waived"


def test_a_suspension_past_its_end_is_neither_extended_nor_ended_before_the_sweep(
        suspension, officer_a, manager, provider_a):
    """The provider is authorized again from the suspension's end, whether or not the sweep
    has filed the reinstatement yet."""
    noticed(suspension, officer_a, manager, effective=date(2026, 6, 12))
    issue(officer_a, suspension, "defense", T0 + 5 * DAY, body="Our facts.")
    issue(manager, suspension, "decision", T0 + 6 * DAY, outcome="suspend", days=10)
    suspension.refresh_from_db()
    ends = suspension.suspension_ends_at

    with pytest.raises(Conflict, match="what may follow is: appeal"):
        issue(manager, suspension, "extension", ends + DAY / 1440, days=30)

    suspension.refresh_from_db()
    assert (suspension.suspension_days, suspension.suspension_ends_at) == (10, ends)
    assert suspension.steps.count() == 5


def test_an_appeal_waiting_when_the_suspension_ends_is_still_decided(
        suspension, officer_a, manager, provider_a):
    """The sweep reinstates the provider at the end; the appeal stays for USPS to decide,
    its target to decide still open."""
    noticed(suspension, officer_a, manager, effective=date(2026, 6, 12))
    issue(officer_a, suspension, "defense", T0 + 3 * DAY, body="Our facts.")
    issue(manager, suspension, "decision", T0 + 4 * DAY, outcome="suspend", days=10)
    issue(officer_a, suspension, "appeal", T0 + 5 * DAY, body="The facts differ.")

    sweep_at(T0 + 15 * DAY)

    assert status_of(provider_a) == "authorized"
    suspension.refresh_from_db()
    assert (suspension.state, suspension.suspension_ends_at) == ("appealed", None)
    assert suspension.closed_at is None
    last = suspension.steps.order_by("-number").first()
    assert last.kind == "reinstatement" and "appeal remains to be decided" in last.body
    target = period_of(suspension, ObligationKind.USPS_PROCEEDING_DECISION)
    assert target.state == "open"

    issue(manager, suspension, "appeal_decision", T0 + 16 * DAY, outcome="reverse")

    target.refresh_from_db()
    suspension.refresh_from_db()
    assert target.state == "met"
    assert (suspension.state, suspension.outcome) == ("appeal_decided", "reverse")
    assert suspension.closed_at == T0 + 16 * DAY
    assert status_of(provider_a) == "authorized"


def test_usps_extends_a_running_suspension(suspension, officer_a, manager):
    noticed(suspension, officer_a, manager, effective=date(2026, 6, 12))
    issue(manager, suspension, "decision", T0 + 33 * DAY, outcome="suspend")

    issue(manager, suspension, "extension", T0 + 40 * DAY, days=30)

    suspension.refresh_from_db()
    assert suspension.suspension_days == 120
    assert suspension.suspension_ends_at == end_of_day_new_york(date(2026, 10, 9))
    assert suspension.state == "decided"  # the appeal period is still running
    assert period_of(suspension, ObligationKind.PROCEEDING_APPEAL).state == "open"


def test_a_suspension_counts_its_days_from_the_day_stated_whatever_the_zone_becomes(
        suspension, officer_a, manager, provider_a):
    """USPS moves the provider from New York to California in the register after the
    notice: read in the new zone, the notice's start (midnight in New York) was the evening
    before, and a 90-day suspension ended a day early, as did each extension."""
    from zoneinfo import ZoneInfo

    noticed(suspension, officer_a, manager, effective=date(2026, 6, 15))
    with at(T0 + 3 * DAY):
        update_provider(actor=manager, provider=provider_a, timezone="America/Los_Angeles")

    issue(manager, suspension, "decision", T0 + 33 * DAY, outcome="suspend")
    suspension.refresh_from_db()
    pacific = ZoneInfo("America/Los_Angeles")
    last = suspension.suspension_ends_at.astimezone(pacific)
    assert (last.date(), last.hour, last.minute) == (date(2026, 9, 12), 23, 59)  # day 90

    issue(manager, suspension, "extension", T0 + 40 * DAY, days=5)
    suspension.refresh_from_db()
    assert suspension.suspension_ends_at.astimezone(pacific).date() == date(2026, 9, 17)


def test_a_notice_filed_before_its_day_was_kept_keeps_the_day_it_was_counted_from(
        suspension, officer_a, manager, provider_a):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("compliance.migrations.0025_step_effective_date")
    notice = noticed(suspension, officer_a, manager, effective=date(2026, 6, 15))
    ProceedingStep.objects.filter(pk=notice.pk).update(effective_date=None)

    migration.notices_keep_their_day(apps, None)

    notice.refresh_from_db()
    assert notice.effective_date == date(2026, 6, 15)


def test_a_revocation_takes_effect_and_nothing_reinstates_the_provider(
        suspension, officer_a, manager, provider_a):
    noticed(suspension, officer_a, manager, effective=date(2026, 6, 12))
    issue(manager, suspension, "decision", T0 + 33 * DAY, outcome="revoke",
          effective_date=date(2026, 7, 20))
    suspension.refresh_from_db()
    assert suspension.suspension_ends_at is None

    sweep_at(start_of_day_new_york(date(2026, 7, 20)))
    assert status_of(provider_a) == "revoked"
    sweep_at(T0 + 400 * DAY)
    assert status_of(provider_a) == "revoked"
    assert list(ProviderStatusChange.objects.filter(provider=provider_a)
                .values_list("to_status", flat=True)[:2]) == ["revoked", "suspended"]


def test_a_revoked_provider_is_not_suspended_by_another_proceeding(
        suspension, officer_a, manager, provider_a, missed_duty):
    noticed(suspension, officer_a, manager, effective=date(2026, 6, 12))
    issue(manager, suspension, "decision", T0 + 33 * DAY, outcome="revoke")
    issue(officer_a, suspension, "appeal", T0 + 34 * DAY, body="Appeal.")
    issue(manager, suspension, "appeal_decision", T0 + 35 * DAY, outcome="affirm")
    assert status_of(provider_a) == "revoked"

    with pytest.raises(Conflict, match="revoked"):
        open_suspension(manager, provider_a, obligations=[missed_duty],
                        at_time=T0 + 36 * DAY, willful=True)

    assert provider_a.proceedings.count() == 1
    assert status_of(provider_a) == "revoked"


def test_a_provider_whose_revocation_is_decided_is_not_suspended_by_another_proceeding(
        suspension, officer_a, manager, provider_a, missed_duty):
    """Revoked from October 1, the decision affirmed on appeal: a second proceeding's
    notice of suspension would take effect after the revocation and undo it."""
    noticed(suspension, officer_a, manager, effective=date(2026, 6, 12))
    issue(manager, suspension, "decision", T0 + 33 * DAY, outcome="revoke",
          effective_date=date(2026, 10, 1))
    issue(officer_a, suspension, "appeal", T0 + 34 * DAY, body="Appeal.")
    issue(manager, suspension, "appeal_decision", T0 + 35 * DAY, outcome="affirm")
    assert status_of(provider_a) == "suspended"

    with pytest.raises(Conflict, match="revoked from"):
        open_suspension(manager, provider_a, obligations=[missed_duty],
                        at_time=T0 + 36 * DAY, willful=True)

    assert provider_a.proceedings.count() == 1
    sweep_at(T0 + 200 * DAY)
    assert status_of(provider_a) == "revoked"


def test_the_end_of_a_suspension_does_not_reinstate_a_provider_revoked_meanwhile(
        suspension, officer_a, manager, provider_a):
    """USPS revokes the approval in the register while a suspension of ten days runs: its
    end gives nothing back, and its reinstatement's status change stands cancelled."""
    from compliance.services.register import update_provider

    noticed(suspension, officer_a, manager, effective=date(2026, 6, 12))
    issue(officer_a, suspension, "defense", T0 + 3 * DAY, body="Our facts.")
    issue(manager, suspension, "decision", T0 + 4 * DAY, outcome="suspend", days=10)
    assert status_of(provider_a) == "suspended"
    with time_machine.travel(T0 + 6 * DAY, tick=False):
        update_provider(actor=manager, provider=provider_a, authorization_status="revoked",
                        reason="Approval revoked.")

    sweep_at(T0 + 15 * DAY)

    assert status_of(provider_a) == "revoked"
    reinstatement = suspension.steps.get(kind="reinstatement")
    assert (reinstatement.status_applied_at, reinstatement.status_cancelled) == (None, True)
    assert list(ProviderStatusChange.objects.filter(provider=provider_a)
                .order_by("changed_at").values_list("to_status", flat=True)) == [
        "suspended", "revoked"]


def test_an_early_reinstatement_leaves_a_waiting_appeal_to_be_decided(
        suspension, officer_a, manager, provider_a):
    """USPS ends the suspension before deciding the appeal: as when the sweep ends it, the
    appeal still waits, and so does USPS's target to decide it."""
    noticed(suspension, officer_a, manager, effective=date(2026, 6, 12))
    issue(officer_a, suspension, "defense", T0 + 3 * DAY, body="Our facts.")
    issue(manager, suspension, "decision", T0 + 4 * DAY, outcome="suspend")
    issue(officer_a, suspension, "appeal", T0 + 5 * DAY, body="The facts differ.")

    issue(manager, suspension, "reinstatement", T0 + 10 * DAY)

    suspension.refresh_from_db()
    target = period_of(suspension, ObligationKind.USPS_PROCEEDING_DECISION)
    assert (suspension.state, suspension.closed_at, target.state) == ("appealed", None, "open")
    assert status_of(provider_a) == "authorized"

    issue(manager, suspension, "appeal_decision", T0 + 11 * DAY, outcome="affirm")

    suspension.refresh_from_db()
    target.refresh_from_db()
    assert (suspension.state, suspension.closed_at) == ("appeal_decided", T0 + 11 * DAY)
    assert target.state == "met"
    assert status_of(provider_a) == "authorized"


def test_an_early_reinstatement_dated_after_the_suspension_begins_shortens_it(
        suspension, officer_a, manager, provider_a):
    """Suspended from June 30 for 90 days, ended early on July 10: suspended June 30 to
    July 9, authorized from July 10."""
    noticed(suspension, officer_a, manager, effective=date(2026, 6, 30))
    issue(officer_a, suspension, "defense", T0 + 3 * DAY, body="Our facts.")
    issue(manager, suspension, "decision", T0 + 4 * DAY, outcome="suspend")
    issue(manager, suspension, "reinstatement", T0 + 5 * DAY, effective_date=date(2026, 7, 10))

    sweep_at(start_of_day_new_york(date(2026, 6, 30)) + DAY / 24)
    assert status_of(provider_a) == "suspended"
    sweep_at(start_of_day_new_york(date(2026, 7, 10)) + DAY / 24)
    assert status_of(provider_a) == "authorized"
    assert list(ProviderStatusChange.objects.filter(provider=provider_a)
                .order_by("changed_at").values_list("to_status", flat=True)) == [
        "suspended", "authorized"]


def test_an_appeal_in_time_and_its_reversal_reinstate_the_provider(
        suspension, officer_a, manager, provider_a):
    noticed(suspension, officer_a, manager, effective=date(2026, 6, 12))
    issue(manager, suspension, "decision", T0 + 33 * DAY, outcome="revoke")
    assert status_of(provider_a) == "revoked"

    appeal = issue(officer_a, suspension, "appeal", T0 + 40 * DAY, body="The facts differ.")
    assert period_of(suspension, ObligationKind.PROCEEDING_APPEAL).state == "met"
    assert appeal.is_late is False
    issue(manager, suspension, "appeal_decision", T0 + 45 * DAY, outcome="reverse")

    assert status_of(provider_a) == "authorized"
    suspension.refresh_from_db()
    assert (suspension.state, suspension.outcome) == ("appeal_decided", "reverse")
    assert suspension.closed_at == T0 + 45 * DAY


def test_a_withdrawal_ends_a_suspension_in_force_and_one_still_to_come(
        suspension, officer_a, manager, provider_a):
    noticed(suspension, officer_a, manager, effective=date(2026, 6, 12))
    assert status_of(provider_a) == "suspended"

    issue(manager, suspension, "withdrawal", T0 + 3 * DAY, body="Corrected in full.")

    assert status_of(provider_a) == "authorized"
    suspension.refresh_from_db()
    assert suspension.state == "withdrawn" and suspension.closed_at is not None
    assert period_of(suspension, ObligationKind.PROCEEDING_DEFENSE).state == "waived"


def test_a_withdrawal_before_the_effective_date_cancels_the_suspension(
        suspension, officer_a, manager, provider_a):
    notice = noticed(suspension, officer_a, manager, effective=date(2026, 6, 30))
    issue(manager, suspension, "withdrawal", T0 + 3 * DAY)

    sweep_at(T0 + 30 * DAY)
    notice.refresh_from_db()
    assert notice.status_cancelled and notice.status_applied_at is None
    assert status_of(provider_a) == "authorized"
    assert not ProviderStatusChange.objects.filter(provider=provider_a,
                                                   to_status="suspended").exists()


def test_each_step_is_chained_to_the_one_before(suspension, officer_a, manager):
    noticed(suspension, officer_a, manager)

    steps = list(ProceedingStep.objects.filter(proceeding=suspension).order_by("number"))
    hashes = [s.versions.get().sha256 for s in steps]
    previous = [s.versions.get().document["previous_sha256"] for s in steps]
    assert previous == [None, *hashes[:-1]]
    assert [s.versions.get().document["issued_by"] for s in steps] == [
        "manager", "officer_a", "manager"]


def test_the_periods_are_obligations_the_provider_can_ask_to_extend(suspension, officer_a,
                                                                    reviewer):
    from compliance.services import grant_extension, request_extension

    period = period_of(suspension, ObligationKind.PROCEEDING_CORRECTION)
    later = period.due_at + 7 * DAY
    with time_machine.travel(T0 + DAY, tick=False):
        extension = request_extension(actor=officer_a, obligation=period,
                                      requested_due_at=later,
                                      justification="The auditor is away.")
        grant_extension(actor=reviewer, extension=extension)

    period.refresh_from_db()
    assert (period.due_at, period.original_due_at) == (later, end_of_day_new_york(
        date(2026, 6, 24)))
    assert Obligation.objects.visible_to(officer_a).filter(pk=period.pk).exists()


def test_a_closed_proceedings_reinstatement_dated_ahead_leaves_a_later_suspension_in_force(
        suspension, officer_a, manager, provider_a, missed_duty):
    """The first proceeding suspends from June 12 and ends with a reinstatement dated July
    20 (it closes at once); a second, opened meanwhile for a willful violation, notices a
    suspension in force from June 20. On July 20 the first's reinstatement lifts nothing:
    the second holds the provider suspended, until a step of its own ends it."""
    issue(officer_a, suspension, "correction", T0 + DAY, body="We filed it today.")
    issue(manager, suspension, "suspension_notice", T0 + 2 * DAY,
          effective_date=date(2026, 6, 12))
    issue(officer_a, suspension, "defense", T0 + 3 * DAY, body="Our facts.")
    issue(manager, suspension, "decision", T0 + 4 * DAY, outcome="suspend")
    reinstatement = issue(manager, suspension, "reinstatement", T0 + 5 * DAY,
                          effective_date=date(2026, 7, 20))
    suspension.refresh_from_db()
    assert suspension.closed_at is not None and status_of(provider_a) == "suspended"
    second = open_suspension(manager, provider_a, at_time=T0 + 8 * DAY, willful=True,
                             obligations=[missed_duty],
                             grounds="A willful violation found on June 18.")
    issue(manager, second, "suspension_notice", T0 + 10 * DAY,
          effective_date=date(2026, 6, 20))
    changes = ProviderStatusChange.objects.filter(provider=provider_a).count()

    sweep_at(start_of_day_new_york(date(2026, 7, 20)) + DAY / 24)

    assert status_of(provider_a) == "suspended"
    assert ProviderStatusChange.objects.filter(provider=provider_a).count() == changes
    # It ended the first proceeding's suspension: that one holds the provider no more.
    assert ProceedingStep.objects.get(pk=reinstatement.pk).status_applied_at is not None

    issue(manager, second, "withdrawal", T0 + 50 * DAY)

    assert status_of(provider_a) == "authorized"


# A suspension USPS set by hand in the register is USPS's own: a proceeding that never
# changed the provider's status does not lift it when it is withdrawn or its suspension
# ends (as a revocation set there stands).

def suspended_by_hand(manager, provider):
    with at(T0 - DAY):
        update_provider(actor=manager, provider=provider, authorization_status="suspended",
                        reason="Tampered meters found in the field.")
    assert status_of(provider) == "suspended"


def test_withdrawing_a_proceeding_does_not_lift_a_suspension_set_in_the_register(
        manager, provider_a, missed_duty):
    suspended_by_hand(manager, provider_a)
    proceeding = open_suspension(manager, provider_a, obligations=[missed_duty], willful=True)
    issue(manager, proceeding, "suspension_notice", T0 + DAY, effective_date=date(2026, 6, 11))
    assert status_of(provider_a) == "suspended"

    issue(manager, proceeding, "withdrawal", T0 + 2 * DAY, body="Withdrawn.")

    # The proceeding never suspended the provider: USPS did, in the register, and only
    # USPS there lifts it.
    assert status_of(provider_a) == "suspended"


def test_the_end_of_a_proceedings_suspension_does_not_lift_one_set_in_the_register(
        manager, officer_a, provider_a, missed_duty):
    suspended_by_hand(manager, provider_a)
    proceeding = open_suspension(manager, provider_a, obligations=[missed_duty], willful=True)
    issue(manager, proceeding, "suspension_notice", T0 + DAY, effective_date=date(2026, 6, 11))
    issue(officer_a, proceeding, "defense", T0 + 2 * DAY, body="Our facts.")
    issue(manager, proceeding, "decision", T0 + 3 * DAY, outcome="suspend", days=10)

    sweep_at(T0 + 15 * DAY)

    proceeding.refresh_from_db()
    assert proceeding.state == "reinstated"
    assert status_of(provider_a) == "suspended"
    body = proceeding.steps.get(kind="reinstatement").body
    assert "restored" not in body


def _banner(client, user):
    client.force_login(user)
    html = client.get("/").content.decode()
    banner = html[html.index('data-testid="authorization-banner"'):]
    return banner[:banner.index("</div>")]


def test_a_revocation_reversed_over_a_register_suspension_says_the_register_holds_it(
        client, suspension, officer_a, manager, provider_a, mailoutbox):
    """USPS suspended the provider in the register; a proceeding then revoked it, and the
    revocation was reversed on appeal. The provider is suspended again, by the register's
    suspension, which stands: the status history, the e-mail and the staff's banner name
    the register (there is no other proceeding)."""
    suspended_by_hand(manager, provider_a)
    issue(officer_a, suspension, "correction", T0 + DAY, body="We filed it today.")
    issue(manager, suspension, "suspension_notice", T0 + 2 * DAY,
          effective_date=date(2026, 6, 12))
    issue(manager, suspension, "decision", T0 + 33 * DAY, outcome="revoke")
    assert status_of(provider_a) == "revoked"
    issue(officer_a, suspension, "appeal", T0 + 40 * DAY, body="The facts differ.")
    with at(T0 + 40 * DAY + DAY / 24):
        send_due_emails()
    mailoutbox.clear()

    issue(manager, suspension, "appeal_decision", T0 + 45 * DAY, outcome="reverse")
    with at(T0 + 45 * DAY + DAY / 24):
        send_due_emails()

    assert status_of(provider_a) == "suspended"  # the register's suspension stands
    change = ProviderStatusChange.objects.filter(provider=provider_a).latest("changed_at", "id")
    assert (change.from_status, change.to_status) == ("revoked", "suspended")
    assert "USPS, in the register, still holds the provider suspended" in change.reason
    told = [m for m in mailoutbox if m.subject == f"{provider_a.name}: authorization suspended"
            and m.to == [officer_a.email]]
    assert told, [m.subject for m in mailoutbox]
    assert "another proceeding still holds" not in told[0].body
    assert "in the register" in told[0].body
    client.force_login(officer_a)
    html = client.get("/").content.decode()
    banner = html[html.index('data-testid="authorization-banner"'):]
    banner = banner[:banner.index("</div>")]
    assert "suspended" in banner and "set by USPS in the register" in banner, banner
