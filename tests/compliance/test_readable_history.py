"""Histories read as sentences: field labels, choice labels and times in the viewer's zone
(UTC on hover), never the raw stored values."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from compliance.labels import change_rows, value_text
from incidents import services as incidents
from tests.incidents.factories import make_filed

NOW = datetime(2026, 11, 29, 22, 51, tzinfo=UTC)  # 17:51 in New York (EST)


def text(html):
    return " ".join(re.sub(r"<[^>]+>", " ", str(html)).split())


def test_a_stored_time_reads_in_the_viewers_zone_with_utc_on_hover():
    with timezone.override("America/New_York"):
        shown = value_text("due_at", "2026-11-29T22:51:00.000000Z")

    assert text(shown) == "2026-11-29 17:51 EST"
    assert 'title="2026-11-29 22:51 UTC"' in shown


def test_choice_values_read_as_their_labels():
    assert value_text("category", "security_weakness") == (
        "Security weakness or tampering method (b)(2)")
    assert value_text("kind", "written_report") == "Written report"
    assert value_text("revenue_risk", "high") == "High"
    assert value_text("state", "missed") == "Missed"


def test_a_value_set_for_the_first_time_reads_without_an_arrow():
    rows = change_rows({"kind": [None, "written_report"], "is_late": [None, False]})

    assert rows == [("Kind", None, "Written report"), ("Is late", None, "no")]


@pytest.mark.django_db
def test_the_case_timeline_shows_no_raw_value(signed_in, officer_a, reviewer):
    incident = make_filed(officer_a, at=NOW - timedelta(hours=2))
    with time_machine.travel(NOW, tick=False):
        incidents.triage_incident(actor=reviewer, incident=incident, revenue_risk="high",
                                  rationale="Reaches funds.")

    for user in (officer_a, reviewer):
        page = signed_in(user).get(f"/incidents/{incident.pk}/").content.decode()
        timeline = page[page.index('data-testid="timeline"'):]
        timeline = timeline[:timeline.index("</ol>")]
        readable = text(timeline)
        for raw in ("written_report", "security_weakness", "under_review", ".000000Z",
                    "T22:51", "+00:00", "→ high"):
            assert raw not in readable, (user, raw)
        assert "Revenue risk: High" in readable
        assert "Kind: Written report" in readable
        assert "Status: Submitted → Under review" in readable
        assert "EST" in readable and "UTC" not in readable


def test_roles_read_as_english_with_their_article():
    from compliance.templatetags.display import possessive, role_phrase

    assert role_phrase("usps_reviewer") == "a USPS reviewer"
    assert role_phrase("provider_officer") == "a provider compliance officer"
    assert possessive("Meridian Postage Systems") == "Meridian Postage Systems'"
    assert possessive("Alpha Postage") == "Alpha Postage's"
