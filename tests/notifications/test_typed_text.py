"""A case's title is one line, whatever sent it: a line break (through the API or a form
post made by hand) would show its further lines as lines of their own in the plain-text
e-mails USPS's reviewers read, a row of a daily digest or a field of the new-filing
e-mail; a directional override would turn round what follows the title on its line."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail

from incidents import services as incidents
from incidents.models import Incident
from notifications.digest import send_digests
from notifications.models import EmailPreference
from notifications.services import send_due_emails
from tests import factories
from tests.incidents.factories import NOW

pytestmark = pytest.mark.django_db

FAKE_ROW = "- 2026-06-12 09:00 EDT  Bravo Meters: Written report for PES-2026-00077 (Missed)"
FAKE_FIELD = "Filed at:       2026-06-10 06:30 EDT"


def file_via_api(api_for, officer, title):
    body = {"category": "security_weakness", "subtype": "equipment_defect", "title": title,
            "description": "Resets accepted.",
            "discovered_at": (NOW - timedelta(hours=2)).isoformat(),
            "discovery_timezone": "America/New_York", "discovered_by_name": "Dana",
            "pes_models": [factories.PESModelFactory(provider=officer.provider).pk]}
    with time_machine.travel(NOW, tick=False):
        created = api_for(officer).post("/api/v1/incidents/", body, format="json")
        assert created.status_code == 201, created.content
        pk = created.json()["id"]
        filed = api_for(officer).post(f"/api/v1/incidents/{pk}/submit/", {}, format="json")
        assert filed.status_code == 201, filed.content
    return Incident.objects.get(pk=pk)


def test_a_title_cannot_add_a_field_to_the_new_filing_email(api_for, officer_a, reviewer):
    incident = file_via_api(api_for, officer_a, f"Meter fault\r\n{FAKE_FIELD}")
    assert incident.title == f"Meter fault {FAKE_FIELD}"
    with time_machine.travel(NOW + timedelta(minutes=1), tick=False):
        send_due_emails()
    filed = next(m for m in mail.outbox if m.to == [reviewer.email])
    lines = filed.body.splitlines()
    assert [line for line in lines if line.startswith("Filed at:")] == [
        "Filed at:       2026-06-10 08:00 EDT"], filed.body


def test_a_title_cannot_add_a_row_to_a_reviewers_digest(api_for, officer_a, reviewer):
    incident = file_via_api(api_for, officer_a, f"Meter fault\n{FAKE_ROW}")
    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        incidents.triage_incident(actor=reviewer, incident=incident, revenue_risk="high",
                                  rationale="Reaches postage funds.")
    EmailPreference.objects.create(user=reviewer, daily_digest=True)
    mail.outbox.clear()
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        send_due_emails()
        mail.outbox.clear()
        send_digests()
        send_due_emails()
    digest = mail.outbox[0]
    rows = [line for line in digest.body.splitlines() if line.startswith("- ")]
    assert len(rows) == 1, digest.body


BIDI_CONTROLS = "\u202a\u202b\u202d\u202e\u2066\u2067\u2068"


def test_a_title_cannot_turn_round_what_a_digest_row_says_after_it(api_for, officer_a,
                                                                   reviewer):
    """A right-to-left override in a title runs on to the end of the line in a plain-text
    e-mail: the title "Meter fault <RLO> )teM(" would make the row "... Meter fault <RLO>
    )teM( (Open)" display as "... Meter fault )nepO( (Met)", a row owed read as met."""
    incident = file_via_api(api_for, officer_a, "Meter fault \u202e )teM(")
    assert incident.title == "Meter fault  )teM("
    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        incidents.triage_incident(actor=reviewer, incident=incident, revenue_risk="high",
                                  rationale="Reaches postage funds.")
    EmailPreference.objects.create(user=reviewer, daily_digest=True)
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        send_due_emails()
        mail.outbox.clear()
        send_digests()
        send_due_emails()
    row = next(line for line in mail.outbox[0].body.splitlines() if line.startswith("- "))
    title_end = row.index(")teM(") + len(")teM(")
    assert not [ch for ch in row[:title_end] if ch in BIDI_CONTROLS], repr(row)


PERSIAN = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"  # a zero-width non-joiner within


@pytest.mark.parametrize(("typed", "kept"), [
    ("Meter\r\nfault", "Meter fault"),
    ("Meter\tfault\u2028now", "Meter fault now"),
    ("Meter \u202efault\u202c", "Meter fault"),
    ("Acme\u200b Dealers\ufeff", "Acme Dealers"),
    (PERSIAN, PERSIAN),
    ("  two  spaces kept  ", "two  spaces kept"),
])
def test_a_one_line_text_is_kept_on_one_line_and_visible(typed, kept):
    """Line breaks become spaces and invisible format characters go; the joiners Persian
    and Indic script need stay (a zero-width non-joiner in a Persian word)."""
    from compliance.text import as_line

    assert as_line(typed) == kept


def test_the_discoverers_name_is_one_line_too(api_for, officer_a):
    incident = file_via_api(api_for, officer_a, "Meter fault")
    draft = api_for(officer_a).post("/api/v1/incidents/", {
        "category": "security_weakness", "subtype": "equipment_defect", "title": "Seal",
        "description": "Broken.", "discovered_at": (NOW - timedelta(hours=2)).isoformat(),
        "discovery_timezone": "America/New_York", "discovered_by_name": "Dana\nField team",
        "pes_models": [incident.pes_models.first().pk]}, format="json")

    assert draft.json()["discovered_by_name"] == "Dana Field team"
