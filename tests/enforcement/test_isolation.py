"""What is internal to USPS in a proceeding (its notes, its own target to decide) never
reaches the provider: no page, API answer, e-mail, timeline or calendar feed; and another
provider learns nothing of it."""

from datetime import date

import pytest
import time_machine
from django.core import mail

from compliance.enforcement.services import add_proceeding_note
from compliance.models import AuditEvent, Obligation, ObligationKind
from notifications import calendar
from notifications.services import send_due_emails
from tests.factories import committed

from .helpers import DAY, T0, issue, period_of, sweep_at

pytestmark = pytest.mark.django_db

NOTE = "Deliberation: counsel leans to revocation"


@pytest.fixture
def deliberated(suspension, reviewer, manager, officer_a, viewer_a):
    """A suspension answered, noticed and defended, with USPS notes at each stage, its
    USPS target overdue, and every e-mail sent."""
    with committed():
        add_proceeding_note(actor=reviewer, proceeding=suspension, body=NOTE)
    issue(officer_a, suspension, "correction", T0 + DAY)
    issue(manager, suspension, "suspension_notice", T0 + 2 * DAY,
          effective_date=date(2026, 6, 13))
    issue(officer_a, suspension, "defense", T0 + 3 * DAY)
    with committed():
        add_proceeding_note(actor=manager, proceeding=suspension, body=NOTE + " (2)")
    sweep_at(T0 + 40 * DAY)  # USPS's target to decide is past
    with time_machine.travel(T0 + 40 * DAY, tick=False):
        send_due_emails()
    assert period_of(suspension, ObligationKind.USPS_PROCEEDING_DECISION).state == "missed"
    return suspension


def staff(request):
    return [request.getfixturevalue(name) for name in ("officer_a", "viewer_a")]


def test_no_page_of_the_provider_shows_a_note_or_usps_target(request, signed_in, deliberated):
    target = period_of(deliberated, ObligationKind.USPS_PROCEEDING_DECISION)
    for user in staff(request):
        client = signed_in(user)
        for path in (f"/proceedings/{deliberated.pk}/", "/proceedings/", "/",
                     f"/providers/{deliberated.provider_id}/compliance-record/"):
            body = client.get(path).content.decode()
            assert NOTE not in body and "USPS target" not in body, (path, user)
            assert "USPS decides" not in body
        assert client.get(f"/obligations/{target.pk}/").status_code == 404


def test_no_api_answer_to_the_provider_carries_a_note_or_usps_target(request, api_for,
                                                                      deliberated):
    for user in staff(request):
        client = api_for(user)
        for path in (f"/api/v1/proceedings/{deliberated.pk}/", "/api/v1/proceedings/",
                     f"/api/v1/proceedings/{deliberated.pk}/steps/",
                     "/api/v1/obligations/?page_size=200"):
            response = client.get(path)
            assert response.status_code == 200
            assert NOTE not in response.content.decode()
            assert "usps_proceeding_decision" not in response.content.decode()
        notes = client.get(f"/api/v1/proceedings/{deliberated.pk}/notes/")
        assert notes.status_code == 403 and NOTE not in notes.content.decode()


def test_no_e_mail_to_the_provider_carries_a_note_or_usps_target(request, deliberated,
                                                                 manager):
    addresses = {u.email for u in staff(request)}
    to_provider = [m for m in mail.outbox if m.to[0] in addresses]
    assert {m.subject for m in to_provider} >= {
        f"{deliberated.reference}: notice of proposed suspension",
        f"{deliberated.reference}: notice of suspension"}
    for message in mail.outbox:
        assert NOTE not in message.subject + message.body
    for message in to_provider:
        assert "USPS target" not in message.subject + message.body
    assert any(m.to == [manager.email] and "Proceeding decision (USPS target)" in m.subject
               for m in mail.outbox)


def test_no_timeline_or_feed_of_the_provider_shows_them(request, deliberated):
    target = period_of(deliberated, ObligationKind.USPS_PROCEEDING_DECISION)
    assert AuditEvent.objects.filter(action="proceeding.note_added").count() == 2
    for user in staff(request):
        events = AuditEvent.objects.visible_to(user)
        assert not events.filter(action="proceeding.note_added").exists()
        assert not events.filter(object_id=str(target.pk),
                                 content_type__model="obligation").exists()
        feed = calendar.render_calendar(calendar.feed_obligations(user))
        assert f"obligation-{target.pk}@" not in feed
        assert not Obligation.objects.visible_to(user).usps_targets().exists()


def test_the_providers_periods_are_in_its_calendar_feed(officer_a, suspension):
    period = period_of(suspension, ObligationKind.PROCEEDING_CORRECTION)

    feed = calendar.render_calendar(calendar.feed_obligations(officer_a))

    assert f"obligation-{period.pk}@" in feed
    assert f"/proceedings/{suspension.pk}/" in feed.replace("\r\n ", "")
