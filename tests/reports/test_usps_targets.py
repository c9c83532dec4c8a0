"""USPS's own targets: opened when an item reaches USPS, due by the policy, met when USPS
acts, internal to USPS."""

from datetime import date, timedelta

import pytest
import time_machine

from compliance.deadlines import end_of_day
from compliance.models import AuditEvent, Obligation, ObligationKind, ObligationState
from compliance.services.policy import save_deadline_policy
from incidents import services as incidents
from reports import services as reports
from reports.extensions import services as extensions
from reports.procedures import services as procedures
from tests.incidents.factories import make_filed

from .factories import NOW, waiting_on_usps

EASTERN = "America/New_York"


@pytest.fixture
def waiting(settings, tmp_path, officer_a):
    settings.MEDIA_ROOT = tmp_path
    return waiting_on_usps(officer_a, at=NOW)


def target(kind, object_id):
    return Obligation.objects.get(kind=kind, object_id=object_id)


def test_each_item_that_reaches_usps_opens_a_target_due_by_the_policy(waiting):
    # NOW is Wednesday 2026-06-10; every item arrived that day (Eastern time).
    filing = target(ObligationKind.USPS_TRIAGE, waiting["filing"].pk)
    review = target(ObligationKind.USPS_REPORT_REVIEW, waiting["report"].pk)
    decision = target(ObligationKind.USPS_EXTENSION_DECISION, waiting["extension"].pk)
    procedures_review = target(ObligationKind.USPS_PROCEDURES_REVIEW, waiting["procedures"].pk)

    assert filing.due_at == end_of_day(date(2026, 6, 12), EASTERN)  # 2 business days
    assert review.due_at == end_of_day(date(2026, 6, 17), EASTERN)  # 5 business days
    assert decision.due_at == end_of_day(date(2026, 6, 12), EASTERN)
    assert procedures_review.due_at == end_of_day(date(2026, 7, 10), EASTERN)  # 30 days
    assert filing.incident_id == waiting["filing"].pk
    assert review.incident_id == waiting["case"].pk
    assert decision.incident_id == waiting["extension_case"].pk
    assert procedures_review.incident_id is None
    for t in (filing, review, decision, procedures_review):
        assert t.state == ObligationState.OPEN and t.clause == "USPS target"
        assert t.provider == waiting["filing"].provider and not t.filed_late


def test_a_late_filing_carries_the_filed_late_flag_to_its_target(officer_a):
    incident = make_filed(officer_a, at=NOW, late_reason="Found on a weekend.",
                          discovered_at=NOW - timedelta(hours=30))

    assert incident.is_late
    assert target(ObligationKind.USPS_TRIAGE, incident.pk).filed_late


def test_triage_meets_the_triage_target_and_a_retriage_changes_nothing(officer_a, reviewer):
    incident = make_filed(officer_a, at=NOW)
    with time_machine.travel(NOW + timedelta(hours=2), tick=False):
        incidents.triage_incident(actor=reviewer, incident=incident, revenue_risk="high",
                                  rationale="Reaches funds.")
    with time_machine.travel(NOW + timedelta(days=9), tick=False):
        incidents.triage_incident(actor=reviewer, incident=incident, revenue_risk="low",
                                  rationale="Contained.")

    triage = target(ObligationKind.USPS_TRIAGE, incident.pk)
    assert triage.state == ObligationState.MET
    assert triage.met_at == NOW + timedelta(hours=2)
    assert triage.reviewer == reviewer  # the triaging reviewer took the case


def test_a_target_met_after_it_passed_is_met_late(officer_a, reviewer):
    incident = make_filed(officer_a, at=NOW)
    with time_machine.travel(NOW + timedelta(days=6), tick=False):
        incidents.triage_incident(actor=reviewer, incident=incident, revenue_risk="low",
                                  rationale="Contained.")

    assert target(ObligationKind.USPS_TRIAGE, incident.pk).state == ObligationState.LATE


def test_accepting_or_returning_a_report_meets_its_review_and_a_correction_opens_another(
        waiting, officer_a, reviewer):
    report = waiting["report"]
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        reports.return_report(actor=reviewer, report=report, comment="Name the firmware.")
    first = target(ObligationKind.USPS_REPORT_REVIEW, report.pk)
    assert first.state == ObligationState.MET

    with time_machine.travel(NOW + timedelta(hours=2), tick=False):
        reports.submit_report(actor=officer_a, report=report, circumstances="Firmware 4.2.")
    second = Obligation.objects.outstanding().get(kind=ObligationKind.USPS_REPORT_REVIEW,
                                                  object_id=report.pk)
    assert second.pk != first.pk and second.subject.endswith("v2")

    with time_machine.travel(NOW + timedelta(hours=3), tick=False):
        reports.accept_report(actor=reviewer, report=report)
    second.refresh_from_db()
    assert second.state == ObligationState.MET


