"""References as a submission outside any transaction takes them: a number into reserve
first, the filing claiming one, failures giving theirs back. No number lost, none twice,
and a filing in progress never holds up the next one's number."""

import threading
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import InterfaceError, connection, connections, transaction
from django.utils import timezone

from compliance.errors import Conflict
from incidents import services
from incidents.models import Incident, IncidentStatus, ReferenceCounter, ReferenceReservation
from incidents.services import references
from tests.conftest import require_service

from .factories import make_draft

pytestmark = pytest.mark.django_db(transaction=True)


def year():
    return timezone.now().year


def fresh_draft(officer, **overrides):
    return make_draft(officer, discovered_at=timezone.now() - timedelta(hours=1), **overrides)


def counter():
    return ReferenceCounter.objects.filter(year=year()).values_list("last_number",
                                                                    flat=True).first()


def in_reserve():
    return list(ReferenceReservation.objects.filter(year=year()).values_list("number",
                                                                             flat=True))


def file(officer):
    return services.submit_incident(actor=officer, incident=fresh_draft(officer)).incident


def test_a_filing_takes_its_number_through_the_reserve_and_leaves_nothing_there(officer_a):
    assert not transaction.get_connection().in_atomic_block

    first, second = file(officer_a), file(officer_a)

    assert [first.reference, second.reference] == [f"PES-{year()}-00001",
                                                   f"PES-{year()}-00002"]
    assert counter() == 2
    assert in_reserve() == []


def test_a_refused_submission_gives_its_number_back_and_changes_nothing(officer_a,
                                                                         officer_b):
    file(officer_a)
    late = make_draft(officer_a, discovered_at=timezone.now() - timedelta(days=3))
    own = fresh_draft(officer_a)
    filed = Incident.objects.exclude(pk__in=[late.pk, own.pk]).get()

    with pytest.raises(ValidationError):
        services.submit_incident(actor=officer_a, incident=late)
    with pytest.raises(PermissionDenied):
        services.submit_incident(actor=officer_b, incident=own)
    with pytest.raises(Conflict):
        services.submit_incident(actor=officer_a, incident=filed)

    assert counter() == 1
    assert in_reserve() == []
    assert list(Incident.objects.filter(pk__in=[late.pk, own.pk])
                .values_list("status", "reference")) == [(IncidentStatus.DRAFT, None)] * 2
    assert file(officer_a).reference == f"PES-{year()}-00002"


def test_a_number_left_in_reserve_goes_to_the_next_filing(officer_a):
    # A submission that reserved its number and never got to file (its process ended).
    references.reserve(year())
    assert (counter(), in_reserve()) == (1, [1])

    assert file(officer_a).reference == f"PES-{year()}-00001"
    assert file(officer_a).reference == f"PES-{year()}-00002"
    assert (counter(), in_reserve()) == (2, [])


def test_a_number_goes_back_to_the_counter_only_while_it_is_the_last_taken(officer_a):
    for _ in range(3):
        references.reserve(year())
    ReferenceReservation.objects.filter(number=2).delete()  # 2 filed meanwhile

    references.give_back(year(), 1)  # 3 was taken since: 1 waits for the next filing
    assert (counter(), in_reserve()) == (3, [1, 3])
    references.give_back(year(), 3)
    assert (counter(), in_reserve()) == (2, [1])
    references.give_back(year(), 2)  # on a filing, not in reserve
    assert (counter(), in_reserve()) == (2, [1])


def test_a_filing_in_progress_does_not_hold_up_the_next_and_loses_no_number(officer_a,
                                                                            officer_b):
    if connection.vendor != "postgresql":
        require_service("row locks need DATABASE_URL to name PostgreSQL")
    claimed, finished, errors = threading.Event(), threading.Event(), []

    def filing_that_fails():
        try:
            references.reserve(year())
            with transaction.atomic():
                errors.append(("claimed", references.claim(year())))
                claimed.set()
                finished.wait(timeout=30)
                raise RuntimeError("the filing fails after taking its reference")
        except RuntimeError:
            pass
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=filing_that_fails)
    thread.start()
    assert claimed.wait(timeout=30)
    with connection.cursor() as cursor:  # waiting on the filing in progress fails the test
        cursor.execute("SET lock_timeout = '3s'")
    try:
        second = file(officer_b)
    finally:
        finished.set()
        thread.join(timeout=30)
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")

    assert errors == [("claimed", 1)]
    assert second.reference == f"PES-{year()}-00002"
    # The failed filing's number came back into reserve, below a filed one: the next
    # filing takes it.
    assert (counter(), in_reserve()) == (2, [1])
    assert file(officer_a).reference == f"PES-{year()}-00001"
    assert sorted(Incident.objects.exclude(reference=None)
                  .values_list("reference", flat=True)) == [
        f"PES-{year()}-00001", f"PES-{year()}-00002"]
    assert (counter(), in_reserve()) == (2, [])


def test_a_second_submission_of_a_draft_filed_meanwhile_gives_its_number_back(officer_a):
    draft = fresh_draft(officer_a)
    services.submit_incident(actor=officer_a, incident=Incident.objects.get(pk=draft.pk))

    with pytest.raises(Conflict):
        services.submit_incident(actor=officer_a, incident=draft)  # read as a draft before

    assert Incident.objects.get(pk=draft.pk).reference == f"PES-{year()}-00001"
    assert (counter(), in_reserve()) == (1, [])


def test_a_number_that_cannot_be_given_back_waits_in_reserve(officer_a, monkeypatch):
    def connection_lost(year, number):
        raise InterfaceError("connection already closed")

    late = make_draft(officer_a, discovered_at=timezone.now() - timedelta(days=3))
    with monkeypatch.context() as patch:
        patch.setattr(references, "give_back", connection_lost)
        with pytest.raises(ValidationError):  # the refusal, not the failure after it
            services.submit_incident(actor=officer_a, incident=late)

    assert (counter(), in_reserve()) == (1, [1])
    assert file(officer_a).reference == f"PES-{year()}-00001"
    assert (counter(), in_reserve()) == (1, [])
