"""A duty missed by the time its case closes (or its proceeding goes on) stays missed for
good: the compliance record, the metrics and enforcement count it as missed; it is owed no
more, so no list of what is owed, no clock and no reminder carries it, and nothing moves,
waives or extends it."""

import importlib
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.apps import apps
from django.core.exceptions import ValidationError

from compliance.enforcement.record import Period, compliance_record
from compliance.errors import Conflict
from compliance.models import AuditEvent, Obligation, ObligationState
from compliance.services import (
    close_obligation,
    move_obligation_due,
    record_event,
    request_extension,
)
from compliance.services.waivers import waive_obligation
from reports.metrics.queries import owed_at
from tests import factories
from tests.conftest import api_as

pytestmark = pytest.mark.django_db

DUE = datetime(2026, 5, 20, 16, 0, tzinfo=UTC)
CLOSED = datetime(2026, 6, 3, 16, 0, tzinfo=UTC)
MAY = Period(date(2026, 5, 1), date(2026, 5, 31), "America/New_York")


def missed_then_closed(provider, reviewer):
    with time_machine.travel(DUE - timedelta(days=10), tick=False):
        duty = factories.ObligationFactory(
            provider=provider, kind="written_report", clause="§ 501.11(c)", due_at=DUE,
            original_due_at=DUE, state=ObligationState.MISSED,
            missed_at=DUE + timedelta(hours=1))
    with time_machine.travel(CLOSED, tick=False), factories.committed():
        close_obligation(actor=reviewer, obligation=duty,
                         reason="The final summary was accepted; the case is closed.")
    duty.refresh_from_db()
    return duty


@pytest.mark.parametrize("closed_after, state", [(timedelta(seconds=1), "missed"),
                                                 (timedelta(0), "waived")])
def test_a_duty_past_due_that_the_sweep_has_not_marked_yet_closes_missed(
        provider_a, reviewer, closed_after, state):
    duty = factories.ObligationFactory(provider=provider_a, due_at=DUE, original_due_at=DUE)
    with time_machine.travel(DUE + closed_after, tick=False), factories.committed():
        close_obligation(actor=reviewer, obligation=duty, reason="The case is closed.")

    duty.refresh_from_db()
    # On time up to its due instant: only after it is an unmet duty missed.
    assert (duty.state, duty.closed_at) == (state, DUE + closed_after)
    assert duty.missed_at == (DUE + closed_after if state == "missed" else None)
    event = AuditEvent.objects.for_object(duty).get(action="obligation.closed")
    assert event.changes["state"] == ["open", state]


def test_the_record_and_the_metrics_count_it_missed_and_owed_until_it_closed(
        provider_a, reviewer):
    duty = missed_then_closed(provider_a, reviewer)

    with time_machine.travel(CLOSED + timedelta(days=7), tick=False):
        record = compliance_record(provider_a, MAY, CLOSED + timedelta(days=7))
    [written] = [c for c in record["clauses"] if c["kind"] == "written_report"]
    assert (written["owed"], written["missed"], written["waived"]) == (1, 1, 0)
    owed = Obligation.objects.filter(pk=duty.pk)
    assert owed_at(owed, CLOSED - timedelta(seconds=1)).exists()
    assert not owed_at(owed, CLOSED + timedelta(seconds=1)).exists()


def test_nothing_owed_lists_it_and_the_api_shows_why(provider_a, officer_a, reviewer):
    duty = missed_then_closed(provider_a, reviewer)

    assert not Obligation.objects.outstanding().filter(pk=duty.pk).exists()
    api = api_as(officer_a)
    assert api.get("/api/v1/obligations/?outstanding=true").json()["results"] == []
    [row] = api.get("/api/v1/obligations/?state=missed").json()["results"]
    assert (row["id"], row["state"], row["waived_reason"]) == (duty.pk, "missed", "")
    assert row["closed_at"] == "2026-06-03T16:00:00.000000Z"
    assert row["closed_reason"].endswith("the case is closed.")
    [row] = api.get("/api/v1/obligations/?outstanding=false").json()["results"]
    assert row["id"] == duty.pk


def test_a_closed_duty_is_not_waived_moved_or_extended_and_nothing_changes(
        provider_a, officer_a, reviewer):
    duty = missed_then_closed(provider_a, reviewer)
    before = Obligation.objects.filter(pk=duty.pk).values().get()
    events = AuditEvent.objects.count()

    with pytest.raises(Conflict, match="missed and is closed"):
        waive_obligation(actor=reviewer, obligation=duty, reason="Forgiven.")
    with pytest.raises(Conflict, match="missed and is closed"):
        move_obligation_due(actor=reviewer, obligation=duty, reason="More time.",
                            due_at=datetime(2030, 1, 1, tzinfo=UTC))
    with pytest.raises(Conflict, match="missed and is closed"):
        request_extension(actor=officer_a, obligation=duty, justification="More time.",
                          requested_due_at=datetime(2030, 1, 1, tzinfo=UTC))
    with factories.committed():
        again = close_obligation(actor=reviewer, obligation=duty, reason="Once more.")

    assert again.closed_reason.endswith("the case is closed.")
    assert Obligation.objects.filter(pk=duty.pk).values().get() == before
    assert AuditEvent.objects.count() == events


def test_a_refused_waiver_names_the_state_of_a_duty_never_closed(provider_a, reviewer):
    met = factories.ObligationFactory(provider=provider_a, state=ObligationState.MET)
    with pytest.raises(Conflict, match="that is met"):
        waive_obligation(actor=reviewer, obligation=met, reason="Forgiven.")
    with pytest.raises(ValidationError):
        waive_obligation(actor=reviewer, obligation=met, reason=" ")


def test_the_upgrade_makes_duties_waived_at_closing_while_missed_missed_again(
        provider_a, reviewer):
    """Before duties could be closed, closing a case waived its missed duties: the
    migration restores them from their `obligation.closed` event, and leaves alone a duty
    USPS waived itself and one closed while still open."""
    def waived(missed_at, action):
        duty = factories.ObligationFactory(
            provider=provider_a, state=ObligationState.WAIVED, missed_at=missed_at,
            waived_reason="Closed.")
        with time_machine.travel(CLOSED, tick=False), factories.committed():
            record_event(actor=reviewer, obj=duty, action=action, reason="Case closed.",
                         changes={"state": ["missed", "waived"]})
        return duty

    closed_missed = waived(DUE, "obligation.closed")
    closed_open = waived(None, "obligation.closed")
    usps_waived = waived(DUE, "obligation.waived")
    # Past due at the closing, not yet marked missed by the sweep.
    closed_unswept = waived(None, "obligation.closed")
    Obligation.objects.filter(pk=closed_unswept.pk).update(due_at=DUE)
    migration = importlib.import_module("incidents.migrations.0015_case_clock_closed_duties")

    migration.restore_missed(apps, None)

    rows = {o.pk: o for o in Obligation.objects.all()}
    restored = rows[closed_missed.pk]
    assert (restored.state, restored.waived_reason, restored.closed_at,
            restored.closed_reason) == ("missed", "", CLOSED, "Case closed.")
    assert not restored.is_outstanding
    unswept = rows[closed_unswept.pk]
    assert (unswept.state, unswept.missed_at, unswept.closed_at) == ("missed", CLOSED, CLOSED)
    assert (rows[closed_open.pk].state, rows[closed_open.pk].closed_at) == ("waived", CLOSED)
    assert (rows[usps_waived.pk].state, rows[usps_waived.pk].closed_at) == ("waived", None)
