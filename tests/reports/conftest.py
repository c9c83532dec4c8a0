from datetime import timedelta

import pytest

from .factories import NOW, case_under_review, file_report_at


@pytest.fixture
def case(officer_a):
    """A case triaged three hours ago, its written report owed."""
    return case_under_review(officer_a, at=NOW - timedelta(hours=3))


@pytest.fixture
def filed(officer_a, case):
    """The case's written report, filed an hour ago."""
    report, _ = file_report_at(officer_a, case, "written", at=NOW - timedelta(hours=1))
    return report


@pytest.fixture
def draft(officer_a):
    """A draft written report on a case of its own."""
    other = case_under_review(officer_a, at=NOW - timedelta(hours=2))
    report, _ = file_report_at(officer_a, other, "written", at=NOW, draft=True)
    return report
