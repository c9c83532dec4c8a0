"""Services writing a duty of a case lock the case's row before the duty's, the order of
the incidents app (an assignment, a filing): a write of the duty updates the case's row
too (its clock, by trigger), so the opposite order deadlocks against them."""

import time
from datetime import timedelta

import pytest
from django.db import DatabaseError, transaction
from django.utils import timezone

import compliance.services.extensions as extensions
from compliance.models import Obligation, ObligationKind
from compliance.services import deny_extension, grant_extension, request_extension
from compliance.services.waivers import waive_obligation
from incidents.models import Incident
from incidents.services.triage import assign_reviewer
from tests import factories
from tests.concurrency import HeldRow, postgresql, rendezvous, run_together  # noqa: F401
from tests.reports.factories import case_under_review, written_duty

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("postgresql")]


def test_an_extension_request_and_a_reviewer_assignment_at_once_both_succeed(
        officer_a, reviewer, monkeypatch):
    """The request has read the duty, the assignment has locked the case, then each goes
    on: both succeed, and the request's USPS target goes to the reviewer assigned, like
    every other duty of the case."""
    incident = case_under_review(officer_a, at=timezone.now() - timedelta(hours=1))
    duty = written_duty(incident)
    assignee = factories.ReviewerFactory()
    open_target = extensions.open_usps_target

    def open_target_later(**kwargs):
        time.sleep(1)  # the assignment's update of the duties has started by now
        return open_target(**kwargs)

    monkeypatch.setattr(extensions, "open_usps_target", open_target_later)
    with rendezvous("compliance.services.extensions.record_event",
                    "incidents.services.triage.assign_obligations_reviewer"):
        results = run_together(
            lambda: request_extension(
                actor=officer_a, obligation=duty, requested_due_at=duty.due_at + timedelta(days=7),
                justification="The lab is closed this week."),
            lambda: assign_reviewer(actor=reviewer, incident=incident, reviewer=assignee))

    assert [exc for _, exc in results] == [None, None]
    target = Obligation.objects.get(kind=ObligationKind.USPS_EXTENSION_DECISION,
                                    incident_id=incident.pk)
    assert written_duty(incident).reviewer_id == assignee.pk
    assert target.reviewer_id == assignee.pk


def _is_locked(duty):
    """Whether another transaction holds the duty's row (asked without waiting)."""
    try:
        with transaction.atomic():
            list(Obligation.objects.select_for_update(nowait=True).filter(pk=duty.pk))
    except DatabaseError:
        return True
    return False


@pytest.mark.parametrize("service", ["request", "grant", "deny", "waive"])
def test_a_service_on_a_duty_waits_for_its_case_before_locking_the_duty(
        officer_a, reviewer, service):
    """While another transaction holds the case's row, the service waits for it without
    holding the duty's row; then it goes on."""
    incident = case_under_review(officer_a, at=timezone.now() - timedelta(hours=1))
    duty = written_duty(incident)
    later = duty.due_at + timedelta(days=7)
    extension = None
    if service in ("grant", "deny"):
        extension = request_extension(actor=officer_a, obligation=duty, requested_due_at=later,
                                      justification="The lab is closed this week.")
    calls = {
        "request": lambda: request_extension(actor=officer_a, obligation=duty,
                                             requested_due_at=later, justification="Closed."),
        "grant": lambda: grant_extension(actor=reviewer, extension=extension),
        "deny": lambda: deny_extension(actor=reviewer, extension=extension,
                                       comment="The lab can be reached."),
        "waive": lambda: waive_obligation(actor=reviewer, obligation=duty,
                                          reason="The case is closed by agreement."),
    }
    case = HeldRow(Incident.objects.filter(pk=incident.pk))

    def run_service():
        case.held.wait(10)
        return calls[service]()

    def duty_locked_meanwhile():
        time.sleep(0.5)  # the service has started and waits for a lock by now
        return _is_locked(duty)

    results = run_together(case.hold, run_service,
                           lambda: case.meanwhile(duty_locked_meanwhile))

    assert [exc for _, exc in results] == [None, None, None]
    assert results[2][0][0] is False
