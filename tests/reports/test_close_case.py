"""USPS closes a filed case without an accepted final summary (a duplicate filing; a case
whose written report or final summary it waived): the provider's duties still owed are
closed, nothing more is filed on it, and the provider's officers are told why."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from compliance.errors import Conflict
from compliance.models import AuditEvent, Obligation, ObligationKind, ObligationState
from compliance.services.waivers import waive_obligation
from incidents.models import IncidentStatus
from incidents.views.common import timeline
from notifications.models import OutboundEmail
from notifications.sweep import sweep
from reports import services
from tests.factories import committed
from tests.incidents.factories import make_draft, make_filed

from .factories import (
    NOW,
    case_under_review,
    file_report_at,
    investigating,
    more_time_asked,
    written_duty,
)

pytestmark = pytest.mark.django_db

REASON = "The written report was waived: the weakness was reported under PES-2026-00001."


def close(actor, incident, reason=REASON, at=NOW + timedelta(days=1)):
    with time_machine.travel(at, tick=False), committed():
        return services.close_case(actor=actor, incident=incident, reason=reason)


def owed(incident):
    return list(Obligation.objects.provider_duties().filter(
        incident_id=incident.pk, state__in=(ObligationState.OPEN, ObligationState.MISSED)))


def state_of(incident):
    """What a refusal must leave as it was."""
    incident.refresh_from_db()
    return (incident.status, incident.closed_at,
            sorted(Obligation.objects.filter(incident_id=incident.pk)
                   .values_list("id", "state")),
            AuditEvent.objects.count(), OutboundEmail.objects.count())


def test_a_case_whose_written_report_was_waived_is_closed_with_its_reason(
        officer_a, viewer_a, reviewer):
    incident = case_under_review(officer_a)
    with committed():
        waive_obligation(actor=reviewer, obligation=written_duty(incident),
                         reason="Reported under PES-2026-00001.")
    OutboundEmail.objects.all().delete()

    assert close(reviewer, incident) is True

    incident.refresh_from_db()
    assert incident.status == IncidentStatus.CLOSED
    assert incident.closed_at == NOW + timedelta(days=1)
    event = AuditEvent.objects.get(action="incident.closed", object_id=str(incident.pk))
    assert (event.reason, event.actor_id, event.usps_only) == (REASON, reviewer.pk, False)
    # The provider reads why, in the case's history and by e-mail.
    assert any(e.reason == REASON for e in timeline(viewer_a, incident))
    (email,) = OutboundEmail.objects.filter(template="incident_closed")
    assert email.recipient_id == officer_a.pk


def test_closing_an_investigating_case_ends_its_status_reports_and_final_summary(
        officer_a, reviewer):
    incident = investigating(officer_a, reviewer)
    kinds = {duty.kind for duty in owed(incident)}
    assert kinds == {ObligationKind.STATUS_REPORT, ObligationKind.FINAL_SUMMARY}

    close(reviewer, incident)

    assert owed(incident) == []
    # No status report comes due afterwards, and none can be filed.
    with time_machine.travel(NOW + timedelta(days=60), tick=False), committed():
        sweep(NOW + timedelta(days=60))
    assert owed(incident) == []
    with pytest.raises(Conflict, match="closed"):
        file_report_at(officer_a, incident, "final", at=NOW + timedelta(days=2))


def test_a_pending_request_for_more_time_is_settled_with_the_case(officer_a, reviewer):
    """Nothing is owed on the closed case: USPS is left no decision it could not make
    (granting would move a closed duty), none waits in its inbox or is later missed."""
    from compliance.inbox import inbox
    from compliance.models import ExtensionState

    incident = case_under_review(officer_a)
    duty = written_duty(incident)
    extension = more_time_asked(officer_a, duty, NOW + timedelta(hours=2))

    close(reviewer, incident)
    with time_machine.travel(NOW + timedelta(days=30), tick=False), committed():
        sweep(NOW + timedelta(days=30))

    extension.refresh_from_db()
    assert extension.state == ExtensionState.DENIED
    assert extension.comment.startswith("The case is closed") and REASON in extension.comment
    target = Obligation.objects.get(kind=ObligationKind.USPS_EXTENSION_DECISION,
                                    object_id=extension.pk)
    assert target.state == ObligationState.MET
    assert [t for t in inbox(reviewer) if t.incident_id == incident.pk] == []
    # The closing's e-mail tells the provider; no separate denial is sent.
    assert not OutboundEmail.objects.filter(template="extension_denied").exists()
    text = OutboundEmail.objects.get(template="incident_closed").rendered.body_text
    assert (f"Your pending request for more time on Written report for "
            f"{incident.reference} was denied with the closing") in text, text


def test_closing_an_untriaged_filing_meets_uspss_triage_target(officer_a, reviewer):
    incident = make_filed(officer_a, at=NOW)

    close(reviewer, incident, reason="A duplicate of PES-2026-00001, filed twice.")

    target = Obligation.objects.get(incident_id=incident.pk, kind=ObligationKind.USPS_TRIAGE)
    assert target.state == ObligationState.MET


def test_a_case_closed_twice_is_closed_once(officer_a, reviewer, manager):
    incident = case_under_review(officer_a)
    close(reviewer, incident)
    before = state_of(incident)

    assert close(manager, incident, reason="Closing it too.") is False

    assert state_of(incident) == before


@pytest.mark.parametrize("who", ["officer_a", "viewer_a"])
def test_provider_staff_do_not_close_a_case_and_nothing_changes(who, request, officer_a):
    incident = case_under_review(officer_a)
    before = state_of(incident)

    with pytest.raises(PermissionDenied):
        close(request.getfixturevalue(who), incident)

    assert state_of(incident) == before


def test_a_case_is_not_closed_without_a_reason(officer_a, reviewer):
    incident = case_under_review(officer_a)
    before = state_of(incident)

    with pytest.raises(ValidationError):
        close(reviewer, incident, reason="   ")

    assert state_of(incident) == before


def test_a_report_waiting_on_review_is_decided_before_the_case_closes(officer_a, reviewer):
    incident = case_under_review(officer_a)
    report, _ = file_report_at(officer_a, incident, "written", at=NOW + timedelta(hours=1))
    before = state_of(incident)

    with pytest.raises(Conflict, match=report.reference):
        close(reviewer, incident)

    assert state_of(incident) == before


def test_a_draft_is_not_closed(officer_a, reviewer):
    draft = make_draft(officer_a)
    before = state_of(draft)

    with pytest.raises(Conflict):
        close(reviewer, draft)

    assert state_of(draft) == before


# --- The page ---


def test_a_reviewer_closes_a_case_from_its_page(signed_in, officer_a, reviewer):
    incident = case_under_review(officer_a)
    page = signed_in(reviewer)
    assert 'data-testid="close-form"' in page.get(f"/incidents/{incident.pk}/").content.decode()

    with committed():
        response = page.post(f"/incidents/{incident.pk}/close/", {"reason": REASON},
                             follow=True)

    assert response.status_code == 200
    assert f"{incident.reference} is closed" in response.content.decode()
    assert 'data-testid="close-form"' not in response.content.decode()
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.CLOSED


def test_the_page_says_a_report_waiting_on_review_is_decided_first(signed_in, officer_a,
                                                                   reviewer):
    incident = case_under_review(officer_a)
    report, _ = file_report_at(officer_a, incident, "written", at=NOW + timedelta(hours=1))

    page = signed_in(reviewer).get(f"/incidents/{incident.pk}/").content.decode()

    assert 'data-testid="close-form"' not in page
    assert f"{report.reference} v1 waits on your review" in page


def test_the_page_keeps_the_form_with_its_error_when_no_reason_is_given(
        signed_in, officer_a, reviewer):
    incident = case_under_review(officer_a)
    before = state_of(incident)

    response = signed_in(reviewer).post(f"/incidents/{incident.pk}/close/", {"reason": ""})

    assert response.status_code == 400
    assert "Say why the case is closed" in response.content.decode()
    assert state_of(incident) == before


def test_the_page_offers_no_closing_to_the_provider_and_refuses_it(signed_in, officer_a):
    incident = case_under_review(officer_a)
    page = signed_in(officer_a)
    assert 'data-testid="close-form"' not in page.get(f"/incidents/{incident.pk}/").content.decode()
    before = state_of(incident)

    assert page.post(f"/incidents/{incident.pk}/close/", {"reason": REASON}).status_code == 403

    assert state_of(incident) == before


def test_another_providers_officer_finds_no_case_to_close(signed_in, officer_a, officer_b):
    incident = case_under_review(officer_a)
    before = state_of(incident)

    response = signed_in(officer_b).post(f"/incidents/{incident.pk}/close/", {"reason": REASON})

    assert response.status_code == 404
    assert state_of(incident) == before


# --- The API ---


def test_usps_closes_a_case_through_the_api(api_for, officer_a, reviewer):
    incident = case_under_review(officer_a)

    with time_machine.travel(NOW + timedelta(days=1), tick=False), committed():
        response = api_for(reviewer).post(f"/api/v1/incidents/{incident.pk}/close/",
                                          {"reason": REASON}, format="json")

    assert response.status_code == 200 and response.json()["status"] == "closed"
    assert owed(incident) == []


@pytest.mark.parametrize(("who", "status"), [("officer_a", 403), ("officer_b", 404)])
def test_the_api_refuses_provider_staff_and_changes_nothing(who, status, request, api_for,
                                                           officer_a):
    incident = case_under_review(officer_a)
    before = state_of(incident)

    response = api_for(request.getfixturevalue(who)).post(
        f"/api/v1/incidents/{incident.pk}/close/", {"reason": REASON}, format="json")

    assert response.status_code == status
    assert state_of(incident) == before


def test_the_api_asks_for_a_reason(api_for, officer_a, reviewer):
    incident = case_under_review(officer_a)
    before = state_of(incident)

    response = api_for(reviewer).post(f"/api/v1/incidents/{incident.pk}/close/", {},
                                      format="json")

    assert response.status_code == 400 and "reason" in response.json()
    assert state_of(incident) == before


def test_a_close_refused_because_a_report_came_in_keeps_the_reason_typed(
        signed_in, officer_a, reviewer):
    """The close form was offered; meanwhile the provider filed its written report. The
    close is refused (decide the report first), with the reason typed still on the form."""
    incident = case_under_review(officer_a, at=NOW - timedelta(hours=3))
    page = signed_in(reviewer)
    with time_machine.travel(NOW, tick=False):
        assert 'data-testid="close-form"' in page.get(
            f"/incidents/{incident.pk}/").content.decode()
    file_report_at(officer_a, incident, "written", at=NOW + timedelta(minutes=1))
    before = state_of(incident)

    with time_machine.travel(NOW + timedelta(minutes=2), tick=False):
        response = page.post(f"/incidents/{incident.pk}/close/", {"reason": REASON})

    assert response.status_code == 409
    assert "waits on your review" in response.content.decode()
    assert REASON in response.content.decode()
    assert state_of(incident) == before


def test_the_panel_does_not_say_a_waived_written_report_is_filed(signed_in, officer_a,
                                                                 reviewer):
    incident = case_under_review(officer_a)
    with committed():
        waive_obligation(actor=reviewer, obligation=written_duty(incident),
                         reason="Reported under PES-2026-00001.")

    page = signed_in(reviewer).get(f"/incidents/{incident.pk}/").content.decode()

    assert "The written report is filed" not in page
    assert "The written report is owed no more (filed or waived)" in page


def test_an_accepted_final_summary_settles_a_pending_request_on_a_duty_it_closes(
        officer_a, reviewer):
    """A returned status report's correction, still owed when the final summary is filed,
    with a request for more time on it: the case closing denies it (and says so by e-mail)."""
    from compliance.inbox import inbox
    from compliance.models import ExtensionState
    from compliance.services import request_extension
    from reports.models import ReportReview

    day = timedelta(days=1)
    incident = investigating(officer_a, reviewer, interval=14)
    status, _ = file_report_at(officer_a, incident, "status", at=NOW + day)
    with time_machine.travel(NOW + 2 * day, tick=False), committed():
        review = services.return_report(actor=reviewer, report=status, comment="More detail.",
                                        resubmission_due_at=NOW + 10 * day)
    correction = ReportReview.objects.get(pk=review.pk).resubmission_obligation
    with time_machine.travel(NOW + 3 * day, tick=False), committed():
        extension = request_extension(actor=officer_a, obligation=correction,
                                      requested_due_at=correction.due_at + 20 * day,
                                      justification="The lab is closed.")
    final, _ = file_report_at(officer_a, incident, "final", at=NOW + 4 * day)
    with time_machine.travel(NOW + 5 * day, tick=False), committed():
        services.accept_report(actor=reviewer, report=final)
    with time_machine.travel(NOW + 40 * day, tick=False), committed():
        sweep(NOW + 40 * day)

    extension.refresh_from_db()
    assert extension.state == ExtensionState.DENIED
    assert final.reference in extension.comment
    target = Obligation.objects.get(kind=ObligationKind.USPS_EXTENSION_DECISION,
                                    object_id=extension.pk)
    assert target.state == ObligationState.MET
    assert [t for t in inbox(reviewer) if t.incident_id == incident.pk] == []
    assert OutboundEmail.objects.filter(template="extension_denied",
                                        recipient=officer_a).exists()
