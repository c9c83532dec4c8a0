"""Extension requests: officers ask, USPS grants or denies; the due time and the audit."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from compliance.errors import Conflict
from compliance.models import AuditEvent, ExtensionRequest, ObligationState
from compliance.services import deny_extension, grant_extension, request_extension
from tests import factories

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def obligation(provider_a):
    return factories.ObligationFactory(provider=provider_a, due_at=NOW + timedelta(days=2))


def ask(officer, obligation, days=9, why="The lab needs another week."):
    return request_extension(actor=officer, obligation=obligation,
                             requested_due_at=NOW + timedelta(days=days), justification=why)


def test_it_records_a_pending_request_with_the_due_time_it_asks_to_move(officer_a, obligation):
    extension = ask(officer_a, obligation)

    assert extension.state == "pending"
    assert extension.due_at_when_requested == NOW + timedelta(days=2)
    assert AuditEvent.objects.for_object(obligation).get().action == (
        "obligation.extension_requested")


def test_it_refuses_other_providers_viewers_and_usps(officer_b, viewer_a, reviewer, obligation):
    for user in (officer_b, viewer_a, reviewer):
        with pytest.raises(PermissionDenied):
            ask(user, obligation)


def test_it_wants_a_time_after_the_current_due_time(officer_a, obligation):
    with pytest.raises(ValidationError) as exc:
        ask(officer_a, obligation, days=1)
    assert "requested_due_at" in exc.value.message_dict


def test_it_wants_an_aware_time_and_a_justification(officer_a, obligation):
    with pytest.raises(ValidationError):
        request_extension(actor=officer_a, obligation=obligation,
                          requested_due_at=datetime(2026, 4, 1), justification="x")
    with pytest.raises(ValidationError) as exc:
        ask(officer_a, obligation, why="  ")
    assert "justification" in exc.value.message_dict


def test_it_allows_one_pending_request_per_obligation(officer_a, obligation):
    ask(officer_a, obligation)
    with pytest.raises(Conflict):
        ask(officer_a, obligation, days=10)


def test_it_refuses_obligations_no_longer_owed_or_unfiled(officer_a, provider_a):
    met = factories.ObligationFactory(provider=provider_a, state=ObligationState.MET)
    draft = factories.ObligationFactory(provider=provider_a, usps_visible=False)
    for obligation in (met, draft):
        with pytest.raises(Conflict):
            ask(officer_a, obligation)


def test_it_moves_the_due_time_on_grant_and_keeps_the_original(officer_a, reviewer,
                                                                obligation):
    extension = grant_extension(actor=reviewer, extension=ask(officer_a, obligation),
                                comment="Fine.")

    obligation.refresh_from_db()
    assert extension.state == "granted" and extension.decided_by == reviewer
    assert obligation.due_at == NOW + timedelta(days=9)
    assert obligation.original_due_at == NOW + timedelta(days=2)
    assert "obligation.extension_granted" in AuditEvent.objects.for_object(
        obligation).values_list("action", flat=True)


def test_it_reopens_a_missed_obligation_on_grant(officer_a, reviewer, provider_a):
    missed = factories.ObligationFactory(provider=provider_a, state=ObligationState.MISSED,
                                         due_at=NOW - timedelta(days=1))
    grant_extension(actor=reviewer, extension=ask(officer_a, missed))

    missed.refresh_from_db()
    assert missed.state == "open"


def test_it_wants_a_time_to_come_on_a_missed_obligation(officer_a, provider_a):
    missed = factories.ObligationFactory(provider=provider_a, state=ObligationState.MISSED,
                                         due_at=NOW - timedelta(days=3))

    with pytest.raises(ValidationError) as exc:
        ask(officer_a, missed, days=-1)

    assert "has passed" in exc.value.message_dict["requested_due_at"][0]
    assert not ExtensionRequest.objects.exists()


def test_it_refuses_to_grant_the_time_asked_once_it_has_passed(officer_a, reviewer, obligation):
    """Decided after the time asked for, a grant as asked would leave the duty due (and
    perhaps missed) before its new due time: USPS grants a time to come instead."""
    extension = ask(officer_a, obligation, days=3)
    later = NOW + timedelta(days=4)

    with time_machine.travel(later, tick=False), pytest.raises(ValidationError) as exc:
        grant_extension(actor=reviewer, extension=extension)

    assert "has passed" in exc.value.message_dict["due_at"][0]
    obligation.refresh_from_db()
    extension.refresh_from_db()
    assert (obligation.due_at, extension.state) == (NOW + timedelta(days=2), "pending")
    with time_machine.travel(later, tick=False):
        grant_extension(actor=reviewer, extension=extension, due_at=later + timedelta(days=1))
    obligation.refresh_from_db()
    assert obligation.due_at == later + timedelta(days=1)


def test_it_keeps_the_due_time_on_deny_and_wants_a_comment(officer_a, reviewer, obligation):
    extension = ask(officer_a, obligation)
    with pytest.raises(ValidationError):
        deny_extension(actor=reviewer, extension=extension, comment="")

    extension = deny_extension(actor=reviewer, extension=extension, comment="Not needed.")

    obligation.refresh_from_db()
    assert extension.state == "denied" and extension.comment == "Not needed."
    assert obligation.due_at == NOW + timedelta(days=2)


def test_it_decides_a_request_only_once(officer_a, reviewer, obligation):
    extension = ask(officer_a, obligation)
    deny_extension(actor=reviewer, extension=extension, comment="No.")

    with pytest.raises(Conflict):
        grant_extension(actor=reviewer, extension=extension)
    assert ExtensionRequest.objects.get().state == "denied"


def test_it_lets_only_usps_decide(officer_a, obligation):
    extension = ask(officer_a, obligation)
    with pytest.raises(PermissionDenied):
        grant_extension(actor=officer_a, extension=extension)
    with pytest.raises(PermissionDenied):
        deny_extension(actor=officer_a, extension=extension, comment="")


def test_it_cannot_grant_once_the_obligation_is_met(officer_a, reviewer, obligation):
    from compliance.services import fulfil_obligation

    extension = ask(officer_a, obligation)
    fulfil_obligation(actor=officer_a, obligation=obligation, at=NOW)

    with pytest.raises(Conflict):
        grant_extension(actor=reviewer, extension=extension)
    extension.refresh_from_db()
    assert extension.state == "pending"
