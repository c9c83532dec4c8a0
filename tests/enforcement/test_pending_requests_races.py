"""A proceeding step that meets (or ends) the provider's period with a request for more
time pending on it, while the deadline sweep marks USPS's target to decide that request
missed. The step appends its period's event (the audit chain's lock, held to commit), then
settles the request, locking USPS's target to decide it; the sweep has claimed that target
past its due time (a period and its request's target belong to no case, so no case lock
keeps them apart) and appends its `missed` event last. Each waited for the other, and
PostgreSQL aborted one: the step appends its events last now."""

from datetime import timedelta

import pytest
import time_machine

from compliance.enforcement import services as enforcement
from compliance.models import ExtensionRequest, Obligation, ObligationKind
from compliance.services import request_extension
from notifications.sweep import sweep
from tests.concurrency import meet_at, postgresql, run_together  # noqa: F401

from .helpers import DAY, T0, at, period_of

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("postgresql")]


def _pending_on_the_period(suspension, officer):
    period = period_of(suspension, ObligationKind.PROCEEDING_CORRECTION)
    with at(T0 + DAY):
        extension = request_extension(actor=officer, obligation=period,
                                      requested_due_at=period.due_at + 7 * DAY,
                                      justification="The auditor is away.")
    target = Obligation.objects.get(kind=ObligationKind.USPS_EXTENSION_DECISION,
                                    object_id=extension.pk)
    moment = target.due_at + timedelta(seconds=30)
    assert moment < period.due_at  # the period still runs: the step is on time
    return extension, moment


def _race(moment, step):
    with time_machine.travel(moment, tick=False), \
            meet_at(("notifications.sweep.append_events", 1),
                    ("compliance.services.extensions.meet_usps_target", 1)):
        return run_together(lambda: sweep(moment), step)


def test_answering_a_period_while_the_sweep_marks_the_extension_target_missed(
        suspension, officer_a):
    extension, moment = _pending_on_the_period(suspension, officer_a)
    results = _race(moment, lambda: enforcement.issue_step(
        actor=officer_a, proceeding=suspension, kind="correction", body="Corrected in full."))

    assert [repr(exc) for _, exc in results if exc is not None] == []
    assert ExtensionRequest.objects.get(pk=extension.pk).state == "denied"


def test_withdrawing_while_the_sweep_marks_the_extension_target_missed(
        suspension, officer_a, manager):
    extension, moment = _pending_on_the_period(suspension, officer_a)
    results = _race(moment, lambda: enforcement.issue_step(
        actor=manager, proceeding=suspension, kind="withdrawal", body="Corrected in full."))

    assert [repr(exc) for _, exc in results if exc is not None] == []
    assert ExtensionRequest.objects.get(pk=extension.pk).state == "denied"
