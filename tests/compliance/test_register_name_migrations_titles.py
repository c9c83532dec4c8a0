"""Migration 0028 reads again only the subjects written with a register name: a target to
decide more time on a case duty is named by the case's title (a double space kept), left as
it is, and still follows the title's amendment."""

from datetime import timedelta
from importlib import import_module

import pytest
import time_machine
from django.apps import apps

from compliance.models import Obligation, ObligationKind
from compliance.services import meet_usps_target, open_obligation, request_extension
from compliance.services.extensions import extension_subject
from incidents import services as incidents
from incidents.models import IncidentStatus
from tests.factories import committed
from tests.incidents.factories import NOW, make_filed

pytestmark = pytest.mark.django_db


def written_report_asked_more_time(officer, incident):
    """`incident` triaged, its written report owed and more time asked on it: the duty."""
    incident.status = IncidentStatus.UNDER_REVIEW
    incident.revenue_risk = "moderate"
    incident.status_report_interval_days = 14
    incident.triaged_at = NOW
    incident.save()
    with time_machine.travel(NOW, tick=False), committed():
        meet_usps_target(actor=None, kind=ObligationKind.USPS_TRIAGE, object_id=incident.pk,
                         at=NOW)
        duty = open_obligation(actor=None, kind=ObligationKind.WRITTEN_REPORT,
                               provider=incident.provider, subject=incident.label,
                               due_at=NOW + timedelta(days=14), incident_id=incident.pk)
        request_extension(actor=officer, obligation=duty,
                          requested_due_at=duty.due_at + timedelta(days=7),
                          justification="The lab is booked.")
    return duty


def test_0028_leaves_a_case_title_in_an_extension_target_as_it_is(officer_a):
    incident = make_filed(officer_a, at=NOW - timedelta(hours=1), title="Meter  tampering")
    assert incident.title == "Meter  tampering"  # one-line texts keep their spaces
    duty = written_report_asked_more_time(officer_a, incident)
    target = Obligation.objects.get(kind=ObligationKind.USPS_EXTENSION_DECISION,
                                    incident_id=incident.pk)
    assert target.subject == extension_subject(duty)

    import_module("compliance.migrations.0028_register_names_one_line").names_on_one_line(
        apps, None)

    target.refresh_from_db()
    # The case's title is not a register name: 0028 has nothing to rewrite in it.
    assert target.subject == extension_subject(duty), target.subject


def test_after_0028_an_amended_title_still_renames_the_extension_target(officer_a):
    incident = make_filed(officer_a, at=NOW - timedelta(hours=1), title="Meter  tampering")
    written_report_asked_more_time(officer_a, incident)
    import_module("compliance.migrations.0028_register_names_one_line").names_on_one_line(
        apps, None)

    with time_machine.travel(NOW + timedelta(hours=1), tick=False), committed():
        incidents.amend_incident(actor=officer_a, incident=incident,
                                 amendment_reason="Clearer title.", title="Reset forgery")

    target = Obligation.objects.get(kind=ObligationKind.USPS_EXTENSION_DECISION,
                                    incident_id=incident.pk)
    assert target.subject.endswith("Reset forgery"), target.subject
