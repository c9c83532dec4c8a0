"""Two suspension proceedings against one provider, and USPS's changes by hand in the
register: the provider's status is the gravest any proceeding holds it at (over what the
register last set by hand), settled once when steps take effect together, and pages, the
history and e-mails say which holds it."""

import re
from datetime import date

import pytest
import time_machine
from django.core import mail

from compliance.models import ProviderStatusChange
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
from tests.enforcement.test_suspension import status_of

pytestmark = pytest.mark.django_db


def swept_and_sent(moment):
    """The e-mails so far forgotten; the sweep at `moment`; the outbox sent just after."""
    OutboundEmail.objects.all().delete()
    mail.outbox.clear()
    sweep_at(moment)
    with time_machine.travel(moment + DAY / 24, tick=False):
        send_due_emails()


def history_since(provider, before):
    """(from, to) of the provider's status changes after the first `before`."""
    return list(ProviderStatusChange.objects.filter(provider=provider)
                .order_by("changed_at", "id").values_list("from_status", "to_status"))[before:]


def first_suspended_to(suspension, officer_a, manager, day):
    """P1: suspended from June 12, ended early by a reinstatement dated `day` (P1 closes)."""
    issue(officer_a, suspension, "correction", T0 + DAY, body="We filed it today.")
    issue(manager, suspension, "suspension_notice", T0 + 2 * DAY,
          effective_date=date(2026, 6, 12))
    issue(officer_a, suspension, "defense", T0 + 3 * DAY, body="Our facts.")
    issue(manager, suspension, "decision", T0 + 4 * DAY, outcome="suspend")
    issue(manager, suspension, "reinstatement", T0 + 5 * DAY, effective_date=day)
    suspension.refresh_from_db()
    assert suspension.closed_at is not None


def second_revoked(manager, officer_a, provider_a, missed_duty):
    """P2, a willful violation: noticed from June 20, defended, revoked at once."""
    second = open_suspension(manager, provider_a, at_time=T0 + 8 * DAY, willful=True,
                             obligations=[missed_duty], grounds="Willful, found June 18.")
    issue(manager, second, "suspension_notice", T0 + 10 * DAY, effective_date=date(2026, 6, 20))
    issue(officer_a, second, "defense", T0 + 11 * DAY, body="Our defense.")
    issue(manager, second, "decision", T0 + 12 * DAY, outcome="revoke")
    return second


def test_a_revocation_reversed_on_appeal_gives_back_the_other_proceedings_suspension(
        suspension, officer_a, manager, provider_a, missed_duty):
    first_suspended_to(suspension, officer_a, manager, date(2026, 7, 20))
    assert status_of(provider_a) == "suspended"
    second = second_revoked(manager, officer_a, provider_a, missed_duty)
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
    """Same, but the reversal comes after July 20: P1's reinstatement, in effect while P2
    had the provider revoked, ended P1's hold; nothing holds the provider any more."""
    first_suspended_to(suspension, officer_a, manager, date(2026, 7, 20))
    second = second_revoked(manager, officer_a, provider_a, missed_duty)
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
        suspension, officer_a, manager, provider_a):
    issue(officer_a, suspension, "correction", T0 + DAY, body="We filed it today.")
    issue(manager, suspension, "suspension_notice", T0 + 2 * DAY,
          effective_date=date(2026, 6, 12))
    issue(officer_a, suspension, "defense", T0 + 3 * DAY, body="Our facts.")
    issue(manager, suspension, "decision", T0 + 4 * DAY, outcome="suspend", days=10)
    with time_machine.travel(T0 + 6 * DAY, tick=False):
        update_provider(actor=manager, provider=provider_a, authorization_status="revoked",
                        reason="Approval revoked.")
    swept_and_sent(T0 + 15 * DAY)

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


def test_a_reinstatement_and_another_proceedings_notice_due_at_the_same_instant_do_not_flap(
        suspension, officer_a, manager, provider_a, missed_duty):
    """P1's reinstatement and P2's notice both take effect at 00:00 on July 20: the provider
    is suspended without a break, and nothing says it was authorized."""
    first_suspended_to(suspension, officer_a, manager, date(2026, 7, 20))
    second = open_suspension(manager, provider_a, at_time=T0 + 8 * DAY, willful=True,
                             obligations=[missed_duty], grounds="Willful, found June 18.")
    issue(manager, second, "suspension_notice", T0 + 10 * DAY,
          effective_date=date(2026, 7, 20))
    assert status_of(provider_a) == "suspended"
    before = ProviderStatusChange.objects.filter(provider=provider_a).count()
    swept_and_sent(start_of_day_new_york(date(2026, 7, 20)) + DAY / 24)

    assert status_of(provider_a) == "suspended"
    history = history_since(provider_a, before)
    authorized = [m.body.splitlines()[0] for m in mail.outbox
                  if m.to == [officer_a.email] and "is authorized" in m.body]
    assert (history, authorized) == ([], []), (history, authorized)


