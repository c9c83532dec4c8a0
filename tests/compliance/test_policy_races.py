"""Two managers save the deadline policy from pages filled from the same version, at the
same time: the second must be refused (Conflict), not saved over the first."""

import threading

import pytest
from django.db import transaction

from compliance.errors import Conflict
from compliance.models import DeadlinePolicy
from compliance.models.policy import (
    DEFAULT_ESCALATION,
    DEFAULT_REMINDER_OFFSETS_HOURS,
    DEFAULT_RISK_WINDOWS,
)
from compliance.services.policy import save_deadline_policy
from tests import factories
from tests.concurrency import postgresql, run_together  # noqa: F401

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("postgresql")]

def _save(actor, base_version, days, note):
    windows = {risk: dict(row) for risk, row in DEFAULT_RISK_WINDOWS.items()}
    windows["critical"]["written_report_days"] = days
    return save_deadline_policy(actor=actor, risk_windows=windows,
                                reminder_offsets_hours=DEFAULT_REMINDER_OFFSETS_HOURS,
                                escalation=DEFAULT_ESCALATION, note=note,
                                base_version=base_version)

def test_concurrent_saves_from_the_same_version_refuse_the_second():
    a = factories.ManagerFactory(username="manager.a")
    b = factories.ManagerFactory(username="manager.b")
    _save(a, 0, 5, "Version 1.")
    saved, release = threading.Event(), threading.Event()

    def first():
        with transaction.atomic():
            policy = _save(a, 1, 2, "A: critical within 2 days.")
            saved.set()
            release.wait(10)  # still in its transaction: the commit comes later
        return policy.version

    def second():
        saved.wait(10)
        threading.Timer(1.0, release.set).start()  # B is waiting on A's lock by then
        return _save(b, 1, 9, "B: critical within 9 days (filled from version 1).").version

    results = run_together(first, second)

    assert results[0] == (2, None)
    versions = list(DeadlinePolicy.objects.order_by("version").values_list("version", "note"))
    assert isinstance(results[1][1], Conflict), (results, versions)
    assert "Version 2 was saved meanwhile by manager.a" in results[1][1].message
    assert [v for v, _ in versions] == [1, 2]
    assert DeadlinePolicy.in_force().risk_windows["critical"]["written_report_days"] == 2
