"""A filing commits holding the audit chain's lock, and its new rows' foreign keys are
checked at the commit (PostgreSQL's deferred constraints): each check takes a key-share
lock on the row referred to (the provider, the people e-mailed). A service that locks
such a row and then records an event must not block those checks, or each waits for the
other: services lock rows they change `FOR NO KEY UPDATE`, which leaves them free."""

import threading
import time

import pytest
from django.db import connection

import compliance.services.register as register
import compliance.services.users as users
from compliance.models import ApiToken, Provider
from compliance.services.register import update_provider
from compliance.services.users import create_api_token
from incidents.models import Incident
from incidents.services import submit_incident
from notifications.models import OutboundEmail
from tests.concurrency import postgresql, run_together  # noqa: F401
from tests.incidents.factories import make_draft

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("postgresql")]


def _held_before_recording(module, monkeypatch):
    """Patch `module.record_event` to wait, with the service's rows locked, until the
    filing is done or waits for a lock (at its commit, checking its foreign keys).
    Returns (locked, filing): set when the rows are held, and when the filing is over."""
    locked, filing = threading.Event(), threading.Event()
    record = module.record_event

    def later(**kwargs):
        locked.set()
        deadline = time.monotonic() + 10
        while not filing.is_set() and time.monotonic() < deadline and not _lock_awaited():
            time.sleep(0.05)
        return record(**kwargs)

    monkeypatch.setattr(module, "record_event", later)
    return locked, filing


def _lock_awaited():
    """Whether another session waits for a lock."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                       "AND pid <> pg_backend_pid()")
        return cursor.fetchone()[0] > 0


def _file_meanwhile(officer, draft, locked, filing):
    def call():
        locked.wait(10)
        try:
            return submit_incident(actor=officer, incident=draft)
        finally:
            filing.set()
    return call


def test_a_filing_and_a_token_of_a_reviewer_it_e_mails_at_once_both_succeed(officer_a,
                                                                            reviewer,
                                                                            monkeypatch):
    draft = make_draft(officer_a)
    locked, filing = _held_before_recording(users, monkeypatch)

    results = run_together(lambda: create_api_token(user=reviewer, name="triage script"),
                           _file_meanwhile(officer_a, draft, locked, filing))

    assert [exc for _, exc in results] == [None, None]
    assert Incident.objects.get(pk=draft.pk).reference
    assert OutboundEmail.objects.filter(recipient=reviewer).exists()
    assert ApiToken.objects.filter(user=reviewer, name="triage script").count() == 1


@pytest.mark.parametrize("change", [
    {"authorization_status": "suspended", "reason": "Missed duties."},
    {"name": "Alpha Postage Systems"},  # a unique column: the row is locked as for a key
], ids=["status", "name"])
def test_a_filing_and_a_change_of_its_provider_at_once_both_succeed(officer_a, manager,
                                                                     monkeypatch, change):
    draft = make_draft(officer_a)
    locked, filing = _held_before_recording(register, monkeypatch)

    results = run_together(
        lambda: update_provider(actor=manager, provider=officer_a.provider, **change),
        _file_meanwhile(officer_a, draft, locked, filing))

    assert [exc for _, exc in results] == [None, None]
    assert Incident.objects.get(pk=draft.pk).reference
    provider = Provider.objects.get(pk=officer_a.provider_id)
    for field, value in change.items():
        if field != "reason":
            assert getattr(provider, field) == value