def test_the_sweeps_reinstatement_names_no_hold_that_ends_in_the_same_pass(
        suspension, officer_a, manager, provider_a, missed_duty):
    """P1 suspended to July 19 (reinstatement dated July 20, P1 closed); P2 suspended from
    June 20 for 30 days: also to July 19. The sweep after midnight ends both: P2's
    reinstatement says the authorization is restored, as it is."""
    first_suspended_to(suspension, officer_a, manager, date(2026, 7, 20))
    second = second_suspended(manager, officer_a, provider_a, missed_duty, days=30)
    second.refresh_from_db()
    assert second.suspension_ends_at < start_of_day_new_york(date(2026, 7, 20))

    sweep_at(start_of_day_new_york(date(2026, 7, 20)) + DAY / 24)

    assert status_of(provider_a) == "authorized"
    reinstatement = second.steps.get(kind="reinstatement")
    assert "stays suspended" not in reinstatement.body, reinstatement.body
    assert "authorization is restored" in reinstatement.body, reinstatement.body


def second_suspended(manager, officer, provider, missed_duty, days):
    """A second, willful proceeding: suspended from June 20 for `days` days, decided."""
    second = open_suspension(manager, provider, at_time=T0 + 8 * DAY, willful=True,
                             obligations=[missed_duty], grounds="Willful, found June 18.")
    issue(manager, second, "suspension_notice", T0 + 10 * DAY, effective_date=date(2026, 6, 20))
    issue(officer, second, "defense", T0 + 11 * DAY, body="Our defense.")
    issue(manager, second, "decision", T0 + 12 * DAY, outcome="suspend", days=days)
    return second


def sent_to(officer, reference):
    return [m for m in mail.outbox if m.to == [officer.email] and reference in m.subject]


def test_the_sweeps_reinstatement_held_by_another_proceeding_does_not_say_authorized(
        suspension, officer_a, manager, provider_a, missed_duty):
    """P1 holds the provider suspended to August 19; P2's ten-day suspension ends June 29:
    its reinstatement, and its e-mail, say the provider stays suspended, not authorized."""
    first_suspended_to(suspension, officer_a, manager, date(2026, 8, 20))
    second = second_suspended(manager, officer_a, provider_a, missed_duty, days=10)
    swept_and_sent(start_of_day_new_york(date(2026, 6, 30)) + DAY / 24)

    assert status_of(provider_a) == "suspended"
    [message] = [m for m in sent_to(officer_a, second.reference) if "Reinstatement" in m.body]
    assert "stays suspended" in message.body
    assert "(authorized)" not in message.body, message.body


def test_a_withdrawal_while_another_proceeding_holds_the_provider_does_not_say_authorized(
        suspension, officer_a, manager, provider_a, missed_duty):
    """P2's suspension in force is withdrawn while P1 still holds the provider suspended:
    the provider stays suspended, and the withdrawal's e-mail says so."""
    first_suspended_to(suspension, officer_a, manager, date(2026, 7, 20))
    second = open_suspension(manager, provider_a, at_time=T0 + 8 * DAY, willful=True,
                             obligations=[missed_duty], grounds="Willful, found June 18.")
    issue(manager, second, "suspension_notice", T0 + 10 * DAY, effective_date=date(2026, 6, 20))
    OutboundEmail.objects.all().delete()
    mail.outbox.clear()

    issue(manager, second, "withdrawal", T0 + 15 * DAY, body="Withdrawn.")
    with time_machine.travel(T0 + 15 * DAY + DAY / 24, tick=False):
        send_due_emails()

    assert status_of(provider_a) == "suspended"
    to_officer = [m.body for m in mail.outbox if m.to == [officer_a.email]]
    assert to_officer
    assert not any("(authorized)" in body and "suspended" not in body
                   for body in to_officer), to_officer

