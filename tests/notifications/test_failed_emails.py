"""Undelivered e-mails: a USPS manager sends them again or marks them handled; nobody else
can, and a refused or stale request changes nothing."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from compliance.models import AuditEvent, User
from notifications import services
from notifications.models import EmailState, OutboundEmail
from tests import factories
from tests.incidents.factories import make_filed

pytestmark = pytest.mark.django_db


@pytest.fixture
def undelivered(officer_a, reviewer):
    """An incident's filing e-mail that failed for good, and another one."""
    make_filed(officer_a)
    emails = list(OutboundEmail.objects.order_by("pk")[:2])
    OutboundEmail.objects.filter(pk__in=[e.pk for e in emails]).update(
        state=EmailState.FAILED, attempts=services.MAX_ATTEMPTS,
        last_error="SMTPRecipientsRefused: 550", next_attempt_at=timezone.now())
    return emails


def states():
    return dict(OutboundEmail.objects.values_list("pk", "state"))


def test_a_manager_sends_the_ticked_e_mails_again_and_the_worker_delivers_them(
        signed_in, manager, undelivered):
    client = signed_in(manager)
    first, second = undelivered
    assert "2 e-mails could not be delivered" in client.get("/").content.decode()

    response = client.post("/notifications/failed/", {"action": "resend",
                                                      "email": [first.pk]}, follow=True)

    assert "1 e-mail will be sent again" in response.content.decode()
    first.refresh_from_db()
    assert (first.state, first.attempts) == (EmailState.PENDING, 0)
    assert OutboundEmail.objects.get(pk=second.pk).state == EmailState.FAILED
    assert "1 e-mail could not be delivered" in client.get("/").content.decode()
    event = AuditEvent.objects.get(action="email.resent")
    assert (event.actor, event.object_id, event.usps_only) == (manager, str(first.pk), True)
    mail.outbox.clear()
    services.send_due_emails()
    first.refresh_from_db()
    assert first.state == EmailState.SENT
    assert [m.to for m in mail.outbox] == [[first.recipient.email]]


def test_a_manager_marks_e_mails_handled_and_the_warning_goes(signed_in, manager, undelivered):
    client = signed_in(manager)

    response = client.post("/notifications/failed/", {
        "action": "handled", "email": [e.pk for e in undelivered]}, follow=True)

    assert "2 e-mails marked handled" in response.content.decode()
    assert "could not be delivered" not in client.get("/").content.decode()
    for email in OutboundEmail.objects.filter(pk__in=[e.pk for e in undelivered]):
        assert email.state == EmailState.SKIPPED
        assert email.last_error == (f"Not sent: marked handled by {manager}. Last error: "
                                    "SMTPRecipientsRefused: 550")
    assert AuditEvent.objects.filter(action="email.marked_handled").count() == 2
    services.send_due_emails()
    assert OutboundEmail.objects.filter(state=EmailState.SENT,
                                        pk__in=[e.pk for e in undelivered]).count() == 0


@pytest.mark.parametrize("who", ["reviewer", "officer_a", "viewer_a"])
def test_nobody_but_a_manager_acts_on_them_and_nothing_changes(who, request, signed_in,
                                                              undelivered):
    before = states()
    client = signed_in(request.getfixturevalue(who))

    for action in ("resend", "handled"):
        response = client.post("/notifications/failed/", {
            "action": action, "email": [e.pk for e in undelivered]})
        assert response.status_code == 403

    assert states() == before
    assert not AuditEvent.objects.filter(action__startswith="email.").exists()


def test_the_events_are_usps_only(manager, undelivered, officer_a):
    from notifications.failures import resend_failed

    resend_failed(manager, [undelivered[0].pk])

    assert AuditEvent.objects.filter(action="email.resent").count() == 1
    assert not AuditEvent.objects.visible_to(officer_a).filter(
        action__startswith="email.").exists()


def test_e_mails_another_manager_acted_on_are_left_as_they_are(signed_in, manager,
                                                                undelivered):
    first, second = undelivered
    OutboundEmail.objects.filter(pk=first.pk).update(state=EmailState.SENT)  # sent again
    OutboundEmail.objects.filter(pk=second.pk).update(state=EmailState.SKIPPED)  # handled
    before = states()

    response = signed_in(manager).post("/notifications/failed/", {
        "action": "handled", "email": [first.pk, second.pk]}, follow=True)

    assert "None of the ticked e-mails is still undelivered" in response.content.decode()
    assert states() == before
    assert not AuditEvent.objects.filter(action__startswith="email.").exists()


@pytest.mark.parametrize("form, said", [
    ({"action": "resend"}, "Tick the e-mails to act on."),
    ({"action": "forward", "email": ["1"]}, "Choose to send them again or to mark them"),
])
def test_an_incomplete_form_is_told_and_changes_nothing(signed_in, manager, undelivered,
                                                        form, said):
    before = states()

    response = signed_in(manager).post("/notifications/failed/", form, follow=True)

    assert said in response.content.decode()
    assert states() == before


