"""Changes the compliance app publishes are handled after commit, exactly once, by the
subscribers of their topic; what an after-commit call missed, the catch-up handles."""

from datetime import timedelta

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from compliance import changes
from compliance.models import ExtensionRequest, PublishedChange
from compliance.services import grant_extension, request_extension
from notifications.models import OutboundEmail
from tests import factories

pytestmark = pytest.mark.django_db

TOPIC = "test.happened"


@pytest.fixture
def calls(monkeypatch):
    """A subscriber of TOPIC that records its payloads."""
    seen = []
    monkeypatch.setitem(changes.SUBSCRIBERS, TOPIC, [lambda **payload: seen.append(payload)])
    return seen


def test_it_calls_the_subscribers_only_after_the_commit(calls):
    with factories.committed():
        with transaction.atomic():
            changes.publish(TOPIC, thing=7)
            assert calls == []

    assert calls == [{"thing": 7}]
    assert PublishedChange.objects.get().handled_at is not None


def test_a_change_rolled_back_publishes_nothing(calls):
    with factories.committed():
        with pytest.raises(RuntimeError), transaction.atomic():
            changes.publish(TOPIC, thing=7)
            raise RuntimeError("the change fails")

    assert calls == [] and not PublishedChange.objects.exists()


def test_it_handles_a_change_once_however_often_it_is_asked(calls):
    change = changes.publish(TOPIC, thing=1)

    assert changes.handle(change.pk) is True
    assert changes.handle(change.pk) is False
    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        assert changes.handle_pending() == 0
    assert calls == [{"thing": 1}]


def test_the_catch_up_handles_what_the_after_commit_call_missed(calls):
    change = changes.publish(TOPIC, thing=2)  # the process died before its commit hook

    assert changes.handle_pending() == 0  # within the grace period, left to the hook
    with time_machine.travel(timezone.now() + changes.GRACE + timedelta(seconds=1)):
        assert changes.handle_pending() == 1

    assert calls == [{"thing": 2}]
    change.refresh_from_db()
    assert change.handled_at is not None and change.attempts == 1


def test_a_failing_subscriber_leaves_the_change_to_be_tried_again(monkeypatch):
    failures = iter([RuntimeError("mail table locked")])
    seen = []

    def flaky(**payload):
        error = next(failures, None)
        if error:
            raise error
        seen.append(payload)

    monkeypatch.setitem(changes.SUBSCRIBERS, TOPIC, [flaky])
    with factories.committed():
        change = changes.publish(TOPIC, thing=3)

    change.refresh_from_db()
    assert change.handled_at is None and change.attempts == 1
    assert "mail table locked" in change.last_error
    with time_machine.travel(timezone.now() + timedelta(minutes=1)):
        assert changes.handle_pending() == 1
    assert seen == [{"thing": 3}]


def test_it_gives_up_on_a_change_after_the_last_attempt(monkeypatch):
    def broken(**payload):
        raise RuntimeError("always")

    monkeypatch.setitem(changes.SUBSCRIBERS, TOPIC, [broken])
    change = changes.publish(TOPIC)
    later = timezone.now() + timedelta(minutes=1)
    with time_machine.travel(later):
        for _ in range(changes.MAX_ATTEMPTS + 2):
            changes.handle_pending()

    change.refresh_from_db()
    assert change.handled_at is None and change.attempts == changes.MAX_ATTEMPTS


def test_a_service_called_directly_e_mails_like_the_page_and_the_api(officer_a, reviewer):
    """No wrapper adds the e-mails: whoever calls the compliance service (the admin, a
    task, a script) gets them."""
    obligation = factories.ObligationFactory(provider=officer_a.provider)
    with factories.committed():
        extension = request_extension(actor=officer_a, obligation=obligation,
                                      requested_due_at=obligation.due_at + timedelta(days=3),
                                      justification="Lab delay.")
        grant_extension(actor=reviewer, extension=extension)

    sent = OutboundEmail.objects.order_by("template")
    assert [(e.template, e.recipient) for e in sent] == [
        ("extension_granted", officer_a), ("extension_requested", reviewer)]
    assert ExtensionRequest.objects.get().state == "granted"


@pytest.mark.django_db(transaction=True)
def test_it_runs_after_a_real_commit(calls):
    with transaction.atomic():
        changes.publish(TOPIC, thing=9)
        assert calls == []

    assert calls == [{"thing": 9}]