def by_hand(manager, provider, status, when, reason):
    with time_machine.travel(when, tick=False):
        update_provider(actor=manager, provider=provider, authorization_status=status,
                        reason=reason)


def test_revoked_then_authorized_by_hand_then_another_proceeding(
        suspension, officer_a, manager, provider_a, missed_duty):
    issue(officer_a, suspension, "correction", T0 + DAY)
    issue(manager, suspension, "suspension_notice", T0 + 2 * DAY,
          effective_date=date(2026, 6, 12))
    issue(officer_a, suspension, "defense", T0 + 3 * DAY)
    issue(manager, suspension, "decision", T0 + 4 * DAY, outcome="revoke")
    issue(officer_a, suspension, "appeal", T0 + 5 * DAY)
    issue(manager, suspension, "appeal_decision", T0 + 6 * DAY, outcome="affirm")
    assert status_of(provider_a) == "revoked"
    by_hand(manager, provider_a, "authorized", T0 + 7 * DAY, "Approval granted again.")
    second = open_suspension(manager, provider_a, at_time=T0 + 8 * DAY, willful=True,
                             obligations=[missed_duty])
    issue(manager, second, "suspension_notice", T0 + 9 * DAY, effective_date=date(2026, 6, 19))
    assert status_of(provider_a) == "suspended"
    issue(officer_a, second, "defense", T0 + 10 * DAY)
    issue(manager, second, "decision", T0 + 10 * DAY, outcome="revoke")
    assert status_of(provider_a) == "revoked"
    issue(officer_a, second, "appeal", T0 + 11 * DAY)
    issue(manager, second, "appeal_decision", T0 + 12 * DAY, outcome="reverse")
    assert status_of(provider_a) == "authorized"


def test_authorized_by_hand_while_a_suspension_runs_then_its_end(
        suspension, officer_a, manager, provider_a):
    issue(officer_a, suspension, "correction", T0 + DAY)
    issue(manager, suspension, "suspension_notice", T0 + 2 * DAY,
          effective_date=date(2026, 6, 12))
    issue(officer_a, suspension, "defense", T0 + 3 * DAY)
    issue(manager, suspension, "decision", T0 + 4 * DAY, outcome="suspend", days=10)
    by_hand(manager, provider_a, "authorized", T0 + 6 * DAY, "Lifted early.")
    n = ProviderStatusChange.objects.filter(provider=provider_a).count()
    sweep_at(T0 + 15 * DAY)
    assert status_of(provider_a) == "authorized"
    assert ProviderStatusChange.objects.filter(provider=provider_a).count() == n
    body = suspension.steps.get(kind="reinstatement").body
    assert "restored" in body


def test_withdrawal_of_a_suspension_in_force_alone(suspension, officer_a, manager, provider_a):
    issue(officer_a, suspension, "correction", T0 + DAY)
    issue(manager, suspension, "suspension_notice", T0 + 2 * DAY,
          effective_date=date(2026, 6, 12))
    issue(manager, suspension, "withdrawal", T0 + 3 * DAY)
    assert status_of(provider_a) == "authorized"
    [_, last] = ProviderStatusChange.objects.filter(provider=provider_a).order_by("changed_at")
    assert (last.from_status, last.to_status) == ("suspended", "authorized")
    assert "still holds" not in last.reason


def test_the_status_e_mail_subject_names_the_status_the_provider_has(
        suspension, officer_a, manager, provider_a, missed_duty):
    first_suspended_to(suspension, officer_a, manager, date(2026, 7, 20))
    second = second_revoked(manager, officer_a, provider_a, missed_duty)
    issue(officer_a, second, "appeal", T0 + 13 * DAY, body="The facts differ.")
    with time_machine.travel(T0 + 13 * DAY + DAY / 2, tick=False):
        send_due_emails()
    mail.outbox.clear()
    issue(manager, second, "appeal_decision", T0 + 14 * DAY, outcome="reverse")
    assert status_of(provider_a) == "suspended"

    with time_machine.travel(T0 + 14 * DAY + DAY / 24, tick=False):
        send_due_emails()

    status_mails = [m for m in mail.outbox if m.to == [officer_a.email]
                    and "still holds the provider suspended" in m.body]
    assert status_mails, [(m.to, m.subject) for m in mail.outbox]
    subject = status_mails[0].subject
    assert "suspended" in subject.lower() and "authorized" not in subject.lower(), subject


