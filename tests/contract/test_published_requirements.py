"""The published contract (shared/API.md), the OpenAPI schema and what the endpoints do
agree: no unpublished field required, no published field marked required where the
endpoint takes it as optional, every time in an answer in UTC with `Z`."""

import re

import pytest

from tests.incidents.factories import make_filed

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
