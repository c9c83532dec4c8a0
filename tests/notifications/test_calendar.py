"""The private iCal feed: making, replacing and revoking it, and what it shows to whom."""

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import icalendar
import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from accounts.services.people import change_role
from compliance.models import AuditEvent, Obligation, ObligationKind, ObligationState, Role, User
from notifications.calendar import make_calendar_feed, render_calendar
from notifications.models import CalendarFeed
from tests import factories
from tests.concurrency import postgresql  # noqa: F401  (a fixture)

PAGE = "/notifications/preferences/"
DUE = datetime(2026, 3, 8, 6, 30, tzinfo=UTC)  # the morning US clocks spring forward


def make_feed(client, user):
    """Make a feed through the page; returns the path of its secret URL."""
    client.force_login(user)
    response = client.post(PAGE, {"action": "make_feed"})
    assert response.status_code == 200
    url = response.context["new_feed_url"]
    client.logout()
    return urlsplit(url).path


def unfold(body):
    return body.replace("\r\n ", "")


def events(body):
    return unfold(body).count("BEGIN:VEVENT")


@pytest.fixture
def obligation_a(provider_a):
    return factories.ObligationFactory(
        provider=provider_a, kind=ObligationKind.WRITTEN_REPORT, subject="PES-2026-00007 Meter",
        due_at=DUE, original_due_at=DUE, incident_id=7)


@pytest.fixture
def obligation_b(provider_b):
    return factories.ObligationFactory(provider=provider_b, subject="PES-2026-00008 Bravo secret",
                                       incident_id=8)


# --- Making and revoking ---


def test_it_shows_the_feed_url_once(client, officer_a):
    client.force_login(officer_a)

    response = client.post(PAGE, {"action": "make_feed"})

    url = response.context["new_feed_url"]
    assert url.startswith("http://") and url.endswith(".ics")
    assert url.encode() in response.content
    assert url.encode() not in client.get(PAGE).content
    feed = CalendarFeed.objects.get(user=officer_a)
    secret = url.rsplit("/", 1)[1].removesuffix(".ics")
    assert feed.token_hash == CalendarFeed.hash_secret(secret)
    assert secret not in feed.token_hash


def test_it_serves_the_feed_without_sign_in(client, officer_a, obligation_a):
    path = make_feed(client, officer_a)

    response = client.get(path)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.content.decode()
    assert body.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert body.endswith("END:VCALENDAR\r\n")
    assert events(body) == 1


def test_it_answers_head_requests_of_calendar_apps(client, officer_a):
    path = make_feed(client, officer_a)

    assert client.head(path).status_code == 200
    assert client.post(path).status_code == 405


def test_it_answers_404_for_an_unknown_secret(client, db):
    assert client.get("/notifications/calendar/not-a-secret.ics").status_code == 404


def test_it_answers_404_once_the_feed_is_revoked(client, officer_a):
    path = make_feed(client, officer_a)
    client.force_login(officer_a)

    response = client.post(PAGE, {"action": "revoke_feed"})
    client.logout()

    assert response.status_code == 302
    assert CalendarFeed.objects.get(user=officer_a).revoked_at is not None
    assert client.get(path).status_code == 404


def test_it_retires_the_old_url_when_replaced(client, officer_a):
    old = make_feed(client, officer_a)
    new = make_feed(client, officer_a)

    assert old != new
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200
    assert CalendarFeed.objects.filter(user=officer_a).count() == 1


def test_it_makes_a_new_feed_after_a_revoked_one(client, officer_a):
    make_feed(client, officer_a)
    client.force_login(officer_a)
    client.post(PAGE, {"action": "revoke_feed"})

    path = make_feed(client, officer_a)

    assert client.get(path).status_code == 200


def test_it_answers_404_for_a_deactivated_user(client, officer_a):
    path = make_feed(client, officer_a)
    officer_a.is_active = False
    officer_a.save()

    assert client.get(path).status_code == 404


def test_a_feed_stays_dead_once_its_owner_is_deactivated_and_reactivated(
        client, officer_a, provider_a):
    from accounts.services.people import deactivate_user, reactivate_user

    colleague = factories.OfficerFactory(provider=provider_a)
    path = make_feed(client, officer_a)
    client.logout()

    deactivate_user(actor=colleague, user=officer_a, reason="Left the company.")
    reactivate_user(actor=colleague, user=officer_a, reason="Came back.")

    assert client.get(path).status_code == 404
    assert CalendarFeed.objects.get(user=officer_a).revoked_at is not None
    event = AuditEvent.objects.for_object(officer_a).get(action="user.deactivated")
    assert event.changes["calendar_feeds_revoked"] == [None, 1]