def test_deciding_an_extension_meets_its_target(waiting, reviewer):
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        extensions.deny_extension(actor=reviewer, extension=waiting["extension"],
                                  comment="The lab has other slots.")

    assert target(ObligationKind.USPS_EXTENSION_DECISION,
                  waiting["extension"].pk).state == ObligationState.MET


def test_usps_may_grant_an_extension_to_a_time_other_than_the_one_asked(waiting, reviewer):
    extension = waiting["extension"]
    chosen = extension.requested_due_at - timedelta(days=3)

    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        granted = extensions.grant_extension(actor=reviewer, extension=extension,
                                             comment="Four days, not seven.", due_at=chosen)

    assert granted.granted_due_at == chosen
    assert granted.obligation.due_at == chosen
    assert target(ObligationKind.USPS_EXTENSION_DECISION, extension.pk).state == "met"


def test_a_grant_to_a_time_before_the_current_due_time_changes_nothing(waiting, reviewer):
    from django.core.exceptions import ValidationError

    extension = waiting["extension"]
    due = extension.obligation.due_at

    with pytest.raises(ValidationError):
        extensions.grant_extension(actor=reviewer, extension=extension,
                                   due_at=due - timedelta(hours=1))

    extension.refresh_from_db()
    extension.obligation.refresh_from_db()
    assert extension.state == "pending" and extension.obligation.due_at == due
    assert target(ObligationKind.USPS_EXTENSION_DECISION, extension.pk).state == "open"


def test_reviewing_procedures_meets_its_target(waiting, reviewer):
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        procedures.request_procedure_changes(actor=reviewer, document=waiting["procedures"],
                                             comment="Name who reports to whom.")

    assert target(ObligationKind.USPS_PROCEDURES_REVIEW,
                  waiting["procedures"].pk).state == ObligationState.MET


def test_every_event_about_a_target_is_internal_to_usps(waiting, reviewer):
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        reports.accept_report(actor=reviewer, report=waiting["report"])
    ids = [str(pk) for pk in Obligation.objects.usps_targets().values_list("pk", flat=True)]

    events = AuditEvent.objects.filter(object_id__in=ids, action__startswith="usps_target.")
    assert {e.action for e in events} == {"usps_target.opened", "usps_target.met"}
    assert not AuditEvent.objects.filter(object_id__in=ids, usps_only=False,
                                         content_type__model="obligation").exists()


def test_a_new_policy_version_sets_the_targets_of_items_that_arrive_after_it(
        officer_a, manager):
    from compliance.models import DeadlinePolicy

    policy = DeadlinePolicy.defaults()
    before = make_filed(officer_a, at=NOW)
    with time_machine.travel(NOW, tick=False):
        save_deadline_policy(
            actor=manager, risk_windows=policy.risk_windows,
            reminder_offsets_hours=policy.reminder_offsets_hours, escalation=policy.escalation,
            usps_targets={**policy.usps_targets,
                          "usps_triage": {"days": 1, "business_days": True}},
            note="Triage within a day.")
    after = make_filed(officer_a, at=NOW + timedelta(minutes=5))

    assert target(ObligationKind.USPS_TRIAGE, before.pk).due_at == end_of_day(
        date(2026, 6, 12), EASTERN)  # a target once set does not move
    assert target(ObligationKind.USPS_TRIAGE, after.pk).due_at == end_of_day(
        date(2026, 6, 11), EASTERN)


def test_closing_a_case_leaves_a_report_still_awaiting_review_on_usps_desk(officer_a,
                                                                          reviewer):
    from .factories import file_report_at, investigating

    incident = investigating(officer_a, reviewer, at=NOW)
    status, _ = file_report_at(officer_a, incident, "status", at=NOW + timedelta(days=1))
    final, _ = file_report_at(officer_a, incident, "final", at=NOW + timedelta(days=2))
    with time_machine.travel(NOW + timedelta(days=3), tick=False):
        reports.accept_report(actor=reviewer, report=final)

    assert target(ObligationKind.USPS_REPORT_REVIEW, status.pk).state == "open"
    assert not Obligation.objects.provider_duties().outstanding().filter(
        incident_id=incident.pk).exists()
