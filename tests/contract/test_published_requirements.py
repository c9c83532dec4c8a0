"""The published contract (shared/API.md), the OpenAPI schema and what the endpoints do
agree: no unpublished field required, no published field marked required where the
endpoint takes it as optional, every time in an answer in UTC with `Z`."""

import re
from datetime import timedelta

import pytest
import time_machine

from incidents import services as incidents
from tests.conftest import api_as
from tests.factories import committed
from tests.incidents.factories import NOW, make_filed

pytestmark = pytest.mark.django_db

Z_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")


def test_the_schema_does_not_require_unchanged_fields_of_an_amendment(api_for, officer_a):
    """API.md: `POST /api/v1/incidents/{id}/amend/` "with changed fields and
    amendment_reason"; the endpoint takes just those (partial). The schema must not mark
    every content field required, or a client generated from it must send them all."""
    filed = make_filed(officer_a)
    client = api_for(officer_a)
    works = client.post(f"/api/v1/incidents/{filed.pk}/amend/",
                        {"title": "Corrected title", "amendment_reason": "Typo."})
    assert works.status_code == 201, works.json()

    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    body = schema["paths"]["/api/v1/incidents/{id}/amend/"]["post"]["requestBody"]
    ref = body["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    required = set(schema["components"]["schemas"][ref].get("required", []))

    assert required <= {"amendment_reason"}, sorted(required)


def test_the_timeline_gives_times_in_utc_with_z(api_for, officer_a):
    """API.md: "Responses give times in UTC (`Z`)" — every response, the timeline's
    `changes` included (a due time or a met time there reads `+00:00` today)."""
    filed = make_filed(officer_a)

    events = api_for(officer_a).get(
        f"/api/v1/incidents/{filed.pk}/timeline/?page_size=200").json()["results"]

    times = [after for event in events for before_after in event["changes"].values()
             if isinstance(before_after, list) and len(before_after) == 2
             for after in before_after
             if isinstance(after, str) and re.match(r"^\d{4}-\d{2}-\d{2}T", after)]
    assert times, events
    assert all(Z_TIME.match(t) for t in times), times


# Text people filed is answered as typed, whatever it looks like; only recorded times
# are given in UTC.

def _amend_title(officer, title):
    case = make_filed(officer, at=NOW)
    with time_machine.travel(NOW + timedelta(hours=1), tick=False), committed():
        incidents.amend_incident(actor=officer, incident=case, title=title,
                                 amendment_reason="The title was wrong.")
    return case


def test_a_title_looking_like_an_impossible_time_does_not_break_the_timeline(
        officer_a, viewer_a, reviewer):
    case = _amend_title(officer_a, "2026-02-30T10:00Z")
    for user in (viewer_a, reviewer):
        response = api_as(user).get(f"/api/v1/incidents/{case.pk}/timeline/?page_size=200")
        assert response.status_code == 200, response.status_code


def test_a_title_looking_like_a_time_is_answered_as_typed(officer_a, viewer_a):
    case = _amend_title(officer_a, "2026-01-01T10:00+05:00")
    events = api_as(viewer_a).get(
        f"/api/v1/incidents/{case.pk}/timeline/?page_size=200").json()["results"]
    amended = [e for e in events if e["action"] == "incident.amended"][0]
    assert amended["changes"]["title"][1] == "2026-01-01T10:00+05:00"
