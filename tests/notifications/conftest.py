from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from compliance.models import DeadlinePolicy, ObligationKind
from notifications.schedule import reschedule_reminders
from tests import factories

DUE = datetime(2026, 6, 10, 16, 0, tzinfo=UTC)


@pytest.fixture
def obligation(provider_a):
    """A 24-hour notification of provider A due at DUE, its reminders scheduled two days
    before."""
    with time_machine.travel(DUE - timedelta(days=2), tick=False):
        obligation = factories.ObligationFactory(
            provider=provider_a, kind=ObligationKind.NOTIFICATION, subject="PES-2026-00001 Meter",
            due_at=DUE, original_due_at=DUE, incident_id=41,
        )
        reschedule_reminders(obligation, DeadlinePolicy.in_force())
        obligation.save()
    return obligation
