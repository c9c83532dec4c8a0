"""Times in the hour the clocks repeat (America/New_York, 2026-11-01 01:00-02:00) say which
of the two they are, on pages and in e-mails: two instants an hour apart never read the
same."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail

from compliance.models import DeadlinePolicy, ObligationKind
from notifications.schedule import reschedule_reminders
from notifications.services import send_due_emails
from notifications.sweep import sweep
from tests import factories

pytestmark = pytest.mark.django_db

# 01:30 EDT (first) and 01:30 EST (second) on 2026-11-01 in New York.
FIRST = datetime(2026, 11, 1, 5, 30, tzinfo=UTC)
SECOND = datetime(2026, 11, 1, 6, 30, tzinfo=UTC)


def _duty(provider, due, subject):
    with time_machine.travel(due - timedelta(days=3), tick=False):
        duty = factories.ObligationFactory(
            provider=provider, kind=ObligationKind.WRITTEN_REPORT, subject=subject,
            due_at=due, original_due_at=due, incident_id=None)
        reschedule_reminders(duty, DeadlinePolicy.in_force())
        duty.save()
    return duty


def test_the_duties_list_tells_apart_two_due_times_in_the_repeated_hour(signed_in, officer_a):
    _duty(officer_a.provider, FIRST, "First one")
    _duty(officer_a.provider, SECOND, "Second one")
    client = signed_in(officer_a)  # America/New_York

    with time_machine.travel(FIRST - timedelta(days=1), tick=False):
        page = client.get("/obligations/").content.decode()

    assert "2026-11-01 01:30 EDT" in page, page
    assert "2026-11-01 01:30 EST" in page, page


def test_a_reminder_due_in_the_repeated_hour_names_which_one(officer_a):
    _duty(officer_a.provider, SECOND, "PES-2026-00001: Meter")

    with time_machine.travel(SECOND - timedelta(hours=3, minutes=59), tick=False):
        sweep()
        send_due_emails()

    (message,) = mail.outbox
    # The local line must say EST (the second 01:30), as the page's `when` filter does.
    assert "01:30 EST" in message.body, message.body


def test_an_extension_granted_into_the_repeated_hour_says_which_one(officer_a, reviewer):
    """The grant e-mail carries the new due time alone, without a UTC line: with no zone
    abbreviation an officer cannot tell 01:30 EDT from 01:30 EST (an hour apart)."""
    from compliance.services.extensions import grant_extension, request_extension
    from notifications import services as outbox
    from notifications.models import OutboundEmail
    from tests.factories import committed

    now = datetime(2026, 10, 28, 15, 0, tzinfo=UTC)
    with time_machine.travel(now, tick=False):
        duty = factories.ObligationFactory(provider=officer_a.provider,
                                           due_at=now + timedelta(days=1), incident_id=77)
        with committed():
            extension = request_extension(actor=officer_a, obligation=duty,
                                          requested_due_at=SECOND, justification="Lab delay.")
        with committed():
            grant_extension(actor=reviewer, extension=extension)
        OutboundEmail.objects.exclude(template="extension_granted").delete()
        outbox.send_due_emails()

    (message,) = [m for m in mail.outbox if m.to == [officer_a.email]]
    assert "Now due:        2026-11-01 01:30 EST" in message.body, message.body
