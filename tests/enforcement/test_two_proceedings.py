"""Two suspension proceedings against one provider, and USPS's changes by hand in the
register: the provider's status is the gravest any proceeding holds it at (over what the
register last set by hand), and pages and e-mails say which holds it."""

import re
from datetime import date

import pytest
import time_machine
from django.core import mail

from compliance.services.register import update_provider
from notifications.models import OutboundEmail
from notifications.services import send_due_emails
from tests.enforcement.helpers import (
    DAY,
    T0,
    issue,
    open_suspension,
    start_of_day_new_york,
    sweep_at,
)

pytestmark = pytest.mark.django_db


def status_of(provider):
    provider.refresh_from_db()
    return provider.authorization_status


def test_a_revocation_reversed_on_appeal_gives_back_the_other_proceedings_suspension(
        suspension, officer_a, manager, provider_a, missed_duty):
    # P1: suspended from June 12, ended by a reinstatement dated July 20 (P1 closes at once).
    issue(officer_a, suspension, "correction", T0 + DAY, body="We filed it today.")
    issue(manager, suspension, "suspension_notice", T0 + 2 * DAY,
          effective_date=date(2026, 6, 12))
    issue(officer_a, suspension, "defense", T0 + 3 * DAY, body="Our facts.")
    issue(manager, suspension, "decision", T0 + 4 * DAY, outcome="suspend")
    issue(manager, suspension, "reinstatement", T0 + 5 * DAY, effective_date=date(2026, 7, 20))
    suspension.refresh_from_db()
    assert suspension.closed_at is not None and status_of(provider_a) == "suspended"

    # P2, a willful violation: noticed, defended, revoked at once, reversed on appeal.
    second = open_suspension(manager, provider_a, at_time=T0 + 8 * DAY, willful=True,
                             obligations=[missed_duty], grounds="Willful, found June 18.")
    issue(manager, second, "suspension_notice", T0 + 10 * DAY, effective_date=date(2026, 6, 20))
    issue(officer_a, second, "defense", T0 + 11 * DAY, body="Our defense.")
    issue(manager, second, "decision", T0 + 12 * DAY, outcome="revoke")
    assert status_of(provider_a) == "revoked"
    issue(officer_a, second, "appeal", T0 + 13 * DAY, body="The facts differ.")
    issue(manager, second, "appeal_decision", T0 + 14 * DAY, outcome="reverse")

    # The revocation is reversed: the provider is back to what the first proceeding holds
    # (suspended to July 19), not revoked.
    assert status_of(provider_a) == "suspended"

    # The first proceeding's suspension ends on July 20: nothing holds the provider any more.
    sweep_at(start_of_day_new_york(date(2026, 7, 20)) + DAY / 24)
    assert status_of(provider_a) == "authorized"


def test_after_the_first_suspension_ended_a_reversed_revocation_authorizes_the_provider(
        suspension, officer_a, manager, provider_a, missed_duty):
    """Same, but the reversal comes after July 20: P1's reinstatement, cancelled while P2 had
    the provider revoked, must not hold the provider for ever."""
    issue(officer_a, suspension, "correction", T0 + DAY, body="We filed it today.")
    issue(manager, suspension, "suspension_notice", T0 + 2 * DAY,
          effective_date=date(2026, 6, 12))
    issue(officer_a, suspension, "defense", T0 + 3 * DAY, body="Our facts.")
    issue(manager, suspension, "decision", T0 + 4 * DAY, outcome="suspend")
    issue(manager, suspension, "reinstatement", T0 + 5 * DAY, effective_date=date(2026, 7, 20))

    second = open_suspension(manager, provider_a, at_time=T0 + 8 * DAY, willful=True,
                             obligations=[missed_duty], grounds="Willful, found June 18.")
    issue(manager, second, "suspension_notice", T0 + 10 * DAY, effective_date=date(2026, 6, 20))
    issue(officer_a, second, "defense", T0 + 11 * DAY, body="Our defense.")
    issue(manager, second, "decision", T0 + 12 * DAY, outcome="revoke")
    issue(officer_a, second, "appeal", T0 + 13 * DAY, body="The facts differ.")
    sweep_at(start_of_day_new_york(date(2026, 7, 20)) + DAY / 24)
    assert status_of(provider_a) == "revoked"

    issue(manager, second, "appeal_decision", T0 + 45 * DAY, outcome="reverse")

    assert status_of(provider_a) == "authorized"


