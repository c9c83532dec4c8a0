"""A re-triage during the investigation e-mails the officers when the status report owed is
due (at the cadence in force when it was opened), then the new interval: not "once the
investigation starts", which has started."""

from datetime import timedelta

import pytest
import time_machine

from compliance.models import Obligation
from incidents import services as incidents
from notifications.models import OutboundEmail
from notifications.services import deliver
from tests.factories import committed
from tests.reports.factories import NOW, file_report_at, investigating

pytestmark = pytest.mark.django_db


def test_a_retriage_during_the_investigation_emails_what_is_true_then(officer_a, reviewer,
                                                                       mailoutbox):
    incident = investigating(officer_a, reviewer, interval=3, risk="critical")
    [owed] = Obligation.objects.filter(incident_id=incident.pk, kind="status_report")
    assert owed.due_at == NOW + timedelta(days=3)
    OutboundEmail.objects.all().delete()

    with time_machine.travel(NOW + timedelta(hours=1), tick=False), committed():
        incidents.triage_incident(actor=reviewer, incident=incident, revenue_risk="low",
                                  rationale="Contained after all.")
        for email in OutboundEmail.objects.order_by("pk"):
            deliver(email.pk)

    [sent] = [m for m in mailoutbox if m.to == [officer_a.email]]
    owed.refresh_from_db()
    assert owed.state == "open" and owed.due_at == NOW + timedelta(days=3)  # still owed
    # The investigation started an hour ago and a status report is owed in 3 days; the
    # e-mail says status reports come every 30 days "once the investigation starts".
    assert "once the investigation starts" not in sent.body
    assert "2026-06-13" in sent.body  # the status report owed, as the case page shows it


def test_a_retriage_after_the_final_summary_says_no_status_report_is_owed(
        officer_a, reviewer, mailoutbox):
    incident = investigating(officer_a, reviewer, interval=3, risk="critical")
    file_report_at(officer_a, incident, "final", at=NOW + timedelta(days=1))
    OutboundEmail.objects.all().delete()

    with time_machine.travel(NOW + timedelta(days=1, hours=1), tick=False), committed():
        incidents.triage_incident(actor=reviewer, incident=incident, revenue_risk="low",
                                  rationale="Contained after all.")
        for email in OutboundEmail.objects.order_by("pk"):
            deliver(email.pk)

    [sent] = [m for m in mailoutbox if m.to == [officer_a.email]]
    assert "Status reports:   none more: the final summary is filed" in sent.body
    assert "once the investigation starts" not in sent.body
    assert "none more: the final summary is filed" in sent.alternatives[0][0]
