"""Filing: version 1, reference, receipt hash, the notification duty met or late."""

import hashlib
import json
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from compliance.errors import Conflict
from compliance.models import AuditEvent, Obligation, ObligationKind, ObligationState
from incidents import services
from incidents.models import Incident, IncidentStatus, IncidentVersion, ReferenceCounter

from .factories import NOW, make_draft, make_filed

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(officer_a):
    with time_machine.travel(NOW, tick=False):
        return make_draft(officer_a, discovered_at=NOW - timedelta(hours=3))


def notification_of(incident):
    return Obligation.objects.get(incident_id=incident.pk, kind=ObligationKind.NOTIFICATION)


def test_it_opens_a_hidden_notification_duty_with_the_draft(draft, reviewer):
    obligation = notification_of(draft)

    assert obligation.state == ObligationState.OPEN
    assert obligation.clause == "§ 501.11(b)"
    assert obligation.provider_id == draft.provider_id
    assert obligation.subject == draft.title
    assert obligation.due_at == obligation.original_due_at == NOW + timedelta(hours=21)
    assert obligation.usps_visible is False
    assert not Obligation.objects.visible_to(reviewer).exists()


def test_it_files_version_one_with_a_reference_and_a_receipt(draft, officer_a):
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        version = services.submit_incident(actor=officer_a, incident=draft)

    draft.refresh_from_db()
    assert draft.status == IncidentStatus.SUBMITTED
    assert draft.reference == "PES-2026-00001"
    assert draft.submitted_at == NOW + timedelta(hours=1)
    assert draft.is_late is False
    assert version.number == 1 and draft.current_version == 1
    assert version.sha256 == hashlib.sha256(version.canonical_json.encode()).hexdigest()
    document = json.loads(version.canonical_json)
    assert document["reference"] == "PES-2026-00001"
    assert document["content"]["title"] == draft.title
    assert version.canonical_json == json.dumps(document, sort_keys=True,
                                                separators=(",", ":"), ensure_ascii=False)


def test_it_meets_the_notification_duty_on_time_and_shows_it_to_usps(draft, officer_a,
                                                                      reviewer):
    with time_machine.travel(NOW, tick=False):
        services.submit_incident(actor=officer_a, incident=draft)

    obligation = notification_of(draft)
    assert obligation.state == ObligationState.MET
    assert obligation.met_at == NOW
    assert obligation.subject == "PES-2026-00001"
    assert list(Obligation.objects.visible_to(reviewer).provider_duties()) == [obligation]
    assert AuditEvent.objects.filter(action="obligation.met", object_id=str(obligation.pk))


def test_it_refuses_a_late_filing_without_a_reason_and_changes_nothing(draft, officer_a):
    with time_machine.travel(NOW + timedelta(hours=21, seconds=1), tick=False):
        with pytest.raises(ValidationError) as caught:
            services.submit_incident(actor=officer_a, incident=draft)

    assert "late_reason" in caught.value.message_dict
    assert "late" in caught.value.message_dict["late_reason"][0]
    draft.refresh_from_db()
    assert draft.status == IncidentStatus.DRAFT and draft.reference is None
    assert not IncidentVersion.objects.exists()
    assert notification_of(draft).state == ObligationState.OPEN


def test_it_files_late_with_a_reason_and_marks_it_late_for_good(draft, officer_a):
    with time_machine.travel(NOW + timedelta(hours=30), tick=False):
        services.submit_incident(actor=officer_a, incident=draft,
                                 late_reason="The affiliate told us a day later.")

    draft.refresh_from_db()
    assert draft.is_late is True
    assert draft.late_reason == "The affiliate told us a day later."
    obligation = notification_of(draft)
    assert obligation.state == ObligationState.LATE
    assert obligation.met_at == NOW + timedelta(hours=30)


def test_it_is_on_time_at_the_exact_due_instant(draft, officer_a):
    with time_machine.travel(NOW + timedelta(hours=21), tick=False):
        services.submit_incident(actor=officer_a, incident=draft)

    draft.refresh_from_db()
    assert draft.is_late is False
    assert notification_of(draft).state == ObligationState.MET


def test_it_files_late_after_the_sweep_marked_the_duty_missed(draft, officer_a):
    Obligation.objects.filter(pk=notification_of(draft).pk).update(state="missed")
    with time_machine.travel(NOW + timedelta(days=2), tick=False):
        services.submit_incident(actor=officer_a, incident=draft, late_reason="Holiday.")

    assert notification_of(draft).state == ObligationState.LATE


def test_it_ignores_a_late_reason_given_on_time(draft, officer_a):
    with time_machine.travel(NOW, tick=False):
        services.submit_incident(actor=officer_a, incident=draft, late_reason="Just in case")

    draft.refresh_from_db()
    assert draft.late_reason == "" and draft.is_late is False


def test_it_refuses_to_file_twice(draft, officer_a):
    with time_machine.travel(NOW, tick=False):
        services.submit_incident(actor=officer_a, incident=draft)
        with pytest.raises(Conflict):
            services.submit_incident(actor=officer_a, incident=draft)


def test_it_needs_a_description_before_filing(officer_a):
    with time_machine.travel(NOW, tick=False):
        draft = make_draft(officer_a, description="")
        with pytest.raises(ValidationError) as caught:
            services.submit_incident(actor=officer_a, incident=draft)

    assert "description" in caught.value.message_dict


def test_it_numbers_references_per_year_without_gaps(officer_a):
    first = make_filed(officer_a, at=NOW)
    second = make_filed(officer_a, at=NOW + timedelta(hours=1))
    next_year = make_filed(officer_a, at=NOW.replace(year=2027))

    assert [first.reference, second.reference, next_year.reference] == [
        "PES-2026-00001", "PES-2026-00002", "PES-2027-00001"]
    assert ReferenceCounter.objects.get(year=2026).last_number == 2


def test_it_gives_back_the_number_of_a_refused_filing(officer_a):
    make_filed(officer_a, at=NOW)
    with time_machine.travel(NOW, tick=False):
        late = make_draft(officer_a, discovered_at=NOW - timedelta(days=3))
        with pytest.raises(ValidationError):
            services.submit_incident(actor=officer_a, incident=late)
    again = make_filed(officer_a, at=NOW + timedelta(minutes=5))

    assert again.reference == "PES-2026-00002"


def test_it_lets_only_the_providers_officers_file(draft, viewer_a, officer_b, reviewer):
    for actor in (viewer_a, officer_b, reviewer):
        with pytest.raises(PermissionDenied):
            services.submit_incident(actor=actor, incident=draft)
    assert Incident.objects.get(pk=draft.pk).status == IncidentStatus.DRAFT


def test_it_records_the_filing_in_the_audit_log(draft, officer_a):
    with time_machine.travel(NOW, tick=False):
        services.submit_incident(actor=officer_a, incident=draft)

    event = AuditEvent.objects.get(action="incident.submitted")
    assert event.actor == officer_a
    assert event.changes["reference"] == [None, "PES-2026-00001"]
    assert event.at == NOW
