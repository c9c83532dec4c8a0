"""Filing under load: officers of several providers creating and submitting at once get
unique, gap-free references and complete filings; a filing's queries do not grow with the
number of reviewers it notifies."""

import threading
from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection, connections
from django.utils import timezone

from compliance.models import AuditEvent, Obligation, ObligationKind, ObligationState, User
from compliance.services.chain import verify_chain
from incidents.models import Incident, IncidentVersion, ReferenceCounter
from notifications.models import OutboundEmail
from tests import factories
from tests.conftest import api_as, require_service

URL = "/api/v1/incidents/"
PROVIDERS = 8
ROUNDS = 2
REVIEWERS = 3


def draft_body(officer, model):
    return {"category": "security_weakness", "subtype": "equipment_defect",
            "title": "Meter accepts forged resets",
            "description": "Resets without a valid descending register are accepted.",
            "discovered_at": (timezone.now() - timedelta(hours=2)).isoformat(),
            "discovery_timezone": "America/New_York", "discovered_by_name": "Dana",
            "pes_models": [model.pk]}


def file_through_the_api(officer, model):
    api = api_as(officer)
    created = api.post(URL, draft_body(officer, model), format="json")
    assert created.status_code == 201, created.json()
    submitted = api.post(f"{URL}{created.json()['id']}/submit/", {}, format="json")
    assert submitted.status_code == 201, submitted.json()
    return submitted.json()


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_officers_of_eight_providers_filing_at_once_get_gap_free_references():
    if connection.vendor != "postgresql":
        require_service("concurrent filings need DATABASE_URL to name PostgreSQL")
    reviewers = [factories.ReviewerFactory() for _ in range(REVIEWERS)]
    officers = [factories.OfficerFactory() for _ in range(PROVIDERS)]
    models = [factories.PESModelFactory(provider=o.provider) for o in officers]
    barrier = threading.Barrier(PROVIDERS)
    receipts, errors = [], []

    def file(officer, model):
        try:
            barrier.wait(timeout=30)
            for _ in range(ROUNDS):
                receipts.append(file_through_the_api(officer, model))
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=file, args=pair)
               for pair in zip(officers, models, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    filings = PROVIDERS * ROUNDS
    year = timezone.now().year
    expected = [f"PES-{year}-{n:05d}" for n in range(1, filings + 1)]
    assert sorted(r["reference"] for r in receipts) == expected
    assert sorted(Incident.objects.values_list("reference", flat=True)) == expected
    assert ReferenceCounter.objects.get(year=year).last_number == filings
    for incident in Incident.objects.all():
        version = IncidentVersion.objects.get(incident=incident)
        assert version.number == 1 and incident.reference in version.canonical_json
        duty = Obligation.objects.get(incident_id=incident.pk, kind=ObligationKind.NOTIFICATION)
        assert duty.state == ObligationState.MET and duty.usps_visible
        assert duty.subject == incident.reference and duty.next_action_at is None
        target = Obligation.objects.get(incident_id=incident.pk,
                                        kind=ObligationKind.USPS_TRIAGE)
        assert target.state == ObligationState.OPEN and target.next_action_at is not None
        emails = OutboundEmail.objects.filter(key__startswith=f"incident:{incident.pk}:v1:")
        assert sorted(e.recipient_id for e in emails) == sorted(
            [incident.submitted_by_id, *(r.pk for r in reviewers)])
    # Per filing: draft created, duty opened, duty met, submitted, USPS target opened.
    assert AuditEvent.objects.count() == 5 * filings
    assert verify_chain().ok


@pytest.fixture
def warm_caches():
    """Content types are read once a process; the counts below are of a warm process."""
    for model in (Incident, Obligation):
        ContentType.objects.get_for_model(model)


@pytest.mark.django_db
def test_creating_a_draft_takes_a_fixed_number_of_queries(officer_a, warm_caches,
                                                          django_assert_num_queries):
    model = factories.PESModelFactory(provider=officer_a.provider)
    api = api_as(User.objects.get(pk=officer_a.pk))  # as signed in: provider not read yet

    # The PES models; the officer as they are now (locked); the provider; the incident, its
    # model and its duty (with its schedule: the deadline policy); the audit events (the
    # chain's lock with its end, insert); the answer (one row with its models and risk
    # statements on PostgreSQL, three queries elsewhere); the transaction.
    with django_assert_num_queries(12 if connection.vendor == "postgresql" else 14):
        response = api.post(URL, draft_body(officer_a, model), format="json")
    assert response.status_code == 201


@pytest.mark.django_db
@pytest.mark.parametrize("reviewers", [1, 6])
def test_submitting_takes_as_many_queries_whatever_the_number_of_reviewers(
        officer_a, warm_caches, reviewers, django_assert_num_queries):
    for _ in range(reviewers):
        factories.ReviewerFactory()
    model = factories.PESModelFactory(provider=officer_a.provider)
    api = api_as(officer_a)
    created = api.post(URL, draft_body(officer_a, model), format="json").json()

    # The incident (visible?); then locked with models and risk statements; the officer as
    # they are now (locked); its duty; the policy; the reviewers; the reference (none in
    # reserve, so from the counter); the incident, its version, its duty, USPS's target; the
    # e-mails in one insert; the audit events (the chain's lock with its end, insert); the
    # transaction.
    with django_assert_num_queries(19):
        response = api.post(f"{URL}{created['id']}/submit/", {}, format="json")
    assert response.status_code == 201
    assert OutboundEmail.objects.filter(template="incident_filed").count() == reviewers
