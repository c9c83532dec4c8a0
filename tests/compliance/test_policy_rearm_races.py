"""A USPS manager saves a new deadline policy (new reminder steps) while an officer files
the case's final summary, or while a reviewer accepts procedures: the policy's re-arming
of every owed duty (`compliance.services.schedule.rearm_reminders`) goes kind by kind,
while the filing holds the final summary and then closes the status report owed (and
accepting procedures holds one USPS target, then closes another), with the audit chain's
lock taken in between. Neither waits for the other: the re-arm takes the chain first and
passes over the duties another transaction holds, re-arming them once it has committed."""

import threading
import time
from datetime import date, timedelta
from unittest import mock

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from compliance.models import DeadlinePolicy, Obligation, ObligationKind
from compliance.models.policy import (
    DEFAULT_ESCALATION,
    DEFAULT_REMINDER_OFFSETS_HOURS,
    DEFAULT_RISK_WINDOWS,
)
from compliance.services import accept_procedures, procedures, upload_procedures
from compliance.services.policy import save_deadline_policy
from reports import services
from reports.models import Report
from tests.concurrency import meet_at, postgresql, run_together  # noqa: F401
from tests.reports.factories import FINAL, NOW, investigating

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("postgresql")]


def _new_policy(manager):
    """Every kind gets one more, earlier reminder: every owed duty's cursor moves."""
    offsets = {kind: sorted({*hours, 300}, reverse=True)
               for kind, hours in DEFAULT_REMINDER_OFFSETS_HOURS.items()}
    return save_deadline_policy(actor=manager, risk_windows=DEFAULT_RISK_WINDOWS,
                                reminder_offsets_hours=offsets, escalation=DEFAULT_ESCALATION,
                                note="An earlier reminder for everything.")


def _errors(results):
    return [repr(exc) for _, exc in results if exc is not None]


def test_filing_the_final_summary_while_a_manager_saves_the_policy(officer_a, reviewer,
                                                                   manager):
    incident = investigating(officer_a, reviewer, at=NOW - timedelta(days=1))
    owed = set(Obligation.objects.filter(incident_id=incident.pk, state="open")
               .values_list("kind", flat=True))
    assert {"status_report", "final_summary"} <= owed

    # The policy has re-armed notification, written and status duties and is about to do
    # the final summaries; the filing has met its final summary and is about to close the
    # status report owed.
    with time_machine.travel(NOW, tick=True), \
            meet_at(("compliance.services.schedule._rearm_in_sql", 4),
                    ("reports.services.flow.close_obligation", 1)):
        results = run_together(
            lambda: services.file_report(actor=officer_a, incident=incident, kind="final",
                                         **FINAL),
            lambda: _new_policy(manager))

    assert _errors(results) == []
    assert DeadlinePolicy.objects.count() == 1
    assert Report.objects.filter(incident=incident, kind="final", current_version=1).exists()


def test_accepting_procedures_v2_while_a_manager_saves_the_policy(officer_a, provider_a,
                                                                 reviewer, manager,
                                                                 settings, tmp_path):
    """Accepting v2 holds USPS's target to review v2, then closes the target of v1 (which
    v2 supersedes); the policy re-arms USPS's procedures-review targets in one statement,
    v1's first. Same kind, two rows, opposite orders."""
    settings.MEDIA_ROOT = tmp_path
    with time_machine.travel(NOW - timedelta(hours=2), tick=False):
        _upload(officer_a)
    with time_machine.travel(NOW - timedelta(hours=1), tick=False):
        v2 = _upload(officer_a, "Who calls USPS at night.")
    assert Obligation.objects.filter(kind=ObligationKind.USPS_PROCEDURES_REVIEW,
                                     state="open").count() == 2

    real_close = procedures.close_obligation

    def close_a_moment_later(**kwargs):
        time.sleep(0.5)  # the policy's statement takes v1's target meanwhile
        return real_close(**kwargs)

    with time_machine.travel(NOW, tick=True), \
            mock.patch("compliance.services.procedures.close_obligation",
                       side_effect=close_a_moment_later), \
            meet_at(("compliance.services.schedule._rearm_in_sql", 12),
                    ("compliance.services.procedures.close_obligation", 1)):
        results = run_together(
            lambda: accept_procedures(actor=reviewer, document=v2),
            lambda: _new_policy(manager))

    assert _errors(results) == []
    assert DeadlinePolicy.objects.count() == 1
    v2.refresh_from_db()
    assert v2.review_state == "accepted"


def _upload(officer, summary=""):
    return upload_procedures(actor=officer, provider=officer.provider,
                             summary_of_changes=summary,
                             uploaded_file=SimpleUploadedFile("p.pdf", b"%PDF-1.4 procedures"),
                             effective_date=date(2026, 3, 1))


def test_a_duty_held_while_the_policy_is_saved_is_re_armed_once_it_is_free(officer_a,
                                                                          reviewer, manager):
    """The re-arm passes over a duty another transaction holds (the sweep, a filing) and,
    once the policy has committed, re-arms it: its cursor goes to the step the new policy
    adds, not left for the sweep at the old one."""
    incident = investigating(officer_a, reviewer, at=NOW - timedelta(days=1))
    duty = Obligation.objects.get(incident_id=incident.pk, kind="final_summary",
                                  state="open")
    held = threading.Event()

    def hold_a_moment():
        with transaction.atomic():
            list(Obligation.objects.filter(pk=duty.pk).select_for_update(no_key=True))
            held.set()
            time.sleep(0.3)

    def save_once_held():
        held.wait(5)
        return _new_policy(manager)

    with time_machine.travel(NOW, tick=True):
        results = run_together(hold_a_moment, save_once_held)

    assert _errors(results) == []
    duty.refresh_from_db()
    assert duty.next_action_at == duty.due_at - timedelta(hours=300)
