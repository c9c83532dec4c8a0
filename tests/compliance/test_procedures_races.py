"""Races on accepting a procedures version, which closes the USPS targets of earlier
versions still waiting: reviews and uploads of one provider's procedures run in turn (the
provider's row is locked with the version), so none fails and none is left waiting."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from compliance.models import Obligation, ObligationKind
from compliance.services import (
    accept_procedures,
    ensure_procedures_obligations,
    request_procedure_changes,
    upload_procedures,
)
from tests import factories
from tests.concurrency import postgresql, rendezvous, run_together  # noqa: F401

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("postgresql")]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def upload(officer, summary=""):
    return upload_procedures(actor=officer, provider=officer.provider,
                             uploaded_file=SimpleUploadedFile("p.pdf", b"%PDF-1.4 procedures"),
                             effective_date=date(2026, 3, 1), summary_of_changes=summary)


def waiting(provider):
    return list(Obligation.objects.usps_targets().outstanding().filter(
        kind=ObligationKind.USPS_PROCEDURES_REVIEW, provider=provider)
        .values_list("subject", flat=True))


@pytest.mark.parametrize("second", ["accept", "changes", "upload"])
def test_accepting_v2_while_v1_is_reviewed_or_v3_uploaded(officer_a, reviewer, second):
    other = factories.ReviewerFactory(username="reviewer_two")
    ensure_procedures_obligations()
    v1 = upload(officer_a)
    v2 = upload(officer_a, summary="Named the deputy.")
    calls = {
        "accept": lambda: accept_procedures(actor=other, document=v1),
        "changes": lambda: request_procedure_changes(actor=other, document=v1,
                                                     comment="Name the deputy."),
        "upload": lambda: upload(officer_a, summary="v3"),
    }
    with rendezvous("compliance.services.procedures._lock_pending",
                    "compliance.services.procedures.check_upload", timeout=1):
        results = run_together(lambda: accept_procedures(actor=reviewer, document=v2),
                               calls[second])
    assert [repr(e) for _, e in results if e] == []
    left = waiting(officer_a.provider)
    assert left == ([] if second != "upload" else [left[0]]) and all("v3" in s for s in left)
    duty = Obligation.objects.filter(kind=ObligationKind.PROCEDURES,
                                     provider=officer_a.provider)
    assert not duty.filter(state__in=["open", "missed"], closed_at__isnull=True).exists()


def test_two_reviewers_accepting_v3_and_v2_at_once_both_succeed(officer_a, reviewer):
    """Each closes the earlier versions' targets: v3's closes v1's and v2's, v2's v1's."""
    other = factories.ReviewerFactory(username="reviewer_two")
    ensure_procedures_obligations()
    upload(officer_a)
    v2 = upload(officer_a, summary="Named the deputy.")
    v3 = upload(officer_a, summary="Named a second deputy.")
    with rendezvous("compliance.services.procedures._lock_pending", timeout=1):
        results = run_together(lambda: accept_procedures(actor=reviewer, document=v3),
                               lambda: accept_procedures(actor=other, document=v2))
    assert [repr(e) for _, e in results if e] == []
    assert waiting(officer_a.provider) == []
