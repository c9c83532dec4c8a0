"""USPS's own targets are internal to USPS: a provider's staff never meet one, through any
page, API answer, e-mail, count, timeline or calendar feed, even once they are overdue."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail

from compliance.models import AuditEvent, Obligation
from notifications import calendar
from notifications.models import OutboundEmail
from notifications.services import send_due_emails
from notifications.sweep import sweep
from tests.reports.factories import NOW, waiting_on_usps

pytestmark = pytest.mark.django_db

# Words only a USPS target would put on a page or in a message.
TELLTALES = ("USPS target", "usps_", "Waiting on USPS", "past target")


@pytest.fixture
def overdue_targets(settings, tmp_path, officer_a, viewer_a, reviewer, manager,
                    django_capture_on_commit_callbacks):
    """Every kind of item waiting on USPS, swept past every target (reminders, escalations
    and missed events all written and sent)."""
    settings.MEDIA_ROOT = tmp_path
    items = waiting_on_usps(officer_a, at=NOW)
    # Before the triage target (its reminder), after every target (the escalations).
    for when in (NOW + timedelta(days=2, hours=9), NOW + timedelta(days=40)):
        with time_machine.travel(when, tick=False), \
                django_capture_on_commit_callbacks(execute=True):
            sweep()
            send_due_emails()
    targets = list(Obligation.objects.usps_targets())
    assert [t.state for t in targets if t.is_outstanding] == ["missed"] * 4
    return {**items, "targets": targets}


def provider_staff(request):
    return [request.getfixturevalue(name) for name in ("officer_a", "viewer_a")]


def test_the_obligations_door_shuts_every_target_out(request, overdue_targets):
    for user in provider_staff(request):
        assert not Obligation.objects.visible_to(user).usps_targets().exists()


@pytest.mark.parametrize("path", [
    "/api/v1/obligations/{id}/", "/api/v1/obligations/{id}/extension-requests/",
    "/obligations/{id}/",
])
def test_a_target_answers_like_an_object_that_does_not_exist(request, signed_in,
                                                              overdue_targets, path):
    for user in provider_staff(request):
        client = signed_in(user)
        for target in overdue_targets["targets"]:
            real = client.get(path.format(id=target.pk))
            missing = client.get(path.format(id=987654))
            assert real.status_code == missing.status_code == 404


def test_the_obligations_api_lists_no_target_whatever_the_filter(request, api_for,
                                                                 overdue_targets):
    for user in provider_staff(request):
        client = api_for(user)
        for query in ("", "?state=missed", "?page_size=200"):
            response = client.get(f"/api/v1/obligations/{query}")
            assert response.status_code == 200
            assert all(not row["kind"].startswith("usps_") for row in response.json()["results"])
            assert "usps_" not in response.content.decode()
        # A target's kind is no kind to provider staff: refused as a made-up one is.
        target_kind = client.get("/api/v1/obligations/?kind=usps_triage")
        made_up = client.get("/api/v1/obligations/?kind=usps_tea_break")
        assert target_kind.status_code == made_up.status_code == 400
        assert target_kind.json() == {"kind": [
            "Select a valid choice. usps_triage is not one of the available choices."]}
        assert made_up.json()["kind"][0].replace("usps_tea_break", "usps_triage") == (
            target_kind.json()["kind"][0])


def test_provider_pages_never_mention_a_target(request, signed_in, overdue_targets):
    items = overdue_targets
    pages = ["/", f"/incidents/{items['filing'].pk}/", f"/incidents/{items['case'].pk}/",
             f"/reports/{items['report'].pk}/",
             f"/obligations/{items['extension'].obligation_id}/", "/procedures/",
             f"/procedures/{items['procedures'].pk}/", "/incidents/", "/notifications/preferences/",
             "/obligations/"]
    for user in provider_staff(request):
        client = signed_in(user)
        for page in pages:
            response = client.get(page)
            assert response.status_code == 200, page
            body = response.content.decode()
            for word in TELLTALES:
                assert word not in body, (user, page, word)


def test_an_overdue_target_does_not_make_the_providers_case_overdue(request, api_for,
                                                                    overdue_targets):
    filing = overdue_targets["filing"]
    for user in provider_staff(request):
        overdue = api_for(user).get("/api/v1/incidents/?overdue=true").json()["results"]
        assert filing.pk not in {row["id"] for row in overdue}


def test_no_e_mail_to_a_provider_mentions_a_target(request, overdue_targets, reviewer,
                                                   manager):
    staff = provider_staff(request)
    to_provider = [m for m in mail.outbox if m.to[0] in {u.email for u in staff}]
    # The targets' e-mails went out, to USPS alone; the provider got its own.
    assert {m.to[0] for m in mail.outbox if "USPS target" in m.subject} == {
        reviewer.email, manager.email}
    assert to_provider
    assert not OutboundEmail.objects.filter(obligation__in=overdue_targets["targets"],
                                            recipient__in=staff).exists()
    for message in to_provider:
        for word in TELLTALES:
            assert word not in message.subject + message.body, (message.subject, word)


def test_no_calendar_feed_of_a_provider_shows_a_target(request, overdue_targets):
    for user in provider_staff(request):
        feed = calendar.render_calendar(calendar.feed_obligations(user))
        assert "USPS target" not in feed
        assert all(f"obligation-{t.pk}@" not in feed for t in overdue_targets["targets"])


def test_no_timeline_of_a_provider_shows_an_event_of_a_target(request, overdue_targets):
    ids = [str(t.pk) for t in overdue_targets["targets"]]
    assert AuditEvent.objects.filter(object_id__in=ids, content_type__model="obligation")
    for user in provider_staff(request):
        assert not AuditEvent.objects.visible_to(user).filter(
            object_id__in=ids, content_type__model="obligation").exists()
