from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from compliance.models import Heartbeat, ObligationState
from notifications.models import EmailState, OutboundEmail
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def obligations(provider_a, provider_b):
    now = timezone.now()
    return {
        "a_later": factories.ObligationFactory(provider=provider_a, subject="A later",
                                               due_at=now + timedelta(days=3)),
        "a_soon": factories.ObligationFactory(provider=provider_a, subject="A soon",
                                              due_at=now + timedelta(hours=2)),
        "a_missed": factories.ObligationFactory(provider=provider_a, subject="A missed",
                                                due_at=now - timedelta(hours=5),
                                                state=ObligationState.MISSED),
        "a_met": factories.ObligationFactory(provider=provider_a, subject="A met",
                                             state=ObligationState.MET),
        "a_draft": factories.ObligationFactory(provider=provider_a, subject="A draft",
                                               usps_visible=False),
        "b_soon": factories.ObligationFactory(provider=provider_b, subject="B soon",
                                              due_at=now + timedelta(hours=1)),
    }


def dashboard_subjects(response):
    return [o.subject for o in response.context["obligations"]]


def test_it_lists_an_officers_open_obligations_nearest_first_with_overdue_marked(
        client, officer_a, obligations):
    client.force_login(officer_a)

    response = client.get("/")

    assert dashboard_subjects(response) == ["A missed", "A soon", "A draft", "A later"]
    html = response.content.decode()
    assert "B soon" not in html
    assert 'class="overdue"' in html
    assert "data-deadline=" in html


def test_it_lists_a_reviewers_queue_across_providers_without_drafts(client, reviewer,
                                                                     obligations):
    client.force_login(reviewer)

    response = client.get("/")

    assert dashboard_subjects(response) == ["A missed", "B soon", "A soon", "A later"]
    assert "Bravo Meters" in response.content.decode()


def test_the_dashboard_query_count_does_not_grow_with_obligations(
        client, reviewer, provider_a, django_assert_max_num_queries):
    client.force_login(reviewer)
    factories.ObligationFactory.create_batch(3, provider=provider_a)
    with django_assert_max_num_queries(12) as few:
        client.get("/")
    factories.ObligationFactory.create_batch(40, provider=factories.ProviderFactory())
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/")


def test_usps_pages_warn_when_the_sweep_has_missed_two_intervals(client, reviewer, officer_a,
                                                                 settings):
    settings.SWEEP_INTERVAL_SECONDS = 30
    Heartbeat.objects.create(name="sweep", at=timezone.now())
    client.force_login(reviewer)
    assert "sweep-warning" not in client.get("/").content.decode()

    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        assert "sweep-warning" in client.get("/").content.decode()
        assert "sweep-warning" in client.get("/providers/").content.decode()
        client.force_login(officer_a)
        assert "sweep-warning" not in client.get("/").content.decode()


@pytest.mark.django_db(transaction=True)  # /healthz reads in a thread of its own
def test_healthz_reports_the_age_of_the_last_sweep(client, settings, monkeypatch):
    monkeypatch.setattr("compliance.health.check_broker", lambda: {"ok": True})
    settings.SWEEP_INTERVAL_SECONDS = 30
    now = timezone.now()
    Heartbeat.objects.create(name="beat", at=now)
    Heartbeat.objects.create(name="worker", at=now)
    Heartbeat.objects.create(name="sweep", at=now - timedelta(seconds=20))

    body = client.get("/healthz").json()
    assert body["checks"]["sweep"]["ok"] is True
    assert 19 <= body["checks"]["sweep"]["age_seconds"] <= 25

    Heartbeat.objects.filter(name="sweep").update(at=now - timedelta(seconds=61))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["sweep"]["ok"] is False


def test_managers_see_emails_that_failed_for_good_and_nobody_else_does(
        client, manager, reviewer, officer_a):
    OutboundEmail.objects.create(template="obligation_reminder", to_address="x@example.com",
                                 subject="Due soon", state=EmailState.FAILED, attempts=6,
                                 last_error="SMTPRecipientsRefused", next_attempt_at=timezone.now())
    client.force_login(manager)
    home = client.get("/").content.decode()
    assert "1 e-mail could not be delivered" in home
    page = client.get("/notifications/failed/").content.decode()
    assert "x@example.com" in page and "SMTPRecipientsRefused" in page

    for user in (reviewer, officer_a):
        client.force_login(user)
        assert "could not be delivered" not in client.get("/").content.decode()
        assert client.get("/notifications/failed/").status_code == 403


def test_no_warning_in_the_first_two_intervals_after_the_scheduler_starts(client, reviewer,
                                                                          settings):
    from celery.signals import beat_init

    settings.SWEEP_INTERVAL_SECONDS = 30
    started = timezone.now()
    Heartbeat.objects.create(name="sweep", at=started - timedelta(hours=5))  # before a stop
    client.force_login(reviewer)
    with time_machine.travel(started, tick=False):
        beat_init.send(sender=None)  # what the scheduler sends when it starts

    with time_machine.travel(started + timedelta(seconds=59), tick=False):
        assert "sweep-warning" not in client.get("/").content.decode()
    with time_machine.travel(started + timedelta(seconds=61), tick=False):
        assert "sweep-warning" in client.get("/").content.decode()


def test_a_fresh_install_warns_only_after_two_intervals(client, reviewer, settings):
    from compliance.tasks import record_scheduler_start

    settings.SWEEP_INTERVAL_SECONDS = 30
    started = timezone.now()
    with time_machine.travel(started, tick=False):
        record_scheduler_start()
    client.force_login(reviewer)

    with time_machine.travel(started + timedelta(seconds=30), tick=False):
        assert "sweep-warning" not in client.get("/").content.decode()
    with time_machine.travel(started + timedelta(minutes=5), tick=False):
        assert "has not run yet" in client.get("/").content.decode()
