"""The sweep applying a status change that has come due, while a step is issued on the same
proceeding: both lock the proceeding before its steps and the provider, so neither waits
on the other holding what the other needs."""

from datetime import date

import pytest
import time_machine

from compliance.enforcement import services
from compliance.enforcement.status import apply_due_status_changes
from compliance.models import Proceeding
from tests.concurrency import HeldRow, postgresql, rendezvous, run_together  # noqa: F401

from .helpers import DAY, T0, issue

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("postgresql")]


@pytest.fixture
def notice_due(suspension, officer_a, manager):
    """A notice of suspension whose effective date has passed, not applied yet; returns
    the time the sweep runs."""
    issue(officer_a, suspension, "correction", T0 + DAY, body="We filed it today.")
    issue(manager, suspension, "suspension_notice", T0 + 2 * DAY,
          effective_date=date(2026, 6, 30))
    return T0 + 21 * DAY


def test_a_withdrawal_racing_the_sweep_neither_fails_nor_leaves_the_provider_suspended(
        suspension, notice_due, manager, provider_a):
    """The sweep has read the due notice, the withdrawal has locked the proceeding (and its
    provider), then each goes on: both succeed, and the provider is authorized."""
    with time_machine.travel(notice_due, tick=False), \
            rendezvous("compliance.enforcement.status.apply_status_change",
                       "compliance.enforcement.services.check_step_terms"):
        results = run_together(
            lambda: apply_due_status_changes(notice_due),
            lambda: services.issue_step(actor=manager, proceeding=suspension,
                                        kind="withdrawal", body="Corrected in full."))

    assert [repr(exc) for _, exc in results if exc is not None] == []
    provider_a.refresh_from_db()
    assert provider_a.authorization_status == "authorized"


def test_the_sweep_leaves_a_proceeding_another_holds_to_its_next_pass(
        suspension, notice_due, provider_a):
    """The sweep does not wait for a proceeding another transaction holds; it applies the
    change on a pass after."""
    proceeding = HeldRow(Proceeding.objects.filter(pk=suspension.pk))

    with time_machine.travel(notice_due, tick=False):
        results = run_together(proceeding.hold, lambda: proceeding.meanwhile(
            lambda: apply_due_status_changes(notice_due)))
        applied, waited = results[1][0]
        assert [exc for _, exc in results] == [None, None]
        assert applied == 0 and waited < 5
        assert apply_due_status_changes(notice_due) == 1
    provider_a.refresh_from_db()
    assert provider_a.authorization_status == "suspended"
