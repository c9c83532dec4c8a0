"""A reviewer who stops reviewing: the steps waiting for them on every case they held are
followed in one pass, its queries as many for five cases as for two."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from incidents import services as incidents
from notifications.models import OutboundEmail
from notifications.sweep import follow_reviewer, sweep
from tests import factories
from tests.incidents.factories import make_filed
from tests.notifications.test_reassignment import FILED, TARGET

pytestmark = pytest.mark.django_db


def queries_to_follow(officer, manager, cases):
    old = factories.ReviewerFactory(username=f"old.reviewer.{cases}")
    for _ in range(cases):
        incident = make_filed(officer, at=FILED)
        with time_machine.travel(FILED + timedelta(hours=1), tick=False):
            incidents.assign_reviewer(actor=manager, incident=incident, reviewer=old)
    with time_machine.travel(TARGET - timedelta(hours=7), tick=False):
        sweep()  # a triage reminder to `old` on each case
    reminders = OutboundEmail.objects.filter(recipient=old, template="usps_target_reminder")
    assert reminders.filter(state="pending").count() == cases
    old.role = "usps_manager"
    old.save(update_fields=["role"])
    with CaptureQueriesContext(connection) as done:
        follow_reviewer(old)
    assert not reminders.filter(state="pending").exists()
    return len(done)


def test_the_cases_a_reviewer_held_are_followed_in_one_pass(officer_a, reviewer, manager):
    assert queries_to_follow(officer_a, manager, 2) == queries_to_follow(officer_a,
                                                                         manager, 5)
