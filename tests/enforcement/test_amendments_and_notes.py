"""A step is versioned like a filing: its own side amends its text while nothing has
followed it, each version with its hash; the clocks it set never move. Internal notes are
USPS's alone."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction

from compliance.canonical import sha256_of
from compliance.enforcement.services import add_proceeding_note, amend_step
from compliance.errors import Conflict
from compliance.models import AuditEvent, ObligationKind, ProceedingNote, ProceedingStepVersion
from notifications.services import send_due_emails
from tests.conftest import require_service

from .helpers import DAY, T0, at, issue, period_of

pytestmark = pytest.mark.django_db


def test_usps_amends_its_notice_as_a_new_version(suspension, manager):
    notice = suspension.steps.get()
    due = period_of(suspension, ObligationKind.PROCEEDING_CORRECTION).due_at
    with at(T0 + DAY):
        version = amend_step(actor=manager, step=notice, body="Corrected grounds.",
                             reason="A typo in the date.")

    first, second = notice.versions.order_by("number")
    assert (version.number, second.amendment_reason) == (2, "A typo in the date.")
    assert second.changes == {"body": [first.content["body"], "Corrected grounds."],
                              "grounds": [first.content["grounds"], "Corrected grounds."]}
    assert second.document["previous_sha256"] == first.sha256
    assert second.sha256 == sha256_of(second.canonical_json) != first.sha256
    assert second.content["evidence"] == first.content["evidence"]
    notice.refresh_from_db()
    assert (notice.body, notice.current_version) == ("Corrected grounds.", 2)
    assert period_of(suspension, ObligationKind.PROCEEDING_CORRECTION).due_at == due


def test_amending_the_opening_notice_amends_the_grounds(suspension, manager, officer_a,
                                                       api_for, client):
    notice = suspension.steps.get()
    original = suspension.grounds
    with at(T0 + DAY):
        version = amend_step(actor=manager, step=notice, body="Corrected grounds.",
                             reason="A typo.")

    first = notice.versions.get(number=1)
    assert version.content["grounds"] == version.content["body"] == "Corrected grounds."
    assert first.content["grounds"] == first.content["body"] == original
    suspension.refresh_from_db()
    assert suspension.grounds == "Corrected grounds."
    body = api_for(manager).get(f"/api/v1/proceedings/{suspension.pk}/").json()
    assert body["grounds"] == "Corrected grounds."
    client.force_login(officer_a)
    html = client.get(f"/proceedings/{suspension.pk}/").content.decode()
    grounds = html.split("<h2>Grounds</h2>", 1)[1].split("</p>", 1)[0]
    assert "Corrected grounds." in grounds and original not in grounds

    # Only the opening notice's text is the grounds: amending the answer leaves them.
    answer = issue(officer_a, suspension, "correction", T0 + 2 * DAY)
    with at(T0 + 3 * DAY):
        amended = amend_step(actor=officer_a, step=answer, body="Fixed, with proof.",
                             reason="The proof.")
    suspension.refresh_from_db()
    assert suspension.grounds == "Corrected grounds."
    assert "grounds" not in amended.content


def test_the_email_of_a_notice_sent_after_its_amendment_says_what_it_said(
        suspension, manager, officer_a, mailoutbox):
    """Sent late (the mail server was away), the e-mail of version 1 carries version 1's
    text, and the amendment's e-mail the amended text."""
    notice = suspension.steps.get()
    original = suspension.grounds
    with at(T0 + DAY):
        amend_step(actor=manager, step=notice, body="Corrected grounds.", reason="A typo.")
    with at(T0 + DAY):
        send_due_emails()

    [first] = [m for m in mailoutbox if m.subject.endswith(": notice of proposed suspension")]
    [amended] = [m for m in mailoutbox if m.subject.endswith("amended notice of proposed "
                                                           "suspension")]
    assert original in first.body and "Corrected grounds." not in first.body
    assert original in first.alternatives[0][0]
    assert "Corrected grounds." in amended.body and original not in amended.body


def test_a_step_answered_is_no_longer_amended(suspension, manager, officer_a):
    notice = suspension.steps.get()
    answer = issue(officer_a, suspension, "correction", T0 + DAY)

    with pytest.raises(Conflict):
        amend_step(actor=manager, step=notice, body="New text.", reason="Late thought.")
    with pytest.raises(PermissionDenied):
        amend_step(actor=manager, step=answer, body="New text.", reason="Not theirs.")
    with pytest.raises(ValidationError):
        amend_step(actor=officer_a, step=answer, body=answer.body, reason="Same text.")
    assert notice.versions.count() == answer.versions.count() == 1


def test_notes_are_internal_to_usps(suspension, reviewer, officer_a):
    with pytest.raises(PermissionDenied):
        add_proceeding_note(actor=officer_a, proceeding=suspension, body="Let me in.")

    note = add_proceeding_note(actor=reviewer, proceeding=suspension,
                               body="Counsel thinks revocation is likelier.")

    assert list(ProceedingNote.objects.visible_to(officer_a)) == []
    assert list(ProceedingNote.objects.visible_to(reviewer)) == [note]
    event = AuditEvent.objects.get(action="proceeding.note_added")
    assert event.usps_only
    assert not AuditEvent.objects.visible_to(officer_a).filter(pk=event.pk).exists()


def test_the_database_refuses_to_change_or_remove_a_step_version(suspension):
    if connection.vendor != "postgresql":
        require_service("the append-only triggers are PostgreSQL's")
    version = suspension.steps.get().versions.get()

    with pytest.raises(DatabaseError, match="Cannot update or delete"), transaction.atomic():
        ProceedingStepVersion.objects.filter(pk=version.pk).update(canonical_json="{}")
    with pytest.raises(DatabaseError, match="Cannot update or delete"), transaction.atomic():
        ProceedingStepVersion.objects.filter(pk=version.pk).delete()

    kept = ProceedingStepVersion.objects.get(pk=version.pk)
    assert (kept.canonical_json, kept.sha256) == (version.canonical_json, version.sha256)


def test_a_step_filed_by_tooling_and_sent_back_untouched_from_a_page_changes_nothing(
        suspension, officer_a):
    """Tooling sends LF line breaks, a browser's text box CR LF: the same words either way."""
    answer = issue(officer_a, suspension, "correction", T0 + DAY,
                   body="Filed the report.\nProof attached.")

    with at(T0 + 2 * DAY), pytest.raises(ValidationError, match="Nothing changed"):
        amend_step(actor=officer_a, step=answer, body="Filed the report.\r\nProof attached.",
                   reason="Resent.")
    assert answer.versions.count() == 1


def test_a_step_from_a_page_keeps_its_line_breaks_as_lf(suspension, officer_a):
    answer = issue(officer_a, suspension, "correction", T0 + DAY,
                   body="Filed the report.\r\nProof attached.\r\n")

    assert answer.body == "Filed the report.\nProof attached."
    assert answer.versions.get().content["body"] == "Filed the report.\nProof attached."
