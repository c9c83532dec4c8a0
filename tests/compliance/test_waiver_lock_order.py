"""Waiving a duty denies the pending request for more time on it (`settle_pending`).
On a duty of no case (the internal reporting procedures), nothing orders the waiver's
locks against a reviewer's decision on the same request, or against the sweep claiming
USPS's target to decide it: each race is held where the orders cross."""

import threading
import time
from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
import time_machine

import compliance.services.extensions as extensions
import compliance.services.waivers as waivers
from compliance.models import ExtensionRequest, Obligation, ObligationKind
from compliance.services import deny_extension, ensure_procedures_obligations, request_extension
from compliance.services.waivers import waive_obligation
from notifications.sweep import sweep
from tests.concurrency import meet_at, postgresql, run_together  # noqa: F401

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("postgresql")]

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def _errors(results):
    return [repr(exc) for _, exc in results if exc is not None]


def _procedures_request(provider, officer):
    with time_machine.travel(NOW, tick=False):
        ensure_procedures_obligations()
        duty = Obligation.objects.get(provider=provider, kind=ObligationKind.PROCEDURES)
        extension = request_extension(actor=officer, obligation=duty,
                                      requested_due_at=duty.due_at + timedelta(days=14),
                                      justification="Our counsel reviews them next month.")
    return duty, extension


def test_waiving_the_procedures_duty_while_a_reviewer_denies_its_pending_request(
        officer_a, reviewer, manager, provider_a):
    """The waiver has locked the duty (and appended its event), then denies the pending
    request; the reviewer's denial has locked the request (with the duty, in one
    statement: the request's row first) and waits for the duty."""
    duty, extension = _procedures_request(provider_a, officer_a)
    barrier = threading.Barrier(2)
    settle = waivers.settle_pending
    source = extensions.case_source

    def settle_later(**kwargs):
        barrier.wait(timeout=5)
        time.sleep(0.5)  # the denial has locked the request by now
        return settle(**kwargs)

    def source_when_met():
        barrier.wait(timeout=5)
        return source()

    moment = NOW + timedelta(hours=2)
    with time_machine.travel(moment, tick=False), \
            mock.patch.object(waivers, "settle_pending", settle_later), \
            mock.patch.object(extensions, "case_source", source_when_met):
        results = run_together(
            lambda: waive_obligation(actor=manager, obligation=duty,
                                     reason="Reviewed on site in February."),
            lambda: deny_extension(actor=reviewer, extension=extension,
                                   comment="Not justified."))

    # One of the two may be refused (409: already denied / not owed), but neither may die
    # of a deadlock.
    assert not [e for e in _errors(results) if "deadlock" in e.lower()], _errors(results)
    assert ExtensionRequest.objects.get(pk=extension.pk).state == "denied"


def test_waiving_the_procedures_duty_while_the_sweep_claims_the_target_to_decide_its_request(
        officer_a, manager, provider_a):
    """The sweep has claimed USPS's target to decide the request (past due: locked) and
    appends last; the waiver has appended its event (the chain's lock) and then meets that
    target while denying the request."""
    duty, extension = _procedures_request(provider_a, officer_a)
    target = Obligation.objects.get(kind=ObligationKind.USPS_EXTENSION_DECISION,
                                    object_id=extension.pk)
    moment = target.due_at + timedelta(seconds=30)
    assert moment < duty.due_at
    with time_machine.travel(moment, tick=False), \
            meet_at(("notifications.sweep.append_events", 1),
                    ("compliance.services.extensions.meet_usps_target", 1)):
        results = run_together(
            lambda: sweep(moment),
            lambda: waive_obligation(actor=manager, obligation=duty,
                                     reason="Reviewed on site in February."))

    assert _errors(results) == []
    assert Obligation.objects.get(pk=duty.pk).state == "waived"
    assert ExtensionRequest.objects.get(pk=extension.pk).state == "denied"
