"""Internal reporting procedures, § 501.11(d): versions, reviews and the standing duty."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from compliance.errors import Conflict
from compliance.models import Obligation, ObligationKind, ProcedureDocument
from compliance.services import (
    accept_procedures,
    create_provider,
    ensure_procedures_obligations,
    request_procedure_changes,
    upload_procedures,
)
from notifications.sweep import sweep

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with time_machine.travel(NOW, tick=False):
        yield


def upload(officer, summary="", body=b"%PDF-1.4 procedures"):
    return upload_procedures(actor=officer, provider=officer.provider,
                             uploaded_file=SimpleUploadedFile("p.pdf", body),
                             effective_date=date(2026, 3, 1), summary_of_changes=summary)


def duties(provider):
    return Obligation.objects.filter(provider=provider, kind=ObligationKind.PROCEDURES)


def test_it_opens_the_procedures_duty_when_a_provider_is_registered(manager):
    provider = create_provider(actor=manager, name="Gamma", authorization_number="G-1")

    duty = duties(provider).get()
    assert duty.state == "open" and duty.clause == "§ 501.11(d)"
    # 30 days later, by the end of that day in the provider's zone (New York).
    assert duty.due_at == datetime(2026, 4, 2, 3, 59, 59, tzinfo=UTC)


def test_it_opens_missing_duties_once_for_existing_providers(provider_a, provider_b):
    assert ensure_procedures_obligations() == 2
    assert ensure_procedures_obligations() == 0
    assert duties(provider_a).count() == 1


def test_it_stores_versions_with_size_and_hash(officer_a):
    first = upload(officer_a)
    second = upload(officer_a, summary="Added the night shift.")

    assert (first.version, second.version) == (1, 2)
    assert first.size == len(b"%PDF-1.4 procedures") and len(first.sha256) == 64
    assert "p.pdf" not in first.file.name


def test_it_wants_a_summary_of_changes_after_the_first_version(officer_a):
    upload(officer_a)
    with pytest.raises(ValidationError) as exc:
        upload(officer_a)
    assert "summary_of_changes" in exc.value.message_dict


def test_it_lets_only_the_providers_officers_upload(officer_b, viewer_a, reviewer, officer_a):
    for user in (officer_b, viewer_a, reviewer):
        with pytest.raises(PermissionDenied):
            upload_procedures(actor=user, provider=officer_a.provider,
                              uploaded_file=SimpleUploadedFile("p.pdf", b"%PDF-"),
                              effective_date=date(2026, 3, 1))


def test_it_meets_the_duty_when_a_version_is_filed(officer_a, reviewer, provider_a):
    ensure_procedures_obligations()
    document = upload(officer_a)
    assert duties(provider_a).get().state == "met"

    document = accept_procedures(actor=reviewer, document=document)

    assert document.review_state == "accepted"
    assert duties(provider_a).get().state == "met"


def test_a_slow_review_by_usps_never_makes_the_provider_late(officer_a, reviewer, provider_a):
    ensure_procedures_obligations()
    document = upload(officer_a)
    with time_machine.travel(NOW + timedelta(days=31), tick=False):
        accept_procedures(actor=reviewer, document=document)

    assert duties(provider_a).get().state == "met"


def test_a_version_filed_after_the_due_time_meets_the_duty_late(officer_a, provider_a):
    ensure_procedures_obligations()
    with time_machine.travel(NOW + timedelta(days=31), tick=False):
        upload(officer_a)

    assert duties(provider_a).get().state == "late"


def test_a_new_version_while_accepted_reopens_nothing(officer_a, reviewer, provider_a):
    ensure_procedures_obligations()
    accept_procedures(actor=reviewer, document=upload(officer_a))
    upload(officer_a, summary="Typos.")

    assert list(duties(provider_a).values_list("state", flat=True)) == ["met"]


def test_changes_requested_open_the_duty_again(officer_a, reviewer, provider_a):
    ensure_procedures_obligations()
    accept_procedures(actor=reviewer, document=upload(officer_a))
    second = upload(officer_a, summary="New escalation path.")

    request_procedure_changes(actor=reviewer, document=second, comment="Name the deputy.",
                              due_at=NOW + timedelta(days=14))

    assert sorted(duties(provider_a).values_list("state", flat=True)) == ["met", "open"]
    assert duties(provider_a).get(state="open").due_at == NOW + timedelta(days=14)


def test_changes_requested_keep_a_single_open_duty(officer_a, reviewer, provider_a):
    ensure_procedures_obligations()
    first = upload(officer_a)
    second = upload(officer_a, summary="More detail.")
    request_procedure_changes(actor=reviewer, document=first, comment="More.")
    request_procedure_changes(actor=reviewer, document=second, comment="Still more.")

    assert sorted(duties(provider_a).values_list("state", flat=True)) == ["met", "open"]


def test_changes_on_a_version_a_later_one_answers_owe_nothing_more(officer_a, reviewer,
                                                                   provider_a):
    """The revised copy is already with USPS: how long USPS takes to review it never makes
    the provider late."""
    ensure_procedures_obligations()
    first = upload(officer_a)
    upload(officer_a, summary="Named the deputy.")

    request_procedure_changes(actor=reviewer, document=first, comment="Name the deputy.")
    with time_machine.travel(NOW + timedelta(days=45), tick=False):
        sweep(NOW + timedelta(days=45))

    assert list(duties(provider_a).values_list("state", flat=True)) == ["met"]


def test_changes_on_an_old_version_while_a_later_is_accepted_owe_nothing(officer_a, reviewer,
                                                                          provider_a):
    ensure_procedures_obligations()
    first = upload(officer_a)
    accept_procedures(actor=reviewer, document=upload(officer_a, summary="Named the deputy."))

    request_procedure_changes(actor=reviewer, document=first, comment="Old version: no.")

    assert list(duties(provider_a).values_list("state", flat=True)) == ["met"]
    first.refresh_from_db()
    assert first.review_state == "changes_requested"


def test_it_wants_a_comment_to_request_changes(officer_a, reviewer):
    with pytest.raises(ValidationError):
        request_procedure_changes(actor=reviewer, document=upload(officer_a), comment=" ")


def test_it_reviews_a_version_once_and_only_usps_reviews(officer_a, reviewer):
    document = upload(officer_a)
    with pytest.raises(PermissionDenied):
        accept_procedures(actor=officer_a, document=document)
    accept_procedures(actor=reviewer, document=document)
    with pytest.raises(Conflict):
        request_procedure_changes(actor=reviewer, document=document, comment="Late thought.")
    assert ProcedureDocument.objects.get().review_state == "accepted"


# Versions reviewed out of order: the duty owed whatever order USPS reviews in, a missed
# duty never rewritten, a superseded version no longer waiting on USPS.

def test_a_missed_revision_is_not_rewritten_met_on_time_by_accepting_an_older_version(
        officer_a, reviewer, provider_a):
    """v1 and v2 wait on USPS; USPS asks for changes on v2 (a revised copy is owed, due
    in 14 days). The provider sends nothing and the sweep marks the duty missed. When USPS
    later accepts the old v1, the missed duty must not turn into "met on time", met
    before it was even opened: the record of a missed duty is permanent."""
    ensure_procedures_obligations()
    with time_machine.travel(NOW - timedelta(days=3), tick=False):
        first = upload(officer_a)
        second = upload(officer_a, summary="New escalation path.")
    request_procedure_changes(actor=reviewer, document=second, comment="Name the deputy.",
                              due_at=NOW + timedelta(days=14))
    revision = duties(provider_a).get(state="open")

    later = NOW + timedelta(days=20)
    with time_machine.travel(later, tick=False):
        sweep(later)
        revision.refresh_from_db()
        assert revision.state == "missed"
        accept_procedures(actor=reviewer, document=first)

    revision.refresh_from_db()
    assert revision.state != "met", (revision.state, revision.met_at, revision.created_at)
    assert revision.met_at is None or revision.met_at >= revision.created_at


def test_the_order_of_usps_reviews_does_not_decide_whether_a_revision_is_owed(
        officer_a, officer_b, reviewer, provider_a, provider_b):
    """Two providers, each with v1 and v2 waiting on USPS; USPS accepts v1 and asks for
    changes on v2 for both, in opposite orders. Same versions, same decisions: the same
    revised copy is owed (README: asking for changes opens the duty again unless a
    *later* version is already filed; v1 is earlier)."""
    ensure_procedures_obligations()
    a1, a2 = upload(officer_a), upload(officer_a, summary="More.")
    b1, b2 = upload(officer_b), upload(officer_b, summary="More.")

    accept_procedures(actor=reviewer, document=a1)
    request_procedure_changes(actor=reviewer, document=a2, comment="Name the deputy.")

    request_procedure_changes(actor=reviewer, document=b2, comment="Name the deputy.")
    accept_procedures(actor=reviewer, document=b1)

    owed_a = sorted(duties(provider_a).values_list("state", flat=True))
    owed_b = sorted(duties(provider_b).values_list("state", flat=True))
    assert owed_a == ["met", "open"]
    assert owed_b == owed_a


def test_a_version_superseded_by_an_accepted_later_one_no_longer_waits_on_usps(
        officer_a, reviewer, provider_a, client):
    """v1 and v2 filed; USPS accepts v2, the provider's current copy. v1 is superseded:
    it must not keep waiting on USPS for ever (an inbox item past target, escalated to
    the managers), nor keep the provider's home page saying v1 is "with USPS"."""
    ensure_procedures_obligations()
    upload(officer_a)
    second = upload(officer_a, summary="Named the deputy.")
    accept_procedures(actor=reviewer, document=second)

    waiting = Obligation.objects.filter(kind=ObligationKind.USPS_PROCEDURES_REVIEW,
                                        provider=provider_a, state__in=["open", "missed"],
                                        closed_at__isnull=True)
    client.force_login(officer_a)
    home = client.get("/").content.decode()
    assert 'data-testid="procedures-with-usps"' not in home, home
    assert list(waiting.values_list("subject", flat=True)) == []
    [closed] = Obligation.objects.filter(kind=ObligationKind.USPS_PROCEDURES_REVIEW,
                                         provider=provider_a, closed_at__isnull=False)
    assert "Version 2, filed after it, is accepted." in closed.closed_reason


