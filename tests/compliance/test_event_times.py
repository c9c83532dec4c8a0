"""Times recorded in audit events are in UTC, whoever typed them in whatever zone: the same
extension asked on the page and through the API is recorded alike, and the timeline API
answers every time in UTC."""

from datetime import timedelta

import time_machine

from compliance.models import AuditEvent
from tests import factories
from tests.conftest import api_as
from tests.reports.factories import NOW, case_under_review, written_duty


def is_utc(text):
    return text.endswith("Z") or text.endswith("+00:00")


def test_an_extension_asked_on_the_page_is_recorded_in_utc(client, officer_a, viewer_a):
    officer_a.timezone = "America/Chicago"
    officer_a.save(update_fields=["timezone"])
    case = case_under_review(officer_a, at=NOW - timedelta(hours=3))
    duty = written_duty(case)
    client.force_login(officer_a)
    with time_machine.travel(NOW, tick=False), factories.committed():
        response = client.post(f"/obligations/{duty.pk}/", {
            "requested_due_at": "2026-07-15T17:00", "justification": "The lab is booked."})
    assert response.status_code in (200, 302), response.content[:500]

    event = AuditEvent.objects.get(action="obligation.extension_requested")
    recorded = event.changes["requested_due_at"][1]
    answered = [e for e in api_as(viewer_a).get(
        f"/api/v1/incidents/{case.pk}/timeline/?page_size=200").json()["results"]
        if e["action"] == "obligation.extension_requested"][0]
    assert is_utc(recorded), f"recorded as {recorded!r}"
    assert is_utc(answered["changes"]["requested_due_at"][1])


def test_iso_time_records_the_instant_in_utc_and_a_date_as_it_is():
    from datetime import UTC, date, datetime
    from zoneinfo import ZoneInfo

    from compliance.services.audit import iso_time

    chicago = datetime(2026, 7, 15, 17, 0, tzinfo=ZoneInfo("America/Chicago"))
    assert iso_time(chicago) == "2026-07-15T22:00:00+00:00"
    assert iso_time(datetime(2026, 7, 15, 22, 0, tzinfo=UTC)) == "2026-07-15T22:00:00+00:00"
    assert iso_time(date(2026, 7, 15)) == "2026-07-15"
    assert iso_time(None) is None
