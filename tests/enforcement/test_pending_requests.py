"""A pending request for more time on a provider's period in a proceeding, when the
proceeding goes on (USPS withdraws it) and the period is owed no more: README, Extensions,
"A request still pending when its duty stops being owed ... is denied with that reason and
the officers told, USPS's target to decide it met: nothing waits on USPS that it could not
grant"."""

import pytest
import time_machine

from compliance.errors import Conflict
from compliance.inbox import inbox
from compliance.models import ExtensionState, Obligation, ObligationKind, ObligationState
from compliance.services import grant_extension, request_extension
from notifications.models import OutboundEmail

from .helpers import DAY, T0, at, issue, period_of, sweep_at

pytestmark = pytest.mark.django_db


def test_a_request_pending_on_a_period_the_withdrawal_closed_waits_on_usps_no_more(
        suspension, officer_a, manager, reviewer):
    period = period_of(suspension, ObligationKind.PROCEEDING_CORRECTION)
    with at(T0 + DAY):
        extension = request_extension(actor=officer_a, obligation=period,
                                      requested_due_at=period.due_at + 7 * DAY,
                                      justification="The auditor is away.")

    issue(manager, suspension, "withdrawal", T0 + 2 * DAY, body="Corrected in full.")

    period.refresh_from_db()
    assert not period.is_outstanding  # the period is owed no more...
    # ... so USPS could never grant the request:
    with time_machine.travel(T0 + 3 * DAY, tick=False), pytest.raises(Conflict):
        grant_extension(actor=reviewer, extension=extension)
    extension.refresh_from_db()
    target = Obligation.objects.get(kind=ObligationKind.USPS_EXTENSION_DECISION,
                                    object_id=extension.pk)
    # It waits on USPS no more: denied with the reason, the officers told, its target met
    # (not run on to be missed by the sweep).
    assert extension.state == ExtensionState.DENIED, extension.state
    assert "withdrawal" in extension.comment
    told = OutboundEmail.objects.filter(template="extension_denied", recipient=officer_a)
    assert told.count() == 1
    sweep_at(T0 + 30 * DAY)
    target.refresh_from_db()
    assert extension.state == ExtensionState.DENIED, extension.state
    assert target.state == ObligationState.MET, target.state
    with at(T0 + 30 * DAY):
        assert [t for t in inbox(reviewer) if t.object_id == extension.pk] == []


def test_a_request_pending_on_a_period_the_provider_answered_waits_on_usps_no_more(
        suspension, officer_a, reviewer):
    """The officer asked for more time, then answered within the period after all."""
    period = period_of(suspension, ObligationKind.PROCEEDING_CORRECTION)
    with at(T0 + DAY):
        extension = request_extension(actor=officer_a, obligation=period,
                                      requested_due_at=period.due_at + 7 * DAY,
                                      justification="The auditor is away.")

    issue(officer_a, suspension, "correction", T0 + 2 * DAY)

    period.refresh_from_db()
    extension.refresh_from_db()
    target = Obligation.objects.get(kind=ObligationKind.USPS_EXTENSION_DECISION,
                                    object_id=extension.pk)
    assert (period.state, extension.state, target.state) == (
        ObligationState.MET, ExtensionState.DENIED, ObligationState.MET)
    assert not OutboundEmail.objects.filter(template="extension_denied").exists()
    with at(T0 + 30 * DAY):
        assert [t for t in inbox(reviewer) if t.object_id == extension.pk] == []
