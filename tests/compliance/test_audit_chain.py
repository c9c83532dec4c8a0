"""The tamper-evident audit chain: each event hashes its content and the event before it;
`verify_audit` names the first event that does not verify; on PostgreSQL triggers refuse
any UPDATE or DELETE of audit events and filed versions."""

import threading
from datetime import UTC, datetime, timedelta

import pgtrigger
import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, connections, transaction

from compliance import services
from compliance.audit_chain import GENESIS, canonical_bytes, event_sha256
from compliance.models import AuditEvent, ObligationKind
from compliance.services.chain import verify_chain
from incidents.models import IncidentVersion
from notifications.sweep import sweep
from reports.models import ReportVersion
from tests import factories
from tests.conftest import require_service
from tests.incidents.factories import make_filed
from tests.reports.factories import NOW, case_under_review, file_report_at


def tamper(sql, params=()):
    """Change rows behind the application's back, as someone with database access could
    (on PostgreSQL only after switching the triggers off)."""
    with pgtrigger.ignore(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.fixture
def postgresql(db):
    if connection.vendor != "postgresql":
        require_service("database triggers need DATABASE_URL to name PostgreSQL")


@pytest.fixture
def events(manager, provider_a):
    """Five events written by services, oldest first."""
    for n in range(5):
        services.update_provider(actor=manager, provider=provider_a,
                                 name=f"Alpha Postage {n}", reason="")
    return list(AuditEvent.objects.order_by("sequence"))


def test_it_links_each_event_to_the_one_before(events):
    assert [e.sequence for e in events] == [1, 2, 3, 4, 5]
    assert events[0].previous_sha256 == GENESIS
    for before, event in zip(events, events[1:], strict=False):
        assert event.previous_sha256 == before.sha256
    assert all(e.sha256 == event_sha256(e.chain_values()) for e in events)


def test_it_hashes_a_fixed_canonical_form_whatever_the_database():
    values = {"sequence": 7, "previous_sha256": GENESIS,
              "at": datetime(2026, 3, 8, 1, 30, tzinfo=UTC) + timedelta(microseconds=5),
              "actor_id": 3, "provider_id": None, "content_type": "incidents.incident",
              "object_id": "12", "object_repr": "PES-2026-00012 Café", "case_id": 12,
              "action": "incident.submitted", "changes": {"b": [1, 2], "a": None},
              "reason": "", "usps_only": False, "drafting_stage": True}

    assert canonical_bytes(values) == (
        '{"action":"incident.submitted","actor_id":3,"at":"2026-03-08T01:30:00.000005Z",'
        '"case_id":12,"changes":{"a":null,"b":[1,2]},"content_type":"incidents.incident",'
        '"drafting_stage":true,"object_id":"12","object_repr":"PES-2026-00012 Café",'
        '"previous_sha256":"' + GENESIS + '","provider_id":null,"reason":"","sequence":7,'
        '"usps_only":false}'
    ).encode()


def test_it_verifies_an_untouched_chain(events, capsys):
    call_command("verify_audit")

    out = capsys.readouterr().out
    assert "5 event(s)" in out
    assert events[-1].sha256 in out


def test_it_names_the_first_event_altered_by_sql(events):
    tamper("UPDATE compliance_auditevent SET reason = %s WHERE id = %s",
           ["Nothing happened", events[2].pk])

    with pytest.raises(CommandError) as error:
        call_command("verify_audit", chunk_size=2)

    assert f"Audit event {events[2].pk} (position 3) has been altered" in str(error.value)
    assert "2 event(s) before it verified" in str(error.value)


def test_it_names_the_event_after_one_deleted_by_sql(events):
    tamper("DELETE FROM compliance_auditevent WHERE id = %s", [events[1].pk])

    report = verify_chain()

    assert (report.broken_event_id, report.checked) == (events[2].pk, 1)
    assert "missing" in report.problem


def test_it_names_an_event_added_before_the_first_as_added_not_as_missing_ones(events):
    """Nothing is missing: an auditor is sent to the event added, not to deleted rows."""
    tamper("INSERT INTO compliance_auditevent (at, actor_id, provider_id, content_type_id, "
           "object_id, object_repr, case_id, action, changes, reason, usps_only, "
           "drafting_stage, sequence, previous_sha256, sha256) SELECT at, actor_id, "
           "provider_id, content_type_id, object_id, object_repr, case_id, 'forged', "
           "changes, reason, usps_only, drafting_stage, 0, previous_sha256, sha256 "
           "FROM compliance_auditevent WHERE id = %s", [events[0].pk])

    report = verify_chain()

    assert (report.broken_sequence, report.checked) == (0, 0)
    assert report.problem == ("is at position 0, before the chain's first (1): it was added "
                              "or renumbered")


def test_it_names_an_event_rehashed_without_its_successors(events):
    event = events[3]
    values = {**event.chain_values(), "reason": "Rewritten"}
    tamper("UPDATE compliance_auditevent SET reason = %s, sha256 = %s WHERE id = %s",
           ["Rewritten", event_sha256(values), event.pk])

    report = verify_chain()

    assert report.broken_event_id == events[4].pk
    assert report.problem == "does not link to the event before it"


def test_it_chains_the_events_the_sweep_writes(provider_a, manager):
    services.update_provider(actor=manager, provider=provider_a, name="Renamed", reason="")
    due = datetime(2026, 6, 1, tzinfo=UTC)
    for _ in range(3):
        factories.ObligationFactory(provider=provider_a, due_at=due, original_due_at=due)

    assert sweep(due + timedelta(minutes=1)).missed == 3

    report = verify_chain()
    assert report.ok and report.checked == 4
    assert AuditEvent.objects.filter(action="obligation.missed").count() == 3


def test_events_appended_together_are_stored_as_they_were_hashed(provider_a, manager):
    from django.contrib.contenttypes.models import ContentType

    from compliance.services.chain import append_events

    at = datetime(2026, 6, 1, 12, 30, 15, 123456, tzinfo=UTC)
    ctype = ContentType.objects.get_for_model(provider_a)
    changes = [{"name": ["Alpha", "Älpha — “Postage”"]}, {"nested": {"a": [1, None, True]}}, {}]
    with transaction.atomic():
        appended = append_events([
            AuditEvent(at=at, actor=manager if n else None, provider_id=provider_a.pk,
                       content_type=ctype, object_id=str(provider_a.pk),
                       object_repr="Alpha \u00e9", case_id=None if n else 7,
                       action="provider.updated", changes=change, reason=f"Reason {n}",
                       usps_only=bool(n % 2), drafting_stage=n == 2)
            for n, change in enumerate(changes)])

    stored = list(AuditEvent.objects.order_by("sequence"))
    assert [e.pk for e in stored] == [e.pk for e in appended] == sorted(e.pk for e in stored)
    assert [e.chain_values() for e in stored] == [e.chain_values() for e in appended]
    assert [e.sha256 for e in stored] == [e.sha256 for e in appended]
    report = verify_chain()
    assert report.ok and report.checked == 3


def test_it_keeps_events_of_a_user_who_cannot_be_deleted(events, manager):
    with pytest.raises(DatabaseError), transaction.atomic():
        manager.delete()

    assert AuditEvent.objects.filter(actor=manager).count() == 5


# --- PostgreSQL triggers ---


def test_it_refuses_update_and_delete_of_audit_events(postgresql, events):
    event = events[0]

    with pytest.raises(DatabaseError, match="Cannot update or delete"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(reason="Edited")
    with pytest.raises(DatabaseError, match="Cannot update or delete"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(DatabaseError, match="Cannot update or delete"), transaction.atomic(), \
            connection.cursor() as cursor:
        cursor.execute("DELETE FROM compliance_auditevent")

    assert AuditEvent.objects.count() == 5
    assert AuditEvent.objects.get(pk=event.pk).reason == event.reason
    assert verify_chain().ok


def test_it_refuses_update_and_delete_of_filed_incident_versions(postgresql, officer_a):
    incident = make_filed(officer_a)
    version = incident.versions.get()

    with pytest.raises(DatabaseError, match="Cannot update or delete"), transaction.atomic():
        IncidentVersion.objects.filter(pk=version.pk).update(canonical_json="{}")
    with pytest.raises(DatabaseError, match="Cannot update or delete"), transaction.atomic():
        IncidentVersion.objects.filter(pk=version.pk).delete()

    kept = IncidentVersion.objects.get(pk=version.pk)
    assert (kept.canonical_json, kept.sha256) == (version.canonical_json, version.sha256)


def test_it_refuses_update_and_delete_of_filed_report_versions(postgresql, officer_a):
    case = case_under_review(officer_a, at=NOW - timedelta(hours=3))
    _, version = file_report_at(officer_a, case, "written", at=NOW)

    with pytest.raises(DatabaseError, match="Cannot update or delete"), transaction.atomic():
        ReportVersion.objects.filter(pk=version.pk).update(sha256="0" * 64)
    with pytest.raises(DatabaseError, match="Cannot update or delete"), transaction.atomic():
        ReportVersion.objects.filter(pk=version.pk).delete()

    assert ReportVersion.objects.get(pk=version.pk).sha256 == version.sha256


def test_it_refuses_update_and_delete_of_a_providers_status_history(postgresql, manager):
    """A provider's standing is read from the last status set by hand: a suspension
    rewritten as an authorization, or removed, would change it unseen."""
    from compliance.models import ProviderStatusChange

    provider = services.create_provider(actor=manager, name="Gamma Postage")
    services.update_provider(actor=manager, provider=provider,
                             authorization_status="suspended", reason="Audit findings.")
    change = ProviderStatusChange.objects.get(provider=provider, to_status="suspended")

    with pytest.raises(DatabaseError, match="Cannot update or delete"), transaction.atomic():
        ProviderStatusChange.objects.filter(pk=change.pk).update(to_status="authorized")
    with pytest.raises(DatabaseError, match="Cannot update or delete"), transaction.atomic():
        ProviderStatusChange.objects.filter(pk=change.pk).delete()

    kept = ProviderStatusChange.objects.get(pk=change.pk)
    assert (kept.to_status, kept.reason) == ("suspended", "Audit findings.")


# --- Concurrent writers ---

WRITERS = 8
EVENTS_EACH = 5


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_it_keeps_one_chain_under_concurrent_writers(postgresql):
    providers = [factories.ProviderFactory() for _ in range(WRITERS)]
    officers = [factories.OfficerFactory(provider=p) for p in providers]
    barrier = threading.Barrier(WRITERS)
    errors = []

    def write(officer):
        try:
            barrier.wait(timeout=10)
            for n in range(EVENTS_EACH):
                services.open_obligation(actor=officer, kind=ObligationKind.PROCEDURES,
                                         provider=officer.provider, subject=f"Duty {n}",
                                         due_at=datetime.now(UTC) + timedelta(days=30))
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(officer,)) for officer in officers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    report = verify_chain()
    assert report.ok
    assert report.checked == AuditEvent.objects.count() >= WRITERS * EVENTS_EACH
    sequences = list(AuditEvent.objects.order_by("sequence").values_list("sequence", flat=True))
    assert sequences == list(range(1, len(sequences) + 1))


@pytest.mark.parametrize("size", ["0", "-5", "many"])
def test_it_refuses_a_chunk_size_that_is_no_positive_number(size):
    with pytest.raises(CommandError, match="whole number of events, 1 to"):
        call_command("verify_audit", "--chunk-size", size)