def banner(client, user, when):
    client.force_login(user)
    with time_machine.travel(when, tick=False):
        page = client.get("/").content.decode()
    found = re.search(r'data-testid="authorization-banner">(.*?)</div>', page, re.S)
    assert found, "no banner"
    return found.group(1)


def test_the_banner_does_not_credit_the_suspension_to_a_withdrawn_proceeding(
        client, suspension, officer_a, manager, provider_a, missed_duty):
    # P1 suspends from June 12 to July 19 (a reinstatement dated July 20), and closes.
    issue(officer_a, suspension, "correction", T0 + DAY, body="We filed it today.")
    issue(manager, suspension, "suspension_notice", T0 + 2 * DAY,
          effective_date=date(2026, 6, 12))
    issue(officer_a, suspension, "defense", T0 + 3 * DAY, body="Our facts.")
    issue(manager, suspension, "decision", T0 + 4 * DAY, outcome="suspend")
    issue(manager, suspension, "reinstatement", T0 + 5 * DAY, effective_date=date(2026, 7, 20))
    # P2 notices a suspension in force from June 20, then is withdrawn on June 25.
    second = open_suspension(manager, provider_a, at_time=T0 + 8 * DAY, willful=True,
                             obligations=[missed_duty], grounds="Willful, found June 18.")
    issue(manager, second, "suspension_notice", T0 + 10 * DAY, effective_date=date(2026, 6, 20))
    issue(manager, second, "withdrawal", T0 + 15 * DAY, body="Withdrawn.")
    provider_a.refresh_from_db()
    second.refresh_from_db()
    suspension.refresh_from_db()
    assert provider_a.authorization_status == "suspended"  # P1 still holds it
    assert second.state == "withdrawn"

    text = banner(client, officer_a, T0 + 16 * DAY)

    assert suspension.reference in text, text
    assert second.reference not in text, text


def test_the_sweeps_reinstatement_of_a_revoked_provider_does_not_say_it_is_restored(
        settings, suspension, officer_a, manager, provider_a):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    issue(officer_a, suspension, "correction", T0 + DAY, body="We filed it today.")
    issue(manager, suspension, "suspension_notice", T0 + 2 * DAY,
          effective_date=date(2026, 6, 12))
    issue(officer_a, suspension, "defense", T0 + 3 * DAY, body="Our facts.")
    issue(manager, suspension, "decision", T0 + 4 * DAY, outcome="suspend", days=10)
    with time_machine.travel(T0 + 6 * DAY, tick=False):
        update_provider(actor=manager, provider=provider_a, authorization_status="revoked",
                        reason="Approval revoked.")
    OutboundEmail.objects.all().delete()
    mail.outbox.clear()

    sweep_at(T0 + 15 * DAY)
    with time_machine.travel(T0 + 15 * DAY + DAY / 24, tick=False):
        send_due_emails()

    provider_a.refresh_from_db()
    assert provider_a.authorization_status == "revoked"
    to_officer = [m for m in mail.outbox if m.to == [officer_a.email]
                  and suspension.reference in m.subject]
    assert to_officer, [(m.to, m.subject) for m in mail.outbox]
    for message in to_officer:
        assert "authorization is restored" not in message.body, message.body
        assert "(authorized)" not in message.body, message.body
    reinstatement = [m for m in to_officer if "Reinstatement" in m.body]
    assert reinstatement and "stays revoked" in reinstatement[0].body
    assert "(authorized, which did not take effect)" in reinstatement[0].body
