"""The outbox: every e-mail of a change in one write and no broker call; each attempt
rendered from things as they are then, under the same Message-ID."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from celery.app.task import Task
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from compliance.models import ObligationState
from incidents import services as incidents
from incidents.services.comments import add_comment
from notifications import services
from notifications.models import EmailState, OutboundEmail
from notifications.sweep import sweep
from tests import factories
from tests.incidents.factories import make_draft, make_filed

from .backends import FlakyBackend, MeetingBackend, MovingBackend
from .conftest import DUE

pytestmark = pytest.mark.django_db


@pytest.fixture
def flaky(settings):
    settings.EMAIL_BACKEND = "tests.notifications.backends.FlakyBackend"
    FlakyBackend.attempts = []
    FlakyBackend.refusals = 1
    return FlakyBackend


def queued_at(when):
    with time_machine.travel(when, tick=False):
        sweep()
    return OutboundEmail.objects.get()


def send_at(when):
    with time_machine.travel(when, tick=False):
        return services.send_due_emails()


def test_it_writes_every_email_of_a_change_in_one_statement(officer_a, viewer_a, reviewer,
                                                             django_assert_num_queries):
    incident = make_draft(officer_a)
    with django_assert_num_queries(1):
        ids = services.queue_emails([
            services.Email([officer_a, viewer_a], "incident_receipt", {"incident": incident},
                           key="change:1"),
            services.Email([reviewer], "incident_filed", {"incident": incident}, key="change:2"),
        ])

    assert len(ids) == 3
    assert services.queue_email(recipients=[reviewer], template="incident_filed",
                                context={"incident": incident}, key="change:2") == []


def test_a_filing_writes_its_emails_in_one_statement_and_calls_no_broker(
        officer_a, reviewer, monkeypatch):
    factories.ReviewerFactory(username="second")
    published = []
    monkeypatch.setattr(Task, "apply_async", lambda *args, **kw: published.append(args))
    draft = make_draft(officer_a)

    with CaptureQueriesContext(connection) as queries:
        incidents.submit_incident(actor=officer_a, incident=draft)

    writes = [q["sql"] for q in queries if q["sql"].startswith(
        f"INSERT INTO {connection.ops.quote_name(OutboundEmail._meta.db_table)}")]
    assert len(writes) == 1
    assert OutboundEmail.objects.count() == 3
    assert published == []


def test_the_outbox_keeps_references_and_no_text(officer_a, reviewer):
    incident = make_draft(officer_a, title="Secret-looking title")
    services.queue_email(recipients=[reviewer], template="incident_filed",
                         context={"incident": incident, "case_path": "/incidents/1/"})

    email = OutboundEmail.objects.get()
    assert email.context == {"incident": {"$ref": "incidents.incident", "pk": incident.pk},
                             "case_path": "/incidents/1/"}
    assert email.subject == ""
    with pytest.raises(TypeError):
        services.queue_email(recipients=[reviewer], template="incident_filed",
                             context={"incident": factories.ProviderFactory.build()})


def test_a_retry_tells_the_time_left_at_the_retry_under_the_same_message_id(
        obligation, officer_a, flaky):
    email = queued_at(DUE - timedelta(hours=4))
    send_at(DUE - timedelta(hours=4))
    email.refresh_from_db()
    assert (email.state, email.attempts) == (EmailState.PENDING, 1)

    send_at(DUE - timedelta(hours=4) + services.backoff(1))

    first, second = flaky.attempts
    assert "due in 4 hours, 0 minutes" in first.body
    assert "due in 3 hours, 59 minutes" in second.body
    assert first.extra_headers["Message-ID"] == second.extra_headers["Message-ID"]
    assert second.extra_headers["Message-ID"] == email.message_id
    email.refresh_from_db()
    assert (email.state, email.attempts) == (EmailState.SENT, 2)
    assert email.subject == "Due in 3 hours, 59 minutes: 24-hour notification for " \
                            "PES-2026-00001 Meter"


@pytest.mark.parametrize("state", [ObligationState.MET, ObligationState.WAIVED])
def test_it_does_not_send_a_reminder_whose_obligation_was_met_or_waived_meanwhile(
        obligation, officer_a, flaky, state):
    email = queued_at(DUE - timedelta(hours=4))
    send_at(DUE - timedelta(hours=4))
    obligation.state = state
    obligation.save()

    send_at(DUE - timedelta(hours=3))

    assert len(flaky.attempts) == 1  # the refused first try only
    email.refresh_from_db()
    assert email.state == EmailState.SKIPPED
    assert email.last_error == "Not sent: the obligation is no longer owed."
    assert services.due_email_ids(DUE) == []


def test_it_does_not_send_a_reminder_for_a_due_time_that_has_moved(obligation, officer_a):
    email = queued_at(DUE - timedelta(hours=4))
    obligation.due_at = DUE + timedelta(days=7)
    obligation.save()

    send_at(DUE - timedelta(hours=4))

    assert mail.outbox == []
    email.refresh_from_db()
    assert email.state == EmailState.SKIPPED


def test_it_does_not_send_to_someone_deactivated_meanwhile(obligation, officer_a):
    email = queued_at(DUE - timedelta(hours=4))
    officer_a.is_active = False
    officer_a.save()

    send_at(DUE - timedelta(hours=4))

    assert mail.outbox == []
    email.refresh_from_db()
    assert email.state == EmailState.SKIPPED


def test_a_reminder_of_a_duty_met_while_its_batch_is_sent_is_not_sent(
        settings, monkeypatch, obligation, officer_a, viewer_a):
    """A batch is read once and sent a message at a time: one attempted after the batch's
    rows have aged (here at once) is rendered from its obligation as it is then."""
    monkeypatch.setattr(services, "FRESH_SECONDS", 0)
    settings.EMAIL_BACKEND = "tests.notifications.backends.MeetingBackend"
    MeetingBackend.meets, MeetingBackend.sent = obligation.pk, []
    with time_machine.travel(DUE - timedelta(hours=4), tick=False):
        sweep()
        assert OutboundEmail.objects.count() == 2

    send_at(DUE - timedelta(hours=4))

    assert len(MeetingBackend.sent) == 1
    assert sorted(OutboundEmail.objects.values_list("state", flat=True)) == [
        EmailState.SENT, EmailState.SKIPPED]


def test_a_batch_sent_at_once_is_read_once(obligation, officer_a, viewer_a, reviewer):
    """Rows read a moment ago are as good as rows read now: a quick batch's rows are not
    read again e-mail by e-mail (only whether each is still to be sent, and to whom)."""
    with time_machine.travel(DUE - timedelta(hours=4), tick=False):
        sweep()
    queued = OutboundEmail.objects.count()
    assert queued >= 2

    with CaptureQueriesContext(connection) as queries:
        assert send_at(DUE - timedelta(hours=4)) == queued

    rows = [q["sql"] for q in queries.captured_queries
            if q["sql"].startswith('SELECT "notifications_outboundemail"."id"')]
    assert len(rows) == 1


@pytest.mark.parametrize("change", ["moved", "demoted"])
def test_a_reminder_goes_only_to_whom_the_sweep_would_still_send_it(
        obligation, officer_a, provider_b, change):
    """Written for provider A's officer: one who has since joined provider B (a change
    that raced the sweep, so nothing skipped it then) gets nothing of A; one made a viewer
    gets no escalation, which is for officers."""
    if change == "moved":
        email = queued_at(DUE - timedelta(hours=4))
        type(officer_a).objects.filter(pk=officer_a.pk).update(provider=provider_b)
    else:
        email = queued_at(DUE + timedelta(minutes=1))
        assert email.audience == "escalation"
        type(officer_a).objects.filter(pk=officer_a.pk).update(role="provider_viewer")

    send_at(email.next_attempt_at)

    assert mail.outbox == []
    email.refresh_from_db()
    assert email.state == EmailState.SKIPPED
    assert "role or provider has changed" in email.last_error


def test_an_email_that_cannot_be_rendered_is_a_failed_attempt(reviewer):
    services.queue_email(recipients=[reviewer], template="no_such_template", context={})

    assert services.send_due_emails() == 0

    email = OutboundEmail.objects.get()
    assert (email.state, email.attempts) == (EmailState.PENDING, 1)
    assert email.last_error.startswith("TemplateDoesNotExist")


def test_workers_claim_separate_batches(officer_a, reviewer):
    incident = make_draft(officer_a)
    for n in range(5):
        services.queue_email(recipients=[reviewer], template="incident_filed",
                             context={"incident": incident}, key=f"e{n}")
    now = datetime.now(UTC)

    first = services.claim_due(now, limit=3)
    second = services.claim_due(now, limit=3)

    assert len(first) == 3 and len(second) == 2
    assert not set(first) & set(second)
    assert services.claim_due(now) == []


def test_it_sends_everything_due_in_batches(officer_a, reviewer):
    incident = make_draft(officer_a)
    services.queue_email(recipients=[reviewer], template="incident_filed",
                         context={"incident": incident, "case_path": "/"}, key="first")
    others = factories.ReviewerFactory.create_batch(services.BATCH + 4)
    services.queue_email(recipients=others, template="incident_filed",
                         context={"incident": incident, "case_path": "/"}, key="second")

    assert services.send_due_emails() == services.BATCH + 5
    assert len({m.extra_headers["Message-ID"] for m in mail.outbox}) == services.BATCH + 5
    assert set(OutboundEmail.objects.values_list("state", flat=True)) == {EmailState.SENT}


def test_the_message_id_comes_from_the_key_at_the_senders_domain(settings):
    settings.DEFAULT_FROM_EMAIL = "PES Cases <no-reply@cases.example.gov>"
    one, same, other = (OutboundEmail(key=k) for k in ("incident:1:receipt:7",
                                                         "incident:1:receipt:7", "other"))

    assert one.message_id == same.message_id != other.message_id
    assert one.message_id.endswith("@cases.example.gov>") and "incident" not in one.message_id


def test_the_key_has_one_index_the_unique_one():
    table = OutboundEmail._meta.db_table
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)

    on_key = [c for c in constraints.values() if c["columns"] == ["key"]]
    assert len(on_key) == 1 and on_key[0]["unique"]


def test_a_reminder_skipped_while_its_deadline_was_moved_away_goes_out_once_moved_back(
        provider_a, officer_a, reviewer):
    from compliance.models import DeadlinePolicy, ObligationKind
    from compliance.services.obligations import move_obligation_due
    from notifications.schedule import reschedule_reminders

    with time_machine.travel(DUE - timedelta(days=5), tick=False):
        duty = factories.ObligationFactory(
            provider=provider_a, kind=ObligationKind.WRITTEN_REPORT, clause="§ 501.11(c)",
            due_at=DUE, original_due_at=DUE, incident_id=3)
        reschedule_reminders(duty, DeadlinePolicy.in_force())
        duty.save()
    with time_machine.travel(DUE - timedelta(hours=24), tick=False):
        sweep()  # the 24-hour reminder is written
        move_obligation_due(actor=reviewer, obligation=duty, due_at=DUE + timedelta(days=7),
                            reason="The wrong case")
        services.send_due_emails()  # not sent: the due time has moved
    reminder = OutboundEmail.objects.get(obligation=duty, recipient=officer_a)
    assert reminder.state == EmailState.SKIPPED

    with time_machine.travel(DUE - timedelta(hours=23), tick=False):
        move_obligation_due(actor=reviewer, obligation=duty, due_at=DUE,
                            reason="Back to the deadline set")
        sweep()
        services.send_due_emails()

    reminder.refresh_from_db()
    assert reminder.state == EmailState.SENT
    assert [m.to for m in mail.outbox].count([officer_a.email]) == 1


def test_the_last_try_shown_is_the_time_of_the_last_try(settings, signed_in, manager,
                                                         officer_a, reviewer):
    settings.EMAIL_BACKEND = "tests.notifications.backends.RefusingBackend"
    t0 = datetime(2026, 6, 10, 16, 0, tzinfo=UTC)
    with time_machine.travel(t0 - timedelta(minutes=1), tick=False):
        incident = make_draft(officer_a)
        services.queue_email(recipients=[reviewer], template="incident_filed",
                             context={"incident": incident}, key="x")
    when = t0
    tries = []
    while OutboundEmail.objects.get().state != EmailState.FAILED:
        with time_machine.travel(when, tick=False):
            services.send_due_emails()
        tries.append(when)
        when = OutboundEmail.objects.get().next_attempt_at
    assert len(tries) == services.MAX_ATTEMPTS
    last_try = tries[-1]  # 2026-06-10 16:31 UTC: 12:31 EDT

    client = signed_in(manager)  # New York
    with time_machine.travel(last_try + timedelta(minutes=1), tick=False):
        page = client.get("/notifications/failed/").content.decode()

    assert '<time datetime="2026-06-10T16:31:00+00:00"' in page, page[page.find("<tbody"):][:400]


def test_an_internal_comment_is_not_sent_to_someone_who_joined_a_provider_meanwhile(
        settings, officer_a, provider_b, reviewer, manager):
    """While the batch's first message goes out, the reviewer its second (USPS's internal
    deliberation) is for joins provider B: the move skips their unsent e-mails, and the
    batch, read before it, does not send it anyway."""
    settings.EMAIL_BACKEND = "tests.notifications.backends.MovingBackend"
    second = factories.ReviewerFactory(username="second_reviewer")
    case = make_filed(officer_a)
    OutboundEmail.objects.all().delete()
    with factories.committed():
        add_comment(actor=reviewer, incident=case, body="Please send the firmware log.",
                    visibility="shared")
        add_comment(actor=reviewer, incident=case, body="Refer to enforcement?",
                    visibility="internal")
    internal = OutboundEmail.objects.get(template="comment_internal")
    assert internal.recipient == second
    MovingBackend.move, MovingBackend.sent = (manager, second, provider_b), []

    services.send_due_emails()

    assert [m.to for m in MovingBackend.sent] == [[officer_a.email]]
    internal.refresh_from_db()
    assert internal.state == EmailState.SKIPPED


def test_what_is_only_for_usps_goes_to_usps_staff_alone(officer_a, provider_b, reviewer):
    """Whoever an e-mail of USPS's own business was written for, it goes out only to
    someone who is USPS staff when it is sent."""
    case = make_filed(officer_a)
    OutboundEmail.objects.all().delete()
    second = factories.ReviewerFactory(username="second_reviewer")
    add_comment(actor=reviewer, incident=case, body="Refer to enforcement?",
                visibility="internal")
    internal = OutboundEmail.objects.get(template="comment_internal")
    type(second).objects.filter(pk=second.pk).update(role="provider_officer",
                                                     provider=provider_b)

    services.send_due_emails()

    assert mail.outbox == []
    internal.refresh_from_db()
    assert internal.state == EmailState.SKIPPED
    assert internal.last_error == "Not sent: the recipient is no longer USPS staff."


# What is written for one provider's staff (or USPS's) goes to nobody who has moved to another
# side since: the move skips what is queued, and this is the race it cannot see.
def test_a_shared_comment_is_not_sent_to_an_officer_who_joined_another_provider_meanwhile(
        officer_a, provider_b, reviewer):
    case = make_filed(officer_a, title="Alpha meter forged resets")
    OutboundEmail.objects.all().delete()
    add_comment(actor=reviewer, incident=case, body="Alpha: send the firmware log of PSD 7.",
                visibility="shared")
    email = OutboundEmail.objects.get(template="comment_shared")
    assert email.recipient == officer_a
    # As the reminder and USPS-only tests do: the move raced the comment, so nothing
    # skipped the row.
    type(officer_a).objects.filter(pk=officer_a.pk).update(provider=provider_b)

    services.send_due_emails()

    leaked = [m for m in mail.outbox if officer_a.email in m.to]
    assert leaked == [], (leaked[0].subject, leaked[0].body[:300])
    email.refresh_from_db()
    assert email.state == EmailState.SKIPPED


def test_a_providers_comment_is_not_sent_to_a_reviewer_who_joined_another_provider_meanwhile(
        officer_a, officer_b, provider_b, reviewer):
    case = make_filed(officer_a, title="Alpha meter forged resets")
    OutboundEmail.objects.all().delete()
    add_comment(actor=officer_a, incident=case, body="Alpha's PSD 7 firmware log attached.",
                visibility="shared")
    email = OutboundEmail.objects.get(template="comment_shared")
    assert email.recipient == reviewer
    type(reviewer).objects.filter(pk=reviewer.pk).update(role="provider_officer",
                                                         provider=provider_b)

    services.send_due_emails()

    leaked = [m for m in mail.outbox if reviewer.email in m.to]
    assert leaked == [], (leaked[0].subject, leaked[0].body[:300])


def test_a_batch_sent_slower_than_its_lease_goes_out_once_while_another_worker_drains(
        settings, officer_a, reviewer):
    """20 e-mails at 20 s each outlast the 5-minute claim: another worker's run then finds
    nothing of the batch to take, and nothing goes out twice."""
    from .backends import SlowBackend

    settings.EMAIL_BACKEND = "tests.notifications.backends.SlowBackend"
    start = datetime(2026, 6, 10, 16, 0, tzinfo=UTC)
    with time_machine.travel(start - timedelta(minutes=1), tick=False):
        incident = make_draft(officer_a)
        readers = factories.ReviewerFactory.create_batch(services.BATCH - 1)
        services.queue_email(recipients=[reviewer, *readers], template="incident_filed",
                             context={"incident": incident, "case_path": "/"}, key="news")
    SlowBackend.sent, SlowBackend.other_ran, SlowBackend.started = [], False, start

    with time_machine.travel(start, tick=False) as traveller:
        SlowBackend.traveller = traveller
        services.send_due_emails()

    ids = [m.extra_headers["X-PES-Email-Id"] for m in SlowBackend.sent]
    assert SlowBackend.other_ran
    assert sorted(ids) == sorted({str(pk) for pk in OutboundEmail.objects.values_list(
        "pk", flat=True)})
    assert set(OutboundEmail.objects.values_list("state", flat=True)) == {EmailState.SENT}