def test_a_feed_stops_when_its_owner_moves_to_another_side(client, officer_a, manager):
    from accounts.services.people import change_role

    path = make_feed(client, officer_a)
    client.logout()

    change_role(actor=manager, user=officer_a, role="usps_reviewer", reason="Joined USPS.")

    assert client.get(path).status_code == 404
    event = AuditEvent.objects.for_object(officer_a).get(action="user.role_changed")
    assert event.changes["calendar_feeds_revoked"] == [None, 1]


def test_a_feed_survives_a_change_of_role_on_the_same_side(client, officer_a, provider_a):
    from accounts.services.people import change_role

    path = make_feed(client, officer_a)
    client.logout()

    change_role(actor=factories.OfficerFactory(provider=provider_a), user=officer_a,
                role="provider_viewer", provider_id=provider_a.pk, reason="Reads only now.")

    assert client.get(path).status_code == 200


def test_it_records_audit_events_for_the_feed(client, officer_a):
    make_feed(client, officer_a)
    make_feed(client, officer_a)
    client.force_login(officer_a)
    client.post(PAGE, {"action": "revoke_feed"})

    actions = list(AuditEvent.objects.for_object(officer_a).order_by("id")
                   .values_list("action", flat=True))
    assert actions == ["calendar_feed.created", "calendar_feed.replaced",
                       "calendar_feed.revoked"]


def test_it_serves_the_feed_in_a_fixed_number_of_queries(client, officer_a, provider_a,
                                                        django_assert_max_num_queries):
    factories.ObligationFactory.create_batch(20, provider=provider_a)
    path = make_feed(client, officer_a)

    with django_assert_max_num_queries(2):
        response = client.get(path)

    assert events(response.content.decode()) == 20


# --- What the feed shows ---


def test_it_writes_one_event_per_outstanding_obligation(client, officer_a, provider_a,
                                                        obligation_a):
    factories.ObligationFactory(provider=provider_a, state=ObligationState.MISSED,
                                subject="Missed one")
    for state in (ObligationState.MET, ObligationState.LATE, ObligationState.WAIVED):
        factories.ObligationFactory(provider=provider_a, state=state, subject=f"Done {state}")
    path = make_feed(client, officer_a)

    body = unfold(client.get(path).content.decode())

    assert events(body) == 2
    assert "SUMMARY:Overdue: 24-hour notification: Missed one" in body
    assert "Done" not in body


def test_it_writes_the_due_time_in_utc_with_a_stable_uid_and_the_case_url(
        client, officer_a, obligation_a, settings):
    path = make_feed(client, officer_a)

    first = unfold(client.get(path).content.decode())
    with time_machine.travel(DUE + timedelta(days=3)):
        second = unfold(client.get(path).content.decode())

    assert "DTSTART:20260308T063000Z\r\n" in first
    assert "DTEND:20260308T064500Z\r\n" in first
    assert "SUMMARY:Written report: PES-2026-00007 Meter\r\n" in first
    assert f"URL:{settings.SITE_URL}/incidents/7/\r\n" in first
    uid = next(line for line in first.split("\r\n") if line.startswith("UID:"))
    assert uid == f"UID:obligation-{obligation_a.pk}@127.0.0.1"
    assert uid in second


def test_it_leaves_out_the_url_when_there_is_no_case(client, officer_a, provider_a):
    factories.ObligationFactory(provider=provider_a, kind=ObligationKind.PROCEDURES,
                                subject="Internal reporting procedures")
    path = make_feed(client, officer_a)

    body = client.get(path).content.decode()

    assert "URL:" not in body


def test_it_never_shows_another_providers_obligations(client, officer_a, officer_b,
                                                      obligation_a, obligation_b):
    body_a = unfold(client.get(make_feed(client, officer_a)).content.decode())
    body_b = unfold(client.get(make_feed(client, officer_b)).content.decode())

    assert "PES-2026-00007" in body_a and "PES-2026-00008" not in body_a
    assert "PES-2026-00008" in body_b and "PES-2026-00007" not in body_b
    assert events(body_a) == events(body_b) == 1


def test_it_never_shows_drafts_to_usps(client, reviewer, provider_a, obligation_a):
    factories.ObligationFactory(provider=provider_a, usps_visible=False,
                                subject="PES-DRAFT not filed yet")
    path = make_feed(client, reviewer)

    body = unfold(client.get(path).content.decode())

    assert "PES-2026-00007" in body
    assert "PES-DRAFT" not in body
    assert events(body) == 1


def test_it_shows_drafts_to_their_own_provider(client, viewer_a, provider_a):
    factories.ObligationFactory(provider=provider_a, usps_visible=False,
                                subject="PES-DRAFT not filed yet")

    body = unfold(client.get(make_feed(client, viewer_a)).content.decode())

    assert "PES-DRAFT" in body


