"""Texts kept before one-line texts were kept on one line (a title holding a line break,
a discoverer's name a zero-width space): a case filed so is amended without the cleaning
counting as the officer's change, and a draft saved so is filed on one line."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError

from compliance.text import as_typed
from incidents import services
from incidents.models import Incident
from notifications.services import send_due_emails
from tests import factories
from tests.incidents.factories import NOW, make_draft, make_filed

pytestmark = pytest.mark.django_db

OLD_TITLE = "Meter accepts forged resets\nat the Dover depot"
OLD_NAME = "Dana\u200b Discoverer"


@pytest.fixture
def filed_before(officer_a, monkeypatch):
    """Filed as the product kept these texts before it kept them on one line (`as_typed`)."""
    with monkeypatch.context() as patched:
        patched.setattr("incidents.services.validation.as_line", as_typed)
        incident = make_filed(officer_a, at=NOW - timedelta(hours=1), title=OLD_TITLE,
                              discovered_by_name=OLD_NAME)
    assert incident.title == OLD_TITLE and incident.discovered_by_name == OLD_NAME
    return incident


def test_amending_the_description_records_no_change_of_title_or_discoverer(officer_a,
                                                                           filed_before):
    with time_machine.travel(NOW, tick=False), factories.committed():
        version = services.amend_incident(
            actor=officer_a, incident=filed_before, amendment_reason="More detail.",
            description="Resets without a valid descending register are accepted daily.")

    assert sorted(version.changes) == ["description"], version.changes


def test_sending_the_filed_title_back_unchanged_is_nothing_changed(officer_a, filed_before):
    """An API client amends with the title and name it read, unchanged: nothing changed."""
    with time_machine.travel(NOW, tick=False), factories.committed():
        with pytest.raises(ValidationError) as refused:
            services.amend_incident(
                actor=officer_a, incident=filed_before, amendment_reason="Resent.",
                title=OLD_TITLE, discovered_by_name=OLD_NAME)

    assert "Nothing changed" in str(refused.value)
    assert Incident.objects.get(pk=filed_before.pk).current_version == 1


FAKE_FIELD = "Filed at:       2026-06-10 06:30 EDT"


def test_a_draft_saved_before_is_filed_on_one_line(officer_a, reviewer, monkeypatch):
    """Else the new-filing e-mail to USPS's reviewers shows its second line as a field."""
    with monkeypatch.context() as patched, time_machine.travel(NOW - timedelta(hours=1),
                                                                tick=False):
        patched.setattr("incidents.services.validation.as_line", as_typed)
        draft = make_draft(officer_a, title=f"Meter fault\n{FAKE_FIELD}",
                           discovered_at=NOW - timedelta(hours=2))
    with time_machine.travel(NOW, tick=False), factories.committed():
        version = services.submit_incident(actor=officer_a, incident=draft)

    assert "\n" not in Incident.objects.get(pk=draft.pk).title
    assert "\n" not in version.content["title"]
    with time_machine.travel(NOW + timedelta(minutes=1), tick=False):
        send_due_emails()
    filed = next(m for m in mail.outbox if m.to == [reviewer.email])
    assert [line for line in filed.body.splitlines() if line.startswith("Filed at:")] == [
        "Filed at:       2026-06-10 08:00 EDT"], filed.body