def decided(manager, officer, proceeding, notice_at, effective, days, defense_at, decision_at,
            correction_at=None):
    """A suspension noticed effective `effective`, defended and decided (`days`, or the
    policy's)."""
    if correction_at is not None:
        issue(officer, proceeding, "correction", correction_at, body="We filed it today.")
    issue(manager, proceeding, "suspension_notice", notice_at, effective_date=effective)
    issue(officer, proceeding, "defense", defense_at, body="Our facts.")
    issue(manager, proceeding, "decision", decision_at, outcome="suspend",
          **({"days": days} if days else {}))


def test_a_late_sweep_does_not_pass_the_provider_through_suspended_at_one_instant(
        suspension, officer_a, manager, provider_a):
    """Notice effective June 15, decided June 14 for one day: the suspension's last day is
    June 15. A sweep that runs only on June 16 (an outage) takes the notice and the
    suspension's end together: the notice never takes effect, and nothing says the
    provider was suspended at the instant it is authorized again."""
    decided(manager, officer_a, suspension, T0 + 2 * DAY, date(2026, 6, 15), 1,
            T0 + 3 * DAY, T0 + 4 * DAY, correction_at=T0 + DAY)
    assert status_of(provider_a) == "authorized"
    before = ProviderStatusChange.objects.filter(provider=provider_a).count()
    swept_and_sent(start_of_day_new_york(date(2026, 6, 16)) + DAY / 24)

    assert status_of(provider_a) == "authorized"
    history = history_since(provider_a, before)
    suspended = [m.subject for m in mail.outbox if m.to == [officer_a.email]
                 and "authorization suspended" in m.subject]
    assert (history, suspended) == ([], []), (history, suspended)


def test_a_notice_e_mail_sent_after_its_own_withdrawal_names_no_other_hold(
        suspension, officer_a, manager, provider_a):
    """A notice of suspension effective today suspends the provider at once; an hour later
    USPS withdraws it (the provider is authorized again). The notice's e-mail, sent after,
    names no other hold: its own withdrawal ended it."""
    issue(officer_a, suspension, "correction", T0 + DAY, body="We filed it today.")
    with time_machine.travel(T0 + DAY + DAY / 24, tick=False):
        send_due_emails()
    mail.outbox.clear()
    issue(manager, suspension, "suspension_notice", T0 + 2 * DAY,
          effective_date=date(2026, 6, 12))
    assert status_of(provider_a) == "suspended"
    issue(manager, suspension, "withdrawal", T0 + 2 * DAY + DAY / 24, body="Withdrawn.")
    assert status_of(provider_a) == "authorized"

    with time_machine.travel(T0 + 2 * DAY + DAY / 12, tick=False):
        send_due_emails()

    [notice] = [m.body for m in mail.outbox if m.to == [officer_a.email]
                and "notice of suspension" in m.subject]
    line = next(x for x in notice.splitlines() if x.startswith("Takes effect"))
    assert "another proceeding" not in line, line


def test_two_notices_due_in_one_pass_the_status_e_mail_gives_the_date_it_began(
        suspension, officer_a, manager, provider_a, missed_duty):
    """P1's notice takes effect June 20 (P1 decided and closed by a reinstatement dated
    June 25), P2's notice June 22. The sweep runs again only on June 23 and settles both at
    once: the status e-mail says the provider is suspended as of June 20, by P1, as the
    banner does."""
    decided(manager, officer_a, suspension, T0 + 2 * DAY, date(2026, 6, 20), None,
            T0 + 3 * DAY, T0 + 4 * DAY, correction_at=T0 + DAY)
    issue(manager, suspension, "reinstatement", T0 + 5 * DAY, effective_date=date(2026, 6, 25))
    suspension.refresh_from_db()
    assert suspension.closed_at is not None
    second = open_suspension(manager, provider_a, at_time=T0 + 8 * DAY, willful=True,
                             obligations=[missed_duty], grounds="Willful, found June 18.")
    issue(manager, second, "suspension_notice", T0 + 9 * DAY, effective_date=date(2026, 6, 22))
    assert status_of(provider_a) == "authorized"
    swept_and_sent(start_of_day_new_york(date(2026, 6, 23)) + DAY / 24)

    assert status_of(provider_a) == "suspended"
    [body] = [m.body for m in mail.outbox if m.to == [officer_a.email]
              and "authorization suspended" in m.subject]
    first = body.splitlines()[0]
    assert "as of 2026-06-20" in first and suspension.reference in first, first