# --- The serializer ---


def test_it_escapes_text_values(provider_a):
    factories.ObligationFactory(provider=provider_a, subject="a,b;c\\d\ne\r\nf")

    body = unfold(render_calendar(Obligation.objects.all()))

    assert "SUMMARY:24-hour notification: a\\,b\\;c\\\\d\\ne\\nf\r\n" in body


def test_it_folds_lines_at_75_octets_without_splitting_characters(provider_a):
    factories.ObligationFactory(provider=provider_a, subject="é" * 100)  # two octets each

    body = render_calendar(Obligation.objects.all())

    lines = body.split("\r\n")
    assert all(len(line.encode()) <= 75 for line in lines)
    summary = next(n for n, line in enumerate(lines) if line.startswith("SUMMARY:"))
    assert lines[summary + 1].startswith(" ")
    assert f"SUMMARY:24-hour notification: {'é' * 100}\r\n" in unfold(body)


def test_it_ends_every_line_with_crlf(provider_a):
    obligation = factories.ObligationFactory(
        provider=provider_a, subject="Line one\nline two, with; all \\ of it " + "x" * 120)

    body = render_calendar([obligation])

    assert "\n" not in body.replace("\r\n", "")
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))
    assert "Line one\\nline two\\, with\\; all \\\\ of it" in unfold(body)


def test_it_writes_a_calendar_that_parses_back(provider_a, obligation_a):
    calendar = icalendar.Calendar.from_ical(render_calendar([obligation_a]))

    [event] = calendar.walk("VEVENT")
    assert calendar["X-WR-CALNAME"] == "PES obligations"
    assert event.decoded("DTSTART") == DUE
    assert str(event["SUMMARY"]) == "Written report: PES-2026-00007 Meter"


def test_a_feed_asked_for_by_a_request_read_before_a_deactivation_is_refused(provider_a):
    from django.core.exceptions import PermissionDenied

    from accounts.services.people import deactivate_user
    from compliance.models import User
    from notifications.calendar import make_calendar_feed

    officer = factories.OfficerFactory(provider=provider_a)
    read_before = User.objects.get(pk=officer.pk)
    deactivate_user(actor=factories.ManagerFactory(), user=officer)

    with pytest.raises(PermissionDenied):
        make_calendar_feed(actor=read_before)

    assert not CalendarFeed.objects.filter(user=officer).exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("postgresql")
def test_a_feed_asked_for_twice_at_once_is_made_once():
    from compliance.models import User
    from notifications.calendar import make_calendar_feed
    from tests.concurrency import rendezvous, run_together

    officer = factories.OfficerFactory()
    first, second = User.objects.get(pk=officer.pk), User.objects.get(pk=officer.pk)

    # Each request reaches the secret's hashing (after looking for a feed) before the other
    # saves one, unless it waits for the other's lock first.
    with rendezvous("notifications.calendar.CalendarFeed.hash_secret"):
        results = run_together(lambda: make_calendar_feed(actor=first),
                               lambda: make_calendar_feed(actor=second))

    assert [exc for _, exc in results] == [None, None]
    assert CalendarFeed.objects.filter(user=officer).count() == 1


def test_a_title_with_control_characters_keeps_the_feed_valid(client, officer_a, reviewer):
    """RFC 5545 admits no control character in a TEXT value but the tab; a case title may
    hold any, and USPS's triage target names the case by it."""
    import re

    from tests.incidents.factories import make_filed

    make_filed(officer_a, title="Meter\x0bresets\x1b[31m accepted\x7f\x85")
    url = make_feed(client, reviewer)
    client.logout()
    body = client.get(urlsplit(url).path).content.decode()

    assert "Meter resets [31m accepted" in unfold(body)
    for line in body.split("\r\n"):
        assert not re.search(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]", line), repr(line)


def test_a_feed_made_by_a_request_of_the_side_a_user_has_left_is_refused(
        manager, reviewer, provider_a):
    """A reviewer's page (read before a manager moved them to provider A's staff) asks
    for a calendar address: the move retired their feed so a calendar app would not read
    the new side's deadlines; the stale request must not make one that does (as
    `create_api_token` refuses the same stale page)."""
    stale = User.objects.get(pk=reviewer.pk)  # the request's user, read before the move
    change_role(actor=manager, user=reviewer, role=Role.PROVIDER_OFFICER,
                provider_id=provider_a.pk)
    factories.ObligationFactory(provider=provider_a, kind=ObligationKind.WRITTEN_REPORT,
                                subject="PES-2026-00009 A's duty", incident_id=9)

    with pytest.raises(PermissionDenied):
        make_calendar_feed(actor=stale)
    assert not CalendarFeed.objects.filter(user=reviewer, revoked_at__isnull=True).exists()
