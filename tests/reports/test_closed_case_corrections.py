"""A returned status report on a case that closed is refused as closed, not as a correction
USPS waived."""

from datetime import timedelta

import pytest
import time_machine

from reports import services
from tests.factories import committed
from tests.reports.factories import NOW, file_report_at, investigating

pytestmark = pytest.mark.django_db
DAY = timedelta(days=1)


def test_a_returned_status_report_of_a_closed_case_is_refused_as_closed_not_waived(
        officer_a, reviewer, client, api_for):
    """Status report returned, then the final summary filed and accepted: the case is
    closed and nothing is filed on it. Neither the page nor the API may tell the officer
    USPS waived the correction and to file the next status report (none is owed, and
    none can be filed on a closed case)."""
    incident = investigating(officer_a, reviewer, interval=7)
    sr1, _ = file_report_at(officer_a, incident, "status", at=NOW + DAY)
    with time_machine.travel(NOW + 2 * DAY, tick=False), committed():
        services.return_report(actor=reviewer, report=sr1, comment="More detail.")
    final, _ = file_report_at(officer_a, incident, "final", at=NOW + 3 * DAY)
    with time_machine.travel(NOW + 4 * DAY, tick=False), committed():
        services.accept_report(actor=reviewer, report=final)
    incident.refresh_from_db()
    assert incident.status == "closed"

    client.force_login(officer_a)
    with time_machine.travel(NOW + 5 * DAY, tick=False):
        page = client.post(f"/reports/{sr1.pk}/edit/", {
            "progress": "Week two.", "anticipated_completion_date": "2026-09-30",
            "file": "1"})
        api = api_for(officer_a).post(f"/api/v1/reports/{sr1.pk}/submit/",
                                      {"progress": "Week two."}, format="json")

    assert page.status_code == 409 and api.status_code == 409
    sr1.refresh_from_db()
    assert (sr1.current_version, sr1.state) == (1, "returned")
    for text in (page.content.decode(), str(api.json())):
        assert "waived" not in text
        assert "file the next status report" not in text
