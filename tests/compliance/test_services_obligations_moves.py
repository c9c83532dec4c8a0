from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from compliance.errors import Conflict
from compliance.models import AuditEvent, ObligationState
from compliance.services import close_obligation, move_obligation_due
from compliance.services.schedule import reschedule_reminders
from tests import factories

pytestmark = pytest.mark.django_db


def test_moving_a_due_time_keeps_the_original_and_reschedules_reminders(reviewer, provider_a):
    due = timezone.now() + timedelta(hours=3)
    obligation = factories.ObligationFactory(provider=provider_a, due_at=due, original_due_at=due)
    reschedule_reminders(obligation)
    obligation.save()
    later = due + timedelta(days=7)

    moved = move_obligation_due(actor=reviewer, obligation=obligation, due_at=later,
                                reason="Extension granted.")

    assert moved.due_at == later and moved.original_due_at == due
    assert moved.next_action_at > due
    event = AuditEvent.objects.for_object(obligation).get(action="obligation.due_moved")
    assert event.reason == "Extension granted."


def test_a_missed_duty_given_a_later_due_time_is_owed_again(reviewer, provider_a):
    obligation = factories.ObligationFactory(provider=provider_a, state=ObligationState.MISSED,
                                             due_at=timezone.now() - timedelta(hours=1))

    moved = move_obligation_due(actor=reviewer, obligation=obligation,
                                due_at=timezone.now() + timedelta(days=2), reason="Granted.")

    assert moved.state == ObligationState.OPEN and moved.missed_at is None


def test_a_move_needs_a_reason_and_a_duty_still_owed(reviewer, provider_a):
    obligation = factories.ObligationFactory(provider=provider_a)
    with pytest.raises(ValidationError):
        move_obligation_due(actor=reviewer, obligation=obligation,
                            due_at=timezone.now() + timedelta(days=1), reason=" ")
    obligation.state = ObligationState.MET
    obligation.save()
    with pytest.raises(Conflict):
        move_obligation_due(actor=reviewer, obligation=obligation,
                            due_at=timezone.now() + timedelta(days=1), reason="Late.")


def test_closing_a_case_ends_its_owed_duties_and_leaves_met_ones(reviewer, provider_a):
    owed = factories.ObligationFactory(provider=provider_a)
    met = factories.ObligationFactory(provider=provider_a, state=ObligationState.MET)

    close_obligation(actor=reviewer, obligation=owed, reason="Final summary accepted.")
    close_obligation(actor=reviewer, obligation=met, reason="Final summary accepted.")

    owed.refresh_from_db()
    met.refresh_from_db()
    assert owed.state == ObligationState.WAIVED and owed.next_action_at is None
    assert met.state == ObligationState.MET
