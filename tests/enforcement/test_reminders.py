"""A proceeding's periods are reminded and escalated like any duty, and their e-mails lead
to the proceeding."""

import pytest
import time_machine
from django.core import mail

from compliance.models import ObligationKind
from notifications.models import OutboundEmail
from notifications.services import send_due_emails

from .helpers import DAY, period_of, sweep_at

pytestmark = pytest.mark.django_db


def of_the_proceeding(proceeding):
    """The e-mails sent about the proceeding (the cited case has its own escalations)."""
    return [m for m in mail.outbox if proceeding.reference in m.subject]


def test_the_provider_is_reminded_before_its_period_ends_and_escalated_after(
        suspension, officer_a, viewer_a, reviewer):
    period = period_of(suspension, ObligationKind.PROCEEDING_CORRECTION)
    OutboundEmail.objects.all().delete()  # the case's own e-mails are not at issue here

    sweep_at(period.due_at - 7 * DAY)  # the 168-hour reminder
    with time_machine.travel(period.due_at - 7 * DAY, tick=False):
        send_due_emails()

    reminders = of_the_proceeding(suspension)
    assert sorted(m.to[0] for m in reminders) == [officer_a.email, viewer_a.email]
    assert "Correction of deficiencies" in reminders[0].subject
    assert f"/proceedings/{suspension.pk}/" in reminders[0].body
    assert "Open the proceeding" in reminders[0].body

    mail.outbox.clear()
    sweep_at(period.due_at + DAY / 24)
    with time_machine.travel(period.due_at + DAY / 24, tick=False):
        send_due_emails()
    escalated = {m.to[0]: m for m in of_the_proceeding(suspension)}
    assert set(escalated) == {officer_a.email, reviewer.email}
    assert "say why it comes late" in escalated[officer_a.email].body
