"""On PostgreSQL: officers submitting at the same instant get unique, gap-free references."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from incidents import services
from incidents.models import Incident, ReferenceCounter
from tests import factories
from tests.conftest import require_service

from .factories import make_draft

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

SUBMISSIONS = 8


@pytest.fixture
def postgresql():
    if connection.vendor != "postgresql":
        require_service("concurrent submissions need DATABASE_URL to name PostgreSQL")


def test_it_gives_concurrent_submissions_unique_gap_free_references(postgresql, provider_a,
                                                                    provider_b):
    officers = [factories.OfficerFactory(provider=provider_a if n % 2 else provider_b)
                for n in range(SUBMISSIONS)]
    drafts = [make_draft(officer, discovered_at=timezone.now() - timedelta(hours=1))
              for officer in officers]
    barrier = threading.Barrier(SUBMISSIONS)
    errors = []

    def submit(officer, draft):
        try:
            barrier.wait(timeout=10)
            services.submit_incident(actor=officer, incident=draft)
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=pair) for pair in zip(officers, drafts,
                                                                           strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    year = timezone.now().year
    references = sorted(Incident.objects.values_list("reference", flat=True))
    assert references == [f"PES-{year}-{n:05d}" for n in range(1, SUBMISSIONS + 1)]
    assert ReferenceCounter.objects.get(year=year).last_number == SUBMISSIONS
