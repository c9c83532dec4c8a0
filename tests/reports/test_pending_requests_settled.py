"""Requests for more time on a duty that stops being owed, and the grant's e-mail sent after
it did. README, Extensions: "A request still pending when its duty stops being owed ... is
denied with that reason and the officers told, USPS's target to decide it met: nothing
waits on USPS that it could not grant"; the filed final summary ends the status-report
cadence (the status report owed is waived, or stays missed)."""

from datetime import timedelta

import pytest
import time_machine

from compliance.errors import Conflict
from compliance.inbox import inbox
from compliance.models import ExtensionState, Obligation, ObligationKind, ObligationState
from compliance.services import grant_extension
from notifications.models import OutboundEmail
from notifications.sweep import sweep
from reports import services
from tests.factories import committed
from tests.reports.factories import (
    NOW,
    case_under_review,
    file_report_at,
    investigating,
    more_time_asked,
    written_duty,
)

pytestmark = pytest.mark.django_db


def test_a_request_on_the_status_report_the_final_summary_ended_waits_on_usps_no_more(
        officer_a, reviewer):
    incident = investigating(officer_a, reviewer)
    status = Obligation.objects.get(incident_id=incident.pk,
                                    kind=ObligationKind.STATUS_REPORT)
    extension = more_time_asked(officer_a, status, NOW + timedelta(days=1))

    file_report_at(officer_a, incident, "final", at=NOW + timedelta(days=2))

    status.refresh_from_db()
    assert not status.is_outstanding  # the cadence ended: owed no more
    extension.refresh_from_db()
    assert extension.state == ExtensionState.DENIED  # at once, with the reason, told
    assert "status reports are owed no more" in extension.comment
    # By no one: the officer filing the summary decides nothing, USPS did not either.
    assert extension.decided_by is None
    told = OutboundEmail.objects.get(template="extension_denied", recipient=officer_a)
    assert "USPS denied" not in told.rendered.body_text
    assert "is denied: the obligation is owed no more" in told.rendered.body_text
    with time_machine.travel(NOW + timedelta(days=3), tick=False), pytest.raises(Conflict):
        grant_extension(actor=reviewer, extension=extension)  # USPS cannot grant it
    with time_machine.travel(NOW + timedelta(days=40), tick=False), committed():
        sweep(NOW + timedelta(days=40))
        waiting = [t for t in inbox(reviewer) if t.object_id == extension.pk
                   and t.kind == ObligationKind.USPS_EXTENSION_DECISION]
    extension.refresh_from_db()
    target = Obligation.objects.get(kind=ObligationKind.USPS_EXTENSION_DECISION,
                                    object_id=extension.pk)
    assert (extension.state, target.state, waiting) == (
        ExtensionState.DENIED, ObligationState.MET, []), (extension.state, target.state,
                                                          waiting)


def test_a_grant_e_mail_sent_after_the_case_closed_does_not_say_the_duty_is_due(
        officer_a, reviewer):
    incident = case_under_review(officer_a)
    duty = written_duty(incident)
    extension = more_time_asked(officer_a, duty, NOW + timedelta(hours=1))
    with time_machine.travel(NOW + timedelta(hours=2), tick=False), committed():
        grant_extension(actor=reviewer, extension=extension)
    with time_machine.travel(NOW + timedelta(hours=2, minutes=1), tick=False), committed():
        services.close_case(actor=reviewer, incident=incident,
                            reason="A duplicate of PES-2026-00001.")

    duty.refresh_from_db()
    assert not duty.is_outstanding
    email = OutboundEmail.objects.get(template="extension_granted")
    text = email.rendered.body_text
    assert "Now due" not in text, text
    assert "owed no more (waived)" in text, text


def test_a_request_on_a_duty_the_filing_met_waits_on_usps_no_more(officer_a, reviewer,
                                                                   signed_in):
    """The officer asked for more time, then filed in time after all: nothing is left to
    extend, so nothing waits on USPS (its target met, not missed), and a grant is refused."""
    incident = case_under_review(officer_a)
    duty = written_duty(incident)
    extension = more_time_asked(officer_a, duty, NOW + timedelta(hours=1))

    file_report_at(officer_a, incident, "written", at=NOW + timedelta(days=1))

    duty.refresh_from_db()
    extension.refresh_from_db()
    assert duty.state == ObligationState.MET
    assert extension.state == ExtensionState.DENIED, extension.state
    assert "met" in extension.comment and extension.decided_by is None
    with time_machine.travel(NOW + timedelta(days=1, hours=1), tick=False):
        page = signed_in(officer_a).get(f"/obligations/{duty.pk}/").content.decode()
    assert "nothing is left to extend" in page and "by None" not in page
    with time_machine.travel(NOW + timedelta(days=2), tick=False), pytest.raises(Conflict):
        grant_extension(actor=reviewer, extension=extension)
    with time_machine.travel(NOW + timedelta(days=40), tick=False), committed():
        sweep(NOW + timedelta(days=40))
        waiting = [t for t in inbox(reviewer) if t.object_id == extension.pk
                   and t.kind == ObligationKind.USPS_EXTENSION_DECISION]
    target = Obligation.objects.get(kind=ObligationKind.USPS_EXTENSION_DECISION,
                                    object_id=extension.pk)
    duty.refresh_from_db()
    assert (target.state, waiting, duty.state) == (ObligationState.MET, [],
                                                   ObligationState.MET)
