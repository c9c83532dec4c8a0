"""A filing (or USPS's action on one of its targets) and the deadline sweep at once,
around the due time: either the action holds its duty first (the sweep passes it by, the
action is on time) or the sweep marks it missed first (the action, stamped after, is
late). Never met on time with a miss on record."""

import threading
from datetime import date, timedelta
from unittest import mock

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from compliance.enforcement import services as enforcement
from compliance.models import AuditEvent, Obligation, ObligationKind
from compliance.services import (
    accept_procedures,
    ensure_procedures_obligations,
    upload_procedures,
)
from incidents.models import Incident
from incidents.services import submit_incident
from notifications.sweep import sweep
from tests.concurrency import postgresql, run_together  # noqa: F401
from tests.enforcement.conftest import missed_case, missed_duty, suspension  # noqa: F401
from tests.enforcement.helpers import T0, issue, period_of
from tests.incidents.factories import NOW, make_draft

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("postgresql")]


def held_at(target):
    """Patch `target` so that its first call waits, once reached, until the sweep ran."""
    reached, go = threading.Event(), threading.Event()
    original = mock.patch(target).get_original()[0]
    calls = []

    def call(*args, **kwargs):
        if not calls:
            calls.append(1)
            reached.set()
            go.wait(10)
        return original(*args, **kwargs)

    return mock.patch(target, side_effect=call), reached, go


def sweeping_at(when, reached, go, traveller=None):
    """The sweep at `when`, once the filing is held; the clock then reads past it."""
    def run():
        assert reached.wait(10)
        try:
            return sweep(when)
        finally:
            if traveller is not None:
                traveller.move_to(when + timedelta(seconds=1))
            go.set()
    return run


def record_of(duty):
    duty.refresh_from_db()
    missed = AuditEvent.objects.filter(action="obligation.missed",
                                       object_id=str(duty.pk)).count()
    return duty.state, duty.missed_at is not None, missed


def test_procedures_uploaded_as_the_sweep_passes_are_on_time(officer_a, provider_a,
                                                            reviewer, settings, tmp_path):
    """The upload holds its duty before it takes its time and writes the file: the sweep,
    a minute after the due time, passes the duty by."""
    settings.MEDIA_ROOT = tmp_path
    with time_machine.travel(NOW, tick=False):
        ensure_procedures_obligations()
    duty = Obligation.objects.get(provider=provider_a, kind=ObligationKind.PROCEDURES)
    patch, reached, go = held_at("compliance.services.procedures.fulfil_obligation")

    with time_machine.travel(duty.due_at - timedelta(seconds=1), tick=False), patch:
        results = run_together(
            lambda: upload_procedures(
                actor=officer_a, provider=provider_a,
                uploaded_file=SimpleUploadedFile("p.pdf", b"%PDF-1.4 procedures"),
                effective_date=date(2026, 3, 1)),
            sweeping_at(duty.due_at + timedelta(minutes=1), reached, go))

    assert [repr(e) for _, e in results if e] == []
    assert results[1][0].missed == 0
    assert record_of(duty) == ("met", False, 0)


def test_a_correction_filed_as_the_sweep_passes_is_on_time(suspension, officer_a):  # noqa: F811
    """The provider's step holds its period before it takes its time: the sweep, after
    the period's end, passes it by."""
    period = period_of(suspension, ObligationKind.PROCEEDING_CORRECTION)
    patch, reached, go = held_at("compliance.enforcement.services.check_step_terms")

    with time_machine.travel(period.due_at - timedelta(seconds=1), tick=False), patch:
        results = run_together(
            lambda: enforcement.issue_step(actor=officer_a, proceeding=suspension,
                                           kind="correction", body="We filed it today."),
            sweeping_at(period.due_at + timedelta(minutes=1), reached, go))

    assert [repr(e) for _, e in results if e] == []
    assert results[1][0].missed == 0
    assert results[0][0].is_late is False
    assert record_of(period) == ("met", False, 0)


def test_a_notification_the_sweep_marked_missed_first_is_filed_late(officer_a):
    """The submission took its time a second before the 24 hours ended, then waited; the
    sweep, a minute after, marked the duty missed: by the time the submission holds the
    case it is late, and asks for its reason like any late filing."""
    with time_machine.travel(NOW - timedelta(hours=23), tick=False):
        draft = make_draft(officer_a, discovered_at=NOW - timedelta(hours=24))
    duty = Obligation.objects.get(incident_id=draft.pk, kind=ObligationKind.NOTIFICATION)
    patch, reached, go = held_at("incidents.services.filing.locked_for_filing")

    with time_machine.travel(NOW - timedelta(seconds=1), tick=False) as traveller, patch:
        results = run_together(
            lambda: submit_incident(actor=officer_a, incident=draft),
            sweeping_at(NOW + timedelta(minutes=1), reached, go, traveller))

    refused = results[0][1]
    assert isinstance(refused, ValidationError) and "late_reason" in refused.message_dict
    assert results[1][0].missed == 1
    assert Incident.objects.get(pk=draft.pk).is_draft
    assert record_of(duty) == ("missed", True, 1)


def missed_target(target):
    target.refresh_from_db()
    return target.state, AuditEvent.objects.filter(action="usps_target.missed",
                                                   object_id=str(target.pk)).count()


def test_procedures_accepted_as_the_sweep_passes_meet_usps_target_in_time(
        officer_a, provider_a, reviewer, settings, tmp_path):
    """USPS's review holds its target (which names no case) before it takes its time."""
    settings.MEDIA_ROOT = tmp_path
    with time_machine.travel(NOW, tick=False):
        ensure_procedures_obligations()
        document = upload_procedures(
            actor=officer_a, provider=provider_a,
            uploaded_file=SimpleUploadedFile("p.pdf", b"%PDF-1.4 procedures"),
            effective_date=date(2026, 3, 1))
    target = Obligation.objects.get(kind=ObligationKind.USPS_PROCEDURES_REVIEW,
                                    object_id=document.pk)
    patch, reached, go = held_at("compliance.services.procedures.meet_usps_target")

    with time_machine.travel(target.due_at - timedelta(seconds=1), tick=False), patch:
        results = run_together(
            lambda: accept_procedures(actor=reviewer, document=document),
            sweeping_at(target.due_at + timedelta(minutes=1), reached, go))

    assert [repr(e) for _, e in results if e] == []
    assert missed_target(target) == ("met", 0)


def test_a_proceeding_step_as_the_sweep_passes_meets_usps_target_in_time(
        suspension, officer_a, manager):  # noqa: F811
    """The provider answered; the manager's step holds USPS's target to decide before it
    takes its time."""
    issue(officer_a, suspension, "correction", T0 + timedelta(days=1))
    target = Obligation.objects.get(kind=ObligationKind.USPS_PROCEEDING_DECISION,
                                    object_id=suspension.pk)
    patch, reached, go = held_at("compliance.enforcement.periods.meet_usps_target")

    with time_machine.travel(target.due_at - timedelta(seconds=1), tick=False), patch:
        results = run_together(
            lambda: enforcement.issue_step(actor=manager, proceeding=suspension,
                                           kind="withdrawal", body="Corrected."),
            sweeping_at(target.due_at + timedelta(minutes=1), reached, go))

    assert [repr(e) for _, e in results if e] == []
    assert missed_target(target) == ("met", 0)
