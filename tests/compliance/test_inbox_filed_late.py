"""What the provider filed after its due time waits on USPS flagged "Filed late", decided by
the time: an extension asked after the duty's due time (whether or not the sweep has yet
marked it missed), an answer in a proceeding after its period."""

from datetime import timedelta

import pytest
import time_machine

from compliance import services as core
from compliance.models import Obligation, ObligationKind
from tests.enforcement.helpers import DAY, T0, issue, open_sanction, period_of
from tests.factories import committed
from tests.reports.factories import NOW, case_under_review, written_duty

pytestmark = pytest.mark.django_db


def test_an_extension_asked_after_the_due_time_is_filed_late_before_the_sweep_runs(officer_a):
    case = case_under_review(officer_a, at=NOW, written_due=timedelta(days=1))
    duty = written_duty(case)
    # Ten minutes after the due time; the sweep has not run yet (e.g. it is stalled), so
    # the duty still reads "open" although its due time has passed.
    with time_machine.travel(duty.due_at + timedelta(minutes=10), tick=False), committed():
        extension = core.request_extension(
            actor=officer_a, obligation=duty,
            requested_due_at=duty.due_at + timedelta(days=7), justification="Lab booked.")

    target = Obligation.objects.get(kind=ObligationKind.USPS_EXTENSION_DECISION,
                                    object_id=extension.pk)
    assert target.filed_late, "asked after the due time: the inbox must say 'Filed late'"


def test_a_late_appeal_waits_on_usps_flagged_filed_late(manager, provider_a, officer_a):
    sanction = open_sanction(manager, provider_a, amount="1200.00")
    issue(officer_a, sanction, "defense", T0 + 5 * DAY)
    issue(manager, sanction, "decision", T0 + 6 * DAY)

    step = issue(officer_a, sanction, "appeal", T0 + 40 * DAY, body="We appeal.",
                 late_reason="Our counsel was ill.")
    assert step.is_late and period_of(sanction, ObligationKind.PROCEEDING_APPEAL).state == "late"

    target = period_of(sanction, ObligationKind.USPS_PROCEEDING_DECISION)
    assert target.state == "open"
    assert target.filed_late, "the appeal came after its period: the inbox must say so"
