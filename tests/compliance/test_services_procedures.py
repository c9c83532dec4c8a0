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