def test_a_reset_link_that_expired_is_not_sent_again_and_the_manager_is_told(
        client, signed_in, officer_a, manager, settings):
    """The mail server refused the reset e-mail on every try; hours later a manager sends it
    again: its link died after PASSWORD_RESET_TIMEOUT, so it is not put back (a dead link
    said to work), and the page says why; it stays undelivered until marked handled."""
    client.post("/accounts/password/reset/", {"email": officer_a.email})
    reset = OutboundEmail.objects.get(template="password_reset_key", recipient=officer_a)
    OutboundEmail.objects.filter(pk=reset.pk).update(state=EmailState.FAILED,
                                                     attempts=services.MAX_ATTEMPTS)

    later = timezone.now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 3600)
    with time_machine.travel(later, tick=False):
        page = signed_in(manager).post("/notifications/failed/", {
            "action": "resend", "email": [reset.pk]}, follow=True)
        mail.outbox.clear()
        services.send_due_emails()

    html = page.content.decode()
    assert (f"Not sent again: the e-mail to {officer_a.email}" in html
            and "the reset link has expired" in html)
    assert "will be sent again" not in html
    reset.refresh_from_db()
    assert reset.state == EmailState.FAILED
    assert mail.outbox == []
    assert not AuditEvent.objects.filter(action="email.resent").exists()


def test_a_reset_link_sent_again_while_it_works_is_sent(client, officer_a, manager):
    from notifications.failures import resend_failed

    client.post("/accounts/password/reset/", {"email": officer_a.email})
    reset = OutboundEmail.objects.get(template="password_reset_key", recipient=officer_a)
    OutboundEmail.objects.filter(pk=reset.pk).update(state=EmailState.FAILED,
                                                     attempts=services.MAX_ATTEMPTS)
    resend_failed(manager, [reset.pk])
    mail.outbox.clear()
    services.send_due_emails()

    reset.refresh_from_db()
    assert reset.state == EmailState.SENT
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


@pytest.mark.parametrize("action", ["resend_failed", "mark_handled"])
@pytest.mark.parametrize("since", ["closed", "made_reviewer"])
def test_a_request_read_before_the_manager_left_acts_on_nothing(manager, undelivered, action,
                                                                since):
    from accounts.services.people import deactivate_user
    from notifications import failures

    before = states()
    stale = User.objects.get(pk=manager.pk)
    if since == "closed":
        colleague = factories.ManagerFactory(username="colleague_manager")
        deactivate_user(actor=colleague, user=manager, reason="Left USPS.")
    else:
        User.objects.filter(pk=manager.pk).update(role="usps_reviewer")

    with pytest.raises(PermissionDenied):
        getattr(failures, action)(stale, [e.pk for e in undelivered])
    assert states() == before
    assert not AuditEvent.objects.filter(action__startswith="email.").exists()


@pytest.mark.parametrize("value", ["²", "¹", "-3", "x"])
def test_a_ticked_value_that_is_no_id_is_ignored(signed_in, manager, undelivered, value):
    before = states()

    response = signed_in(manager).post("/notifications/failed/",
                                       {"action": "handled", "email": [value]}, follow=True)

    assert response.status_code == 200
    assert "Tick the e-mails to act on." in response.content.decode()
    assert states() == before


def test_a_resend_from_page_two_comes_back_to_page_two(client, signed_in, officer_a, manager,
                                                       settings):
    client.post("/accounts/password/reset/", {"email": officer_a.email})
    reset = OutboundEmail.objects.get(template="password_reset_key", recipient=officer_a)
    now = timezone.now()
    # It failed long ago (the list shows the latest first: it is on page 2), 50 others since.
    OutboundEmail.objects.filter(pk=reset.pk).update(
        state=EmailState.FAILED, attempts=services.MAX_ATTEMPTS,
        next_attempt_at=now - timedelta(days=1))
    OutboundEmail.objects.bulk_create([OutboundEmail(
        key=f"other:{n}", template="security_notice", recipient=manager,
        to_address=manager.email or "m@example.com", context={}, state=EmailState.FAILED,
        attempts=services.MAX_ATTEMPTS, next_attempt_at=now - timedelta(minutes=n))
        for n in range(50)])
    client = signed_in(manager)
    assert reset.pk in [e.pk for e in client.get("/notifications/failed/",
                                                  {"page": 2}).context["page"]]

    later = now + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 3600)
    with time_machine.travel(later, tick=False):
        answer = client.post("/notifications/failed/?page=2",
                             {"action": "resend", "email": [reset.pk]}, follow=True)

    html = answer.content.decode()
    assert "the reset link has expired" in html and "Mark it handled" in html
    # The e-mail the page tells them to mark handled is on the page they land on.
    assert reset.pk in [e.pk for e in answer.context["page"]], answer.redirect_chain


def test_a_reminder_of_a_drafts_duty_does_not_show_the_draft_to_usps(
        signed_in, officer_a, manager, settings):
    """A draft is the provider's alone: its 24-hour reminder, undelivered, is listed for
    USPS's managers without its subject, which names the draft's title. Once the case is
    filed, the reminder's subject is shown as any other."""
    from compliance.models import Obligation, ObligationKind
    from incidents.services import submit_incident
    from notifications.sweep import sweep
    from tests.incidents.factories import make_draft

    title = "Insider resetting meters at depot 7"
    draft = make_draft(officer_a, title=title, discovered_at=timezone.now() - timedelta(hours=2))
    duty = Obligation.objects.get(incident_id=draft.pk, kind=ObligationKind.NOTIFICATION)
    settings.EMAIL_BACKEND = "tests.notifications.backends.RefusingBackend"
    with time_machine.travel(duty.due_at - timedelta(hours=4), tick=False):
        sweep()
        services.send_due_emails()
    reminders = OutboundEmail.objects.filter(obligation=duty)
    reminders.update(state=EmailState.FAILED, attempts=services.MAX_ATTEMPTS)
    assert title in reminders.get().subject
    client = signed_in(manager)

    page = client.get("/notifications/failed/").content.decode()

    assert title not in page
    assert "A reminder to the provider of a duty on a case not yet filed" in page

    submit_incident(actor=officer_a, incident=draft)
    assert title in client.get("/notifications/failed/").content.decode()
