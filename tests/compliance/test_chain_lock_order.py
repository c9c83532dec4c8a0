"""A transaction holds the audit chain's lock from its first event to its commit: a
service that locks one row after another appends its events last (`appended_at_end`), so
that it never waits for a row holding the chain while that row's holder waits for the
chain. Each race is held at the point where the other order deadlocked."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from compliance.models import (
    ExtensionRequest,
    Obligation,
    ObligationKind,
    ProcedureDocument,
    Provider,
)
from compliance.services import (
    ensure_procedures_obligations,
    grant_extension,
    request_extension,
    upload_procedures,
)
from incidents.models import Comment, Incident
from incidents.services import add_comment, assign_reviewers
from notifications.sweep import sweep
from tests import factories
from tests.concurrency import meet_at, postgresql, run_together  # noqa: F401
from tests.enforcement.conftest import missed_case, missed_duty, suspension  # noqa: F401
from tests.enforcement.helpers import DAY, T0, issue, open_suspension
from tests.incidents.factories import make_filed

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("postgresql")]

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def _errors(results):
    return [repr(exc) for _, exc in results if exc is not None]


def _upload(officer):
    return upload_procedures(actor=officer, provider=officer.provider,
                             uploaded_file=SimpleUploadedFile("p.pdf", b"%PDF-1.4 procedures"),
                             effective_date=date(2026, 3, 1))


def test_assigning_two_ticked_cases_while_an_officer_comments_on_the_second_does_not_deadlock(
        officer_a, reviewer):
    """The queue's "assign ticked rows": the assignment of case A appends its event (the
    chain's lock, held to commit), then locks case B; an officer commenting on B has
    locked B and waits for the chain. Each waits for the other."""
    now = timezone.now()
    case_a = make_filed(officer_a, at=now - timedelta(hours=2), title="Seal A")
    case_b = make_filed(officer_a, at=now - timedelta(hours=1), title="Seal B")
    assignee = factories.ReviewerFactory()

    # The bulk assignment waits before its second case (the first one's event appended);
    # the comment waits before its event (case B locked).
    with meet_at(("incidents.services.triage.assign_reviewer", 2),
                 ("incidents.services.comments.record_event", 1)):
        results = run_together(
            lambda: assign_reviewers(actor=reviewer, incidents=[case_a, case_b],
                                     reviewer=assignee),
            lambda: add_comment(actor=officer_a, incident=case_b,
                                body="The new seals arrive Friday."))

    assert _errors(results) == []
    assert set(Incident.objects.values_list("assigned_reviewer", flat=True)) == {assignee.pk}
    assert Comment.objects.filter(incident=case_b).count() == 1


def test_the_sweep_ending_a_suspension_while_the_officer_uploads_procedures(
        suspension, manager, officer_a, provider_a, settings, tmp_path):  # noqa: F811
    """At the suspension's end the sweep files the reinstatement: it closes the appeal
    period still owed (an event: the chain's lock), then locks the provider to restore its
    status; the officer's upload has locked the provider and waits for the chain."""
    settings.MEDIA_ROOT = tmp_path
    issue(officer_a, suspension, "correction", T0 + DAY, body="We filed it today.")
    issue(manager, suspension, "suspension_notice", T0 + 2 * DAY,
          effective_date=date(2026, 6, 12))
    issue(officer_a, suspension, "defense", T0 + 5 * DAY, body="Our facts.")
    issue(manager, suspension, "decision", T0 + 6 * DAY, outcome="suspend", days=10)
    suspension.refresh_from_db()
    moment = suspension.suspension_ends_at + timedelta(minutes=1)
    with time_machine.travel(moment, tick=False), \
            meet_at(("compliance.enforcement.steps.apply_status_change", 1),
                    ("compliance.services.procedures.record_event", 1)):
        results = run_together(lambda: sweep(moment), lambda: _upload(officer_a))

    assert _errors(results) == []
    assert ProcedureDocument.objects.filter(provider=provider_a).count() == 1
    assert Provider.objects.get(pk=provider_a.pk).authorization_status == "authorized"


def test_an_upload_of_procedures_at_its_due_time_while_the_sweep_marks_the_duty_missed(
        officer_a, provider_a, settings, tmp_path):
    """The sweep has claimed the due duty (locked) and appends its `missed` event last;
    the upload has appended its own event (the chain's lock) and then meets the duty."""
    settings.MEDIA_ROOT = tmp_path
    with time_machine.travel(NOW, tick=False):
        ensure_procedures_obligations()
    duty = Obligation.objects.get(provider=provider_a, kind=ObligationKind.PROCEDURES)
    moment = duty.due_at + timedelta(seconds=30)
    with time_machine.travel(moment, tick=False), \
            meet_at(("notifications.sweep.append_events", 1),
                    ("compliance.services.procedures._outstanding_duty", 1)):
        results = run_together(lambda: sweep(moment), lambda: _upload(officer_a))

    assert _errors(results) == []
    assert ProcedureDocument.objects.filter(provider=provider_a).count() == 1
    duty.refresh_from_db()
    assert duty.state == "late"


def test_granting_an_extension_of_procedures_while_the_sweep_marks_the_usps_target_missed(
        officer_a, reviewer, provider_a):
    """The grant moves the duty (its event: the chain's lock), then meets USPS's target;
    the sweep has claimed the target past its due time (locked) and appends last."""
    with time_machine.travel(NOW, tick=False):
        ensure_procedures_obligations()
        duty = Obligation.objects.get(provider=provider_a, kind=ObligationKind.PROCEDURES)
        extension = request_extension(actor=officer_a, obligation=duty,
                                      requested_due_at=duty.due_at + 14 * timedelta(days=1),
                                      justification="Our counsel reviews them next month.")
    target = Obligation.objects.get(kind=ObligationKind.USPS_EXTENSION_DECISION,
                                    object_id=extension.pk)
    moment = target.due_at + timedelta(seconds=30)
    with time_machine.travel(moment, tick=False), \
            meet_at(("notifications.sweep.append_events", 1),
                    ("compliance.services.extensions.meet_usps_target", 1)):
        results = run_together(lambda: sweep(moment),
                               lambda: grant_extension(actor=reviewer, extension=extension))

    assert _errors(results) == []
    assert ExtensionRequest.objects.get(pk=extension.pk).state == "granted"


def test_the_sweep_applying_two_providers_suspensions_while_one_uploads_procedures(
        manager, officer_a, officer_b, provider_a, provider_b, settings, tmp_path):
    """Two notices of suspension take effect the same morning. The sweep applies the first
    (its event: the chain's lock), then locks the second provider; that provider's officer
    has locked it to upload procedures and waits for the chain."""
    settings.MEDIA_ROOT = tmp_path
    for officer, provider in ((officer_a, provider_a), (officer_b, provider_b)):
        case = make_filed(officer, at=T0 - DAY)
        proceeding = open_suspension(manager, provider, incidents=[case.pk], willful=True)
        issue(manager, proceeding, "suspension_notice", T0 + DAY,
              effective_date=date(2026, 6, 20))
    moment = datetime(2026, 6, 20, 4, 1, tzinfo=UTC)  # 00:01 in New York
    with time_machine.travel(moment, tick=False), \
            meet_at(("compliance.enforcement.status.apply_status_change", 2),
                    ("compliance.services.procedures.record_event", 1)):
        results = run_together(lambda: sweep(moment), lambda: _upload(officer_b))

    assert _errors(results) == []
    assert {p.authorization_status for p in Provider.objects.all()} == {"suspended"}
    assert ProcedureDocument.objects.filter(provider=provider_b).count() == 1
