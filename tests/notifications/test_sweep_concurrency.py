"""Sweeps running at once split what has come due: each duty is marked missed once, each
e-mail is written once, and the audit chain stays one chain."""

import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection, connections

from compliance.models import AuditEvent, DeadlinePolicy, Obligation, ObligationState
from compliance.services.chain import verify_chain
from notifications.models import OutboundEmail
from notifications.schedule import reschedule_reminders
from notifications.sweep import sweep
from tests import factories
from tests.conftest import require_service

from .conftest import DUE

SWEEPS = 4
DUTIES = 30
BATCH = 4


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_sweeps_running_at_once_mark_each_duty_missed_and_write_each_email_once(
        provider_a, officer_a, reviewer):
    if connection.vendor != "postgresql":
        require_service("concurrent sweeps need DATABASE_URL to name PostgreSQL")
    policy = DeadlinePolicy.in_force()
    for n in range(DUTIES):
        duty = factories.ObligationFactory(provider=provider_a, due_at=DUE, original_due_at=DUE,
                                           subject=f"Case {n}")
        reschedule_reminders(duty, policy)
        duty.save()
    now = DUE + timedelta(minutes=1)
    barrier = threading.Barrier(SWEEPS)
    results, errors = [], []

    def run():
        try:
            barrier.wait(timeout=10)
            while (result := sweep(now, batch=BATCH)).missed or result.obligations_stepped:
                results.append(result)
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(SWEEPS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sum(r.missed for r in results) == DUTIES
    assert set(Obligation.objects.values_list("state", flat=True)) == {ObligationState.MISSED}
    missed = Counter(AuditEvent.objects.filter(action="obligation.missed")
                     .values_list("object_id", flat=True))
    assert len(missed) == DUTIES and set(missed.values()) == {1}
    # The escalation at the due time, once, to the provider's officer and the reviewer.
    emails = Counter(OutboundEmail.objects.values_list("obligation_id", "to_address"))
    assert len(emails) == DUTIES * 2 and set(emails.values()) == {1}
    assert sum(r.emails_queued for r in results) == DUTIES * 2
    assert verify_chain().ok
