"""A proceeding's periods are reminded and escalated like any duty, and their e-mails lead
to the proceeding."""

from datetime import date, timedelta

import pytest
import time_machine
from django.core import mail

from compliance.models import DeadlinePolicy, ObligationKind
from notifications.models import OutboundEmail
from notifications.services import send_due_emails

from .helpers import DAY, T0, at, issue, period_of, sweep_at

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


def test_the_reminder_to_decide_in_a_proceeding_goes_to_the_managers(
        settings, suspension, officer_a, manager, reviewer, provider_a):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    issue(officer_a, suspension, "correction", T0 + DAY, body="We filed it today.")
    target = period_of(suspension, ObligationKind.USPS_PROCEEDING_DECISION)
    offsets = DeadlinePolicy.in_force().offsets_for(target.kind)
    assert offsets, "targets have reminders before them"
    step_at = target.due_at - timedelta(hours=min(float(h) for h in offsets))
    OutboundEmail.objects.all().delete()

    sweep_at(step_at + timedelta(minutes=1))
    with at(step_at + timedelta(minutes=2)):
        send_due_emails()

    reminded = {m.to[0] for m in mail.outbox if "Proceeding decision" in m.subject}
    # Only USPS managers decide in a proceeding: the reminder goes to them.
    assert reminded == {manager.email}, reminded


def test_the_suspension_email_subject_names_the_suspension_even_once_withdrawn(
        settings, suspension, officer_a, manager, provider_a):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    issue(officer_a, suspension, "correction", T0 + DAY, body="We filed it today.")
    # Effective today: the provider is suspended at once (an e-mail is queued) ...
    issue(manager, suspension, "suspension_notice", T0 + 2 * DAY,
          effective_date=date(2026, 6, 12))
    provider_a.refresh_from_db()
    assert provider_a.authorization_status == "suspended"
    # ... and withdrawn before the outbox has sent it (a backlog, a retry).
    issue(manager, suspension, "withdrawal", T0 + 2 * DAY + DAY / 24, body="Corrected.")

    with time_machine.travel(T0 + 2 * DAY + DAY / 12, tick=False):
        send_due_emails()

    about_suspension = [m for m in mail.outbox if "is suspended as of" in m.body
                        and m.to == [officer_a.email]]
    assert about_suspension, [(m.subject, m.body[:80]) for m in mail.outbox]
    for message in about_suspension:
        # Body: "The authorization of Alpha Postage is suspended as of ..."
        assert "suspended" in message.subject, message.subject
