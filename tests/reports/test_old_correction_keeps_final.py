"""A correction of an older period's status report that keeps the anticipated completion
date it stated restates nothing: the date a later status report revised the final summary
to stands."""

from datetime import date, timedelta

import pytest
import time_machine

from compliance.models import Obligation
from reports import services
from tests.factories import committed
from tests.reports.factories import NOW, STATUS, file_report_at, investigating

pytestmark = pytest.mark.django_db
DAY = timedelta(days=1)


def test_correcting_an_older_status_report_does_not_undo_a_later_revision(officer_a,
                                                                          reviewer):
    incident = investigating(officer_a, reviewer)
    s1, _ = file_report_at(officer_a, incident, "status", at=NOW + DAY,
                           **{**STATUS, "anticipated_completion_date": date(2026, 10, 31)})
    # The next period's report is drafted before USPS returns the first one ...
    s2, _ = file_report_at(officer_a, incident, "status", at=NOW + 2 * DAY, draft=True)
    with time_machine.travel(NOW + 3 * DAY, tick=False), committed():
        services.return_report(actor=reviewer, report=s1, comment="Say more on progress.")
    # ... and filed, revising the date to December 15.
    with time_machine.travel(NOW + 4 * DAY, tick=False), committed():
        services.submit_report(actor=officer_a, report=s2,
                               **{**STATUS, "anticipated_completion_date": date(2026, 12, 15)})
    final = Obligation.objects.get(incident_id=incident.pk, kind="final_summary")
    revised = final.due_at

    # The first report is corrected: only its progress changes, its date stays as it was.
    _, v2 = file_report_at(officer_a, incident, "status", at=NOW + 5 * DAY,
                           progress="More on progress: the bench replay is complete.",
                           anticipated_completion_date=date(2026, 10, 31))
    assert "anticipated_completion_date" not in v2.changes
    final.refresh_from_db()
    assert final.due_at == revised, (
        f"final summary moved from {revised} to {final.due_at} by a correction that did "
        "not change its report's anticipated completion date")
