"""An officer files while a colleague (or a USPS manager) closes their account or makes
them a viewer: the request read the officer before the change committed, and the filing
reads them again, locked, after the case: it is refused, and nothing is filed after the
change is on record."""

import threading
from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from accounts.services.people import change_role, deactivate_user
from compliance.models import AuditEvent, User
from incidents.models import Incident
from incidents.services import submit_incident
from reports import services as reports
from tests import factories
from tests.concurrency import postgresql, run_together  # noqa: F401
from tests.incidents.factories import make_draft
from tests.reports.factories import NOW, WRITTEN, case_under_review

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("postgresql")]


def held_until(target, done):
    """Patch `target` so that its first call waits until `done` is set."""
    original = mock.patch(target).get_original()[0]

    def call(*args, **kwargs):
        done.wait(10)
        return original(*args, **kwargs)

    return mock.patch(target, side_effect=call)


def _after(done, change):
    def run():
        try:
            return change()
        finally:
            done.set()
    return run


def _sequence(action, obj):
    event = AuditEvent.objects.filter(action=action, object_id=str(obj.pk)).first()
    return event.sequence if event else None


def test_a_notification_filed_as_its_officer_is_deactivated_is_refused(officer_a, provider_a):
    colleague = factories.OfficerFactory(username="officer_a2", provider=provider_a)
    draft = make_draft(officer_a)
    read_by_request = User.objects.get(pk=officer_a.pk)  # the request's user, signed in
    done = threading.Event()

    with held_until("incidents.services.filing.locked_for_filing", done):
        results = run_together(
            lambda: submit_incident(actor=read_by_request, incident=draft),
            _after(done, lambda: deactivate_user(actor=colleague, user=officer_a,
                                                 reason="Left the company.")))

    assert results[1][1] is None
    assert not User.objects.get(pk=officer_a.pk).is_active
    deactivated = _sequence("user.deactivated", officer_a)
    submitted = _sequence("incident.submitted", draft)
    assert isinstance(results[0][1], PermissionDenied) and submitted is None, (
        f"the closed account filed {Incident.objects.get(pk=draft.pk).reference}: "
        f"user.deactivated at #{deactivated}, incident.submitted at #{submitted}")


def test_a_written_report_filed_as_its_officer_is_made_a_viewer_is_refused(officer_a,
                                                                           provider_a):
    colleague = factories.OfficerFactory(username="officer_a2", provider=provider_a)
    case = case_under_review(officer_a, at=NOW - timedelta(hours=1))
    read_by_request = User.objects.get(pk=officer_a.pk)
    done = threading.Event()

    with time_machine.travel(NOW, tick=True), \
            held_until("reports.services.filing._lock_incident", done):
        results = run_together(
            lambda: reports.file_report(actor=read_by_request, incident=case, kind="written",
                                        **WRITTEN),
            _after(done, lambda: change_role(actor=colleague, user=officer_a,
                                             role="provider_viewer",
                                             provider_id=provider_a.pk,
                                             reason="Reads only from now on.")))

    assert results[1][1] is None
    assert User.objects.get(pk=officer_a.pk).role == "provider_viewer"
    filed = AuditEvent.objects.filter(action="report.submitted").first()
    assert isinstance(results[0][1], PermissionDenied) and filed is None, (
        f"a viewer filed {filed.object_repr if filed else ''} "
        f"(event #{filed.sequence if filed else None}) after user.role_changed "
        f"#{_sequence('user.role_changed', officer_a)}")