def test_the_procedures_page_says_a_revised_copy_is_due_while_an_older_version_waits(
        officer_a, reviewer, provider_a, client):
    """v1 and v2 filed; USPS asks for changes on v2 (the latest): a revised copy is owed.
    The procedures page must say so (with its due time), not only that v1 is with USPS."""
    ensure_procedures_obligations()
    upload(officer_a)
    second = upload(officer_a, summary="Named the deputy.")
    request_procedure_changes(actor=reviewer, document=second, comment="Name the deputy.")
    assert duties(provider_a).filter(state="open").exists()

    client.force_login(officer_a)
    page = client.get("/procedures/").content.decode()
    assert "a revised copy is due" in page, page[page.find("<h1"):page.find("<table")]


def test_changes_on_a_version_a_later_one_answers_do_not_ask_the_officers_to_upload(
        officer_a, reviewer, provider_a):
    """v2 is already with USPS when USPS asks for changes on v1: nothing is owed (the
    service opens no duty), so the e-mail to the officers must not tell them to upload
    a revised version."""
    from notifications.models import OutboundEmail
    from tests.factories import committed

    ensure_procedures_obligations()
    first = upload(officer_a)
    upload(officer_a, summary="Named the deputy.")
    with committed():
        request_procedure_changes(actor=reviewer, document=first, comment="Name the deputy.")

    assert not duties(provider_a).filter(state="open").exists()
    email = OutboundEmail.objects.get(template="procedures_reviewed").rendered
    assert "Upload a revised version" not in email.body_text, email.body_text


def test_a_version_filed_settles_a_request_for_more_time_on_the_duty(officer_a, reviewer,
                                                                     provider_a):
    """Nothing is left to extend once the duty is met: the request waits on USPS no more."""
    from compliance.models import ExtensionState
    from compliance.services import request_extension

    ensure_procedures_obligations()
    duty = duties(provider_a).get()
    extension = request_extension(actor=officer_a, obligation=duty,
                                  requested_due_at=duty.due_at + timedelta(days=14),
                                  justification="The board meets next month.")

    upload(officer_a)

    extension.refresh_from_db()
    target = Obligation.objects.get(kind=ObligationKind.USPS_EXTENSION_DECISION,
                                    object_id=extension.pk)
    assert (duties(provider_a).get().state, extension.state, target.state) == (
        "met", ExtensionState.DENIED, "met")
