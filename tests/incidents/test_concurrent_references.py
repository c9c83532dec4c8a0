"""On PostgreSQL: officers submitting at the same instant get unique, gap-free references,
and refused submissions among them lose no number."""

import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils import timezone

from incidents import services
from incidents.models import Incident, ReferenceCounter, ReferenceReservation
from tests import factories
from tests.conftest import require_service

from .factories import make_draft

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

SUBMISSIONS = 8


@pytest.fixture
def postgresql():
    if connection.vendor != "postgresql":
        require_service("concurrent submissions need DATABASE_URL to name PostgreSQL")


def submit_at_once(officers, drafts):
    """Each officer submits their draft, all released together from a barrier. Returns the
    ids of the drafts refused (ValidationError) and any other error raised."""
    barrier = threading.Barrier(len(officers))
    refused, errors = [], []

    def submit(officer, draft):
        try:
            barrier.wait(timeout=10)
            services.submit_incident(actor=officer, incident=draft)
        except ValidationError:
            refused.append(draft.pk)
        except Exception as exc:  # reported by the caller
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=pair) for pair in zip(officers, drafts,
                                                                           strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return refused, errors


def test_it_gives_concurrent_submissions_unique_gap_free_references(postgresql, provider_a,
                                                                    provider_b):
    officers = [factories.OfficerFactory(provider=provider_a if n % 2 else provider_b)
                for n in range(SUBMISSIONS)]
    drafts = [make_draft(officer, discovered_at=timezone.now() - timedelta(hours=1))
              for officer in officers]

    refused, errors = submit_at_once(officers, drafts)

    assert (refused, errors) == ([], [])
    year = timezone.now().year
    references = sorted(Incident.objects.values_list("reference", flat=True))
    assert references == [f"PES-{year}-{n:05d}" for n in range(1, SUBMISSIONS + 1)]
    assert ReferenceCounter.objects.get(year=year).last_number == SUBMISSIONS


def test_failures_among_concurrent_submissions_lose_no_number(postgresql, provider_a,
                                                              provider_b):
    officers = [factories.OfficerFactory(provider=provider_a if n % 2 else provider_b)
                for n in range(SUBMISSIONS)]
    # Every third draft is late and comes without a reason: refused.
    drafts = [make_draft(officer, discovered_at=timezone.now()
                         - (timedelta(days=3) if n % 3 == 0 else timedelta(hours=1)))
              for n, officer in enumerate(officers)]

    refused, errors = submit_at_once(officers, drafts)

    assert errors == []
    assert sorted(refused) == sorted(d.pk for n, d in enumerate(drafts) if n % 3 == 0)
    year = timezone.now().year
    filed = sorted(int(r.rsplit("-", 1)[1]) for r in
                   Incident.objects.exclude(reference=None).values_list("reference",
                                                                        flat=True))
    reserved = sorted(ReferenceReservation.objects.filter(year=year)
                      .values_list("number", flat=True))
    last = ReferenceCounter.objects.get(year=year).last_number
    assert len(filed) == SUBMISSIONS - len(refused)
    # Each number up to the counter is on one filing or waits in reserve for the next.
    assert sorted(filed + reserved) == list(range(1, last + 1))

    # The next filings take what waits in reserve first.
    for officer in officers[1:1 + len(reserved)]:
        services.submit_incident(actor=officer, incident=make_draft(
            officer, discovered_at=timezone.now() - timedelta(hours=1)))
    references = sorted(Incident.objects.exclude(reference=None).values_list("reference",
                                                                             flat=True))
    assert references == [f"PES-{year}-{n:05d}" for n in range(1, len(references) + 1)]
    assert not ReferenceReservation.objects.exists()
