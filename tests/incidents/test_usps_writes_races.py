"""USPS's writes read their author again (`hold_actor`) after the case they act on: the
same person's two writes at once (the queue's bulk assignment in one tab, a decision on one
of its cases in another, or tooling) both go through, never a deadlock."""

from datetime import timedelta

import pytest
import time_machine

from incidents.models import Incident
from incidents.services import assign_reviewers
from reports import services as reports
from reports.models import Report
from tests import factories
from tests.concurrency import meet_at, postgresql, run_together  # noqa: F401
from tests.reports.factories import NOW, case_under_review, file_report_at

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("postgresql")]


def _errors(results):
    return [repr(exc) for _, exc in results if exc is not None]


def test_bulk_assign_while_the_same_reviewer_accepts_a_report_on_the_second_case(
        officer_a, reviewer):
    """The queue's "assign ticked rows" by a reviewer, held between its two cases; the same
    reviewer accepting a report on case B (another tab, or the API) has case B and reads
    their own row."""
    case_a = case_under_review(officer_a, at=NOW - timedelta(hours=3))
    case_b = case_under_review(officer_a, at=NOW - timedelta(hours=2))
    if case_a.pk > case_b.pk:
        case_a, case_b = case_b, case_a
    report, _ = file_report_at(officer_a, case_b, "written", at=NOW - timedelta(hours=1))
    assignee = factories.ReviewerFactory()

    with time_machine.travel(NOW, tick=True), \
            meet_at(("incidents.services.triage.assign_reviewer", 2),
                    ("reports.services.review.hold_actor", 1)):
        results = run_together(
            lambda: assign_reviewers(actor=reviewer, incidents=[case_a, case_b],
                                     reviewer=assignee),
            lambda: reports.accept_report(actor=reviewer, report=report))

    assert _errors(results) == []
    assert set(Incident.objects.filter(pk__in=[case_a.pk, case_b.pk])
               .values_list("assigned_reviewer", flat=True)) == {assignee.pk}
    assert Report.objects.get(pk=report.pk).state == "accepted"


@pytest.mark.parametrize("what", ["waive", "deny"])
def test_bulk_assign_while_the_same_reviewer_decides_on_the_second_case(
        what, officer_a, reviewer):
    """The same, the reviewer's other write on case B a waiver of its written report or
    the denial of an extension of it: each locks case B (and the duty), then the
    reviewer."""
    from compliance import services as core
    from compliance.models import ExtensionRequest, Obligation
    from compliance.services.waivers import waive_obligation
    from tests.enforcement.helpers import DAY
    from tests.reports.factories import written_duty

    case_a = case_under_review(officer_a, at=NOW - timedelta(hours=3))
    case_b = case_under_review(officer_a, at=NOW - timedelta(hours=2))
    if case_a.pk > case_b.pk:
        case_a, case_b = case_b, case_a
    duty = written_duty(case_b)
    assignee = factories.ReviewerFactory()
    if what == "waive":
        act = lambda: waive_obligation(actor=reviewer, obligation=duty,  # noqa: E731
                                       reason="Covered by the other case.")
        hook = "compliance.services.waivers.hold_actor"
    else:
        with time_machine.travel(NOW, tick=False), factories.committed():
            extension = core.request_extension(
                actor=officer_a, obligation=duty, requested_due_at=duty.due_at + DAY,
                justification="Lab.")
        act = lambda: core.deny_extension(actor=reviewer, extension=extension,  # noqa: E731
                                          comment="No.")
        hook = "compliance.services.extensions.hold_actor"

    with time_machine.travel(NOW, tick=True), \
            meet_at(("incidents.services.triage.assign_reviewer", 2), (hook, 1)):
        results = run_together(
            lambda: assign_reviewers(actor=reviewer, incidents=[case_a, case_b],
                                     reviewer=assignee),
            act)

    assert _errors(results) == []
    assert set(Incident.objects.filter(pk__in=[case_a.pk, case_b.pk])
               .values_list("assigned_reviewer", flat=True)) == {assignee.pk}
    if what == "waive":
        assert Obligation.objects.get(pk=duty.pk).state == "waived"
    else:
        assert ExtensionRequest.objects.get(pk=extension.pk).state == "denied"
