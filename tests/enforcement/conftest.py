"""A provider with a missed written report, and a suspension proceeding citing it."""

import pytest

from tests.reports.factories import case_under_review, written_duty

from .helpers import DAY, T0, open_suspension, sweep_at


@pytest.fixture
def missed_case(officer_a):
    """A case of provider A triaged 20 days before T0 at high revenue risk, whose written
    report (due 7 days later) the sweep has marked missed."""
    case = case_under_review(officer_a, at=T0 - 20 * DAY, risk="high", written_due=7 * DAY)
    sweep_at(T0 - 12 * DAY)
    assert written_duty(case).state == "missed"
    return case


@pytest.fixture
def missed_duty(missed_case):
    return written_duty(missed_case)


@pytest.fixture
def suspension(manager, provider_a, missed_case, missed_duty):
    """A suspension proceeding opened at T0, citing the missed written report and its case."""
    return open_suspension(manager, provider_a, obligations=[missed_duty],
                           incidents=[missed_case.pk])
