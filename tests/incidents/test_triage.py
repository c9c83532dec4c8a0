"""Triage by USPS: the revenue risk, the written-report deadline from the policy or the
reviewer, later changes with a rationale, assignment; service, API, page and e-mail."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from compliance.errors import Conflict
from compliance.models import AuditEvent, DeadlinePolicy, Obligation, ObligationKind
from compliance.models.policy import DEFAULT_ESCALATION, DEFAULT_REMINDER_OFFSETS_HOURS
from incidents import services
from incidents.models import Incident, IncidentStatus
from notifications.models import OutboundEmail
from notifications.sweep import sweep
from tests import factories

from .factories import NOW, make_draft, make_filed

pytestmark = pytest.mark.django_db

RATIONALE = "Forged resets reach the CMRS: secret internal reasoning"


@pytest.fixture(autouse=True)
def at_now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def filed(officer_a):
    return make_filed(officer_a, at=NOW - timedelta(hours=1))


def triage(actor, incident, risk="high", rationale=RATIONALE, **kwargs):
    services.triage_incident(actor=actor, incident=incident, revenue_risk=risk,
                             rationale=rationale, **kwargs)
    incident.refresh_from_db()
    return Obligation.objects.get(incident_id=incident.pk, kind=ObligationKind.WRITTEN_REPORT)


def url(incident, suffix="triage/"):
    return f"/api/v1/incidents/{incident.pk}/{suffix}"


# --- The service ---------------------------------------------------------------------

def test_it_sets_the_risk_and_opens_the_written_report_due_from_the_policy(filed, reviewer):
    duty = triage(reviewer, filed, "high")

    assert filed.revenue_risk == "high"
    assert filed.status == IncidentStatus.UNDER_REVIEW
    assert filed.triaged_at == NOW
    assert filed.status_report_interval_days == 7
    assert duty.due_at == duty.original_due_at == NOW + timedelta(days=7)
    assert duty.subject == f"{filed.reference}: {filed.title}"
    assert duty.state == "open" and duty.usps_visible and duty.clause == "§ 501.11(c)"


def test_it_assigns_the_triaging_reviewer_when_nobody_is(filed, reviewer):
    duty = triage(reviewer, filed)

    assert filed.assigned_reviewer == reviewer
    assert duty.reviewer == reviewer


def test_it_does_not_assign_a_manager_who_triages(filed, manager):
    duty = triage(manager, filed)

    assert filed.assigned_reviewer is None and duty.reviewer is None


def test_it_follows_the_policy_in_force(filed, reviewer, manager):
    DeadlinePolicy.objects.create(
        version=1, created_by=manager, note="Tighter",
        risk_windows={r: {"written_report_days": 2, "status_report_interval_days": 5}
                      for r in ("low", "moderate", "high", "critical")},
        reminder_offsets_hours=DEFAULT_REMINDER_OFFSETS_HOURS, escalation=DEFAULT_ESCALATION)

    duty = triage(reviewer, filed, "low")

    assert duty.due_at == NOW + timedelta(days=2)
    assert filed.status_report_interval_days == 5


def test_it_takes_the_due_time_and_interval_the_reviewer_gives(filed, reviewer):
    due = datetime(2026, 6, 20, 17, 0, tzinfo=UTC)
    duty = triage(reviewer, filed, "low", written_report_due_at=due,
                  status_report_interval_days=10)

    assert duty.due_at == duty.original_due_at == due
    assert filed.status_report_interval_days == 10


def test_it_assigns_the_reviewer_named_at_triage(filed, reviewer):
    other = factories.ReviewerFactory(username="rita")
    duty = triage(reviewer, filed, reviewer=other)

    assert filed.assigned_reviewer == other and duty.reviewer == other


def test_it_refuses_provider_staff(filed, officer_a, viewer_a):
    for actor in (officer_a, viewer_a):
        with pytest.raises(PermissionDenied):
            triage(actor, filed)
    assert not Obligation.objects.filter(kind=ObligationKind.WRITTEN_REPORT).exists()


def test_it_refuses_a_draft_and_a_closed_incident(officer_a, filed, reviewer):
    draft = make_draft(officer_a)
    Incident.objects.filter(pk=filed.pk).update(status=IncidentStatus.CLOSED)
    filed.refresh_from_db()
    for incident in (draft, filed):
        with pytest.raises(Conflict):
            triage(reviewer, incident)


def test_it_needs_a_rationale_and_valid_values(filed, reviewer):
    with pytest.raises(ValidationError) as error:
        triage(reviewer, filed, rationale="  ")
    assert "rationale" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        triage(reviewer, filed, written_report_due_at=NOW - timedelta(minutes=1),
               status_report_interval_days=0)
    assert set(error.value.message_dict) == {"written_report_due_at",
                                             "status_report_interval_days"}
    with pytest.raises(ValidationError):
        triage(reviewer, filed, reviewer=factories.ManagerFactory(username="m2"))
    filed.refresh_from_db()
    assert filed.triaged_at is None and filed.revenue_risk is None


def test_it_moves_the_due_time_on_a_change_of_risk_and_keeps_the_original(filed, reviewer):
    first = triage(reviewer, filed, "low")
    with time_machine.travel(NOW + timedelta(days=1), tick=False):
        duty = triage(reviewer, filed, "critical", rationale="Now seen in the wild")

    assert duty.pk == first.pk
    assert duty.original_due_at == NOW + timedelta(days=30)
    assert duty.due_at == NOW + timedelta(days=1 + 3)
    assert filed.revenue_risk == "critical" and filed.status_report_interval_days == 3
    assert filed.triaged_at == NOW  # the first triage stays on record
    moved = AuditEvent.objects.get(action="obligation.due_moved")
    # The duty's history says it moved, for the provider too; the rationale is USPS's.
    assert not moved.usps_only and "Now seen in the wild" not in moved.reason
    assert AuditEvent.objects.get(action="incident.triage_rationale", changes__has_key=
                                  "written_report_due_at").reason == "Now seen in the wild"


def test_it_moves_only_the_deadline_when_the_risk_stays(filed, reviewer):
    triage(reviewer, filed, "high")
    later = NOW + timedelta(days=20)
    duty = triage(reviewer, filed, "high", rationale="Provider lab closed for a week",
                  written_report_due_at=later)

    assert duty.due_at == later and duty.original_due_at == NOW + timedelta(days=7)
    assert filed.status_report_interval_days == 7


def test_a_deadline_moved_at_retriage_moves_the_case_clock(filed, reviewer, officer_a,
                                                           api_for):
    """The case clock follows the duty moved: the case is overdue once the new, earlier
    time passes, in the provider's list as in USPS's."""
    triage(reviewer, filed, "high")
    earlier = NOW + timedelta(days=2)

    triage(reviewer, filed, "high", rationale="Tighter after a call",
           written_report_due_at=earlier)

    case = Incident.objects.get(pk=filed.pk)
    assert (case.owed_due_at, case.next_due_at) == (earlier, earlier)
    with time_machine.travel(NOW + timedelta(days=3), tick=False):
        for user in (officer_a, reviewer):
            listed = api_for(user).get("/api/v1/incidents/?overdue=true").json()["results"]
            assert [row["id"] for row in listed] == [filed.pk]


def test_more_time_for_a_missed_written_report_takes_the_case_out_of_overdue(
        filed, reviewer, officer_a, api_for):
    triage(reviewer, filed, "critical")
    later = NOW + timedelta(days=5)
    with time_machine.travel(later, tick=False):
        sweep()
        assert api_for(officer_a).get("/api/v1/incidents/?overdue=true").json()["count"] == 1

        duty = triage(reviewer, filed, "critical", rationale="Lab outage: more time",
                      written_report_due_at=later + timedelta(days=7))

        assert (duty.state, duty.due_at) == ("open", later + timedelta(days=7))
        assert Incident.objects.get(pk=filed.pk).owed_due_at == later + timedelta(days=7)
        assert api_for(officer_a).get("/api/v1/incidents/?overdue=true").json()["count"] == 0


def test_it_needs_a_rationale_for_a_later_change(filed, reviewer):
    triage(reviewer, filed, "high")
    with pytest.raises(ValidationError) as error:
        triage(reviewer, filed, "low", rationale="")
    assert "rationale" in error.value.message_dict
    filed.refresh_from_db()
    assert filed.revenue_risk == "high"


def test_it_does_not_move_a_written_report_already_met(filed, reviewer):
    duty = triage(reviewer, filed, "high")
    Obligation.objects.filter(pk=duty.pk).update(state="met", met_at=NOW)

    with pytest.raises(ValidationError) as error:
        triage(reviewer, filed, "high", rationale="x",
               written_report_due_at=NOW + timedelta(days=30))
    assert "written_report_due_at" in error.value.message_dict
    duty = triage(reviewer, filed, "critical", rationale="Worse than thought")
    assert duty.state == "met" and duty.due_at == NOW + timedelta(days=7)
    assert filed.revenue_risk == "critical"


def test_the_page_offers_no_due_time_for_a_written_report_already_met(filed, reviewer,
                                                                       client):
    """Its due time no longer moves (the service refuses it): the form offers the risk and
    the interval, not a due time that could only be refused."""
    client.force_login(reviewer)
    before = client.get(f"/incidents/{filed.pk}/").content.decode()
    duty = triage(reviewer, filed, "high")
    Obligation.objects.filter(pk=duty.pk).update(state="met", met_at=NOW)

    after = client.get(f"/incidents/{filed.pk}/").content.decode()

    assert 'name="written_report_due_at"' in before
    assert 'data-testid="triage-form"' in after
    assert 'name="written_report_due_at"' not in after
    assert 'name="due_timezone"' not in after
    assert 'name="status_report_interval_days"' in after


def test_a_refused_change_on_a_met_report_still_offers_no_due_time(filed, reviewer, client):
    """Sent without its rationale, the change comes back with the error on a form that
    still offers the risk and the interval only; the policy's table lists no written
    report due time, which a new risk would not move."""
    client.force_login(reviewer)
    duty = triage(reviewer, filed, "high")
    Obligation.objects.filter(pk=duty.pk).update(state="met", met_at=NOW)

    page = client.get(f"/incidents/{filed.pk}/").content.decode()
    refused = client.post(f"/incidents/{filed.pk}/triage/", {
        "revenue_risk": "critical", "rationale": "", "status_report_interval_days": ""})

    assert refused.status_code == 400
    filed.refresh_from_db()
    assert filed.revenue_risk == "high"
    html = refused.content.decode()
    assert "needs a rationale" in html
    assert 'name="written_report_due_at"' not in html and 'name="due_timezone"' not in html
    table = page.split('data-testid="policy-defaults"')[1].split("</table>")[0]
    assert "Written report due" not in table and "Status reports every" in table
    assert "Change the risk or the interval" in page


def test_a_due_time_typed_on_a_page_shown_before_the_report_was_met_is_answered(
        filed, reviewer, client):
    client.force_login(reviewer)
    duty = triage(reviewer, filed, "high")
    Obligation.objects.filter(pk=duty.pk).update(state="met", met_at=NOW)

    refused = client.post(f"/incidents/{filed.pk}/triage/", {
        "revenue_risk": "high", "rationale": "More time.",
        "written_report_due_at": "2026-07-30T12:00", "due_timezone": "America/New_York"})

    assert refused.status_code == 400
    assert "no longer owed" in refused.content.decode()
    assert Obligation.objects.get(pk=duty.pk).state == "met"


def test_it_keeps_the_rationale_for_usps_eyes(filed, reviewer, officer_a):
    triage(reviewer, filed, "low")
    triage(reviewer, filed, "high", rationale="Second thoughts, internal")

    for_provider = AuditEvent.objects.visible_to(officer_a)
    assert for_provider.filter(action__in=["incident.triaged", "incident.retriaged"]).count() == 2
    assert not for_provider.filter(reason__contains="internal").exists()
    assert not for_provider.filter(action="incident.triage_rationale").exists()
    internal = AuditEvent.objects.filter(action="incident.triage_rationale")
    assert [e.reason for e in internal.order_by("id")] == [RATIONALE, "Second thoughts, internal"]
    assert all(e.usps_only for e in internal)


def test_it_emails_the_providers_officers_the_deadline(filed, reviewer, officer_a, viewer_a,
                                                       officer_b):
    OutboundEmail.objects.all().delete()
    triage(reviewer, filed, "high")

    rows = list(OutboundEmail.objects.filter(template="incident_triaged"))
    assert [r.to_address for r in rows] == [officer_a.email]
    email = rows[0].rendered
    assert filed.reference in email.subject
    assert "2026-06-17 08:00 EDT" in email.body_text  # due, in the officer's zone
    assert "High" in email.body_text and "7 days" in email.body_text
    assert RATIONALE not in email.subject + email.body_text + email.body_html


def test_it_emails_the_officers_again_when_the_deadline_changes(filed, reviewer, officer_a):
    triage(reviewer, filed, "high")
    triage(reviewer, filed, "critical", rationale="Internal: escalated")

    rows = OutboundEmail.objects.filter(template="incident_triaged").order_by("id")
    assert rows.count() == 2
    assert "changed" in rows[1].rendered.subject
    assert "Internal" not in rows[1].rendered.body_text


# --- Assignment ----------------------------------------------------------------------

def test_it_assigns_a_reviewer_and_sends_escalations_to_them(filed, reviewer, manager,
                                                            officer_a):
    triage(manager, filed)
    services.assign_reviewer(actor=manager, incident=filed, reviewer=reviewer)

    filed.refresh_from_db()
    assert filed.assigned_reviewer == reviewer
    assert set(Obligation.objects.filter(incident_id=filed.pk)
               .values_list("reviewer", flat=True)) == {reviewer.pk}
    event = AuditEvent.objects.get(action="incident.reviewer_assigned")
    assert event.usps_only and event.changes["reviewer"] == [None, "reviewer"]
    with pytest.raises(PermissionDenied):
        services.assign_reviewer(actor=officer_a, incident=filed, reviewer=reviewer)
    with pytest.raises(ValidationError):
        services.assign_reviewer(actor=manager, incident=filed, reviewer=officer_a)


# --- The API -------------------------------------------------------------------------

def test_it_triages_through_the_api(filed, reviewer, api_for):
    response = api_for(reviewer).post(url(filed), {
        "revenue_risk": "moderate", "rationale": RATIONALE,
        "written_report_due_at": "2026-06-25T17:00:00-04:00",
        "status_report_interval_days": 10})

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["revenue_risk"] == "moderate" and body["status"] == "under_review"
    assert body["triaged_at"] == "2026-06-10T12:00:00.000000Z"
    assert body["status_report_interval_days"] == 10
    assert body["assigned_reviewer"] == reviewer.pk
    assert body["written_report"]["due_at"] == "2026-06-25T21:00:00.000000Z"
    assert body["written_report"]["original_due_at"] == "2026-06-25T21:00:00.000000Z"


def test_it_refuses_a_due_time_without_an_offset(filed, reviewer, api_for):
    response = api_for(reviewer).post(url(filed), {
        "revenue_risk": "high", "rationale": "x",
        "written_report_due_at": "2026-06-25T17:00:00"})

    assert response.status_code == 400
    assert "written_report_due_at" in response.json()


def test_it_answers_400_for_a_missing_rationale_and_409_for_a_closed_case(
        filed, reviewer, api_for):
    client = api_for(reviewer)
    response = client.post(url(filed), {"revenue_risk": "high"})
    assert response.status_code == 400 and "rationale" in response.json()
    Incident.objects.filter(pk=filed.pk).update(status=IncidentStatus.CLOSED)
    assert client.post(url(filed), {"revenue_risk": "high", "rationale": "x"}).status_code == 409


def test_it_keeps_the_triage_endpoints_to_usps_in_scope(filed, officer_a, officer_b,
                                                       reviewer, api, api_for):
    draft = make_draft(officer_a)
    body = {"revenue_risk": "high", "rationale": "x"}
    for suffix in ("triage/", "assign/"):
        assert api.post(url(filed, suffix), body).status_code == 401
        assert api_for(officer_b).post(url(filed, suffix), body).status_code == 404
        assert api_for(officer_a).post(url(filed, suffix), body).status_code == 403
        assert api_for(reviewer).post(url(draft, suffix), body).status_code == 404
    filed.refresh_from_db()
    assert filed.revenue_risk is None


def test_it_assigns_through_the_api(filed, reviewer, manager, api_for):
    client = api_for(manager)
    response = client.post(url(filed, "assign/"), {"reviewer": reviewer.pk})
    assert response.status_code == 200 and response.json()["assigned_reviewer"] == reviewer.pk
    assert client.post(url(filed, "assign/"), {"reviewer": manager.pk}).status_code == 400
    response = client.post(url(filed, "assign/"), {"reviewer": None})
    assert response.status_code == 200 and response.json()["assigned_reviewer"] is None


def test_it_shows_provider_staff_the_risk_but_not_the_rationale(filed, reviewer, officer_a,
                                                               api_for):
    triage(reviewer, filed, "high")

    body = api_for(officer_a).get(f"/api/v1/incidents/{filed.pk}/").json()
    assert body["revenue_risk"] == "high" and body["status"] == "under_review"
    obligations = api_for(officer_a).get(f"/api/v1/obligations/?incident={filed.pk}").content
    assert RATIONALE.encode() not in obligations


# --- The page ------------------------------------------------------------------------

def page_form(**overrides):
    data = {"revenue_risk": "high", "rationale": RATIONALE, "written_report_due_at": "",
            "due_timezone": "Europe/Paris", "status_report_interval_days": "", "reviewer": ""}
    data.update(overrides)
    return data


def test_it_offers_usps_the_triage_form_with_the_policy_defaults(filed, reviewer, officer_a,
                                                                client):
    client.force_login(reviewer)
    page = client.get(f"/incidents/{filed.pk}/").content.decode()
    assert 'data-testid="triage-form"' in page
    assert 'data-testid="policy-defaults"' in page
    assert "2026-06-17 08:00 EDT" in page  # high: 7 days from now, in the reviewer's zone
    assert '<option value="America/New_York" selected>' in page

    client.force_login(officer_a)
    page = client.get(f"/incidents/{filed.pk}/").content.decode()
    assert "triage-form" not in page and "policy-defaults" not in page


def test_it_triages_from_the_page_with_a_local_due_time(filed, reviewer, client):
    client.force_login(reviewer)
    response = client.post(f"/incidents/{filed.pk}/triage/", page_form(
        written_report_due_at="2026-06-20T18:00", status_report_interval_days="9"))

    assert response.status_code == 302
    duty = Obligation.objects.get(incident_id=filed.pk, kind=ObligationKind.WRITTEN_REPORT)
    assert duty.due_at == datetime(2026, 6, 20, 16, 0, tzinfo=UTC)  # 18:00 in Paris (CEST)
    filed.refresh_from_db()
    assert filed.status_report_interval_days == 9


def test_a_new_risk_chosen_on_the_page_takes_the_policys_interval_for_it(filed, reviewer,
                                                                         client):
    """The page shows the interval in force without sending it back as the reviewer's own:
    a risk raised alone takes the policy's interval for the new risk, as through the API."""
    triage(reviewer, filed, "low")
    assert filed.status_report_interval_days == 30
    client.force_login(reviewer)

    page = client.get(f"/incidents/{filed.pk}/").content.decode()
    field = re.search(r'<input[^>]*name="status_report_interval_days"[^>]*>', page).group(0)
    assert "value=" not in field
    assert "Now every 30 days." in page
    client.post(f"/incidents/{filed.pk}/triage/", page_form(
        revenue_risk="critical", rationale="Seen in the wild"))

    filed.refresh_from_db()
    assert (filed.revenue_risk, filed.status_report_interval_days) == ("critical", 3)


def test_an_interval_left_empty_on_the_page_stays_as_it_was(filed, reviewer, client):
    triage(reviewer, filed, "low", status_report_interval_days=21)
    client.force_login(reviewer)

    client.post(f"/incidents/{filed.pk}/triage/", page_form(
        revenue_risk="low", rationale="Deadline only",
        written_report_due_at="2026-06-25T18:00"))

    filed.refresh_from_db()
    assert filed.status_report_interval_days == 21


def test_it_shows_triage_errors_on_the_page(filed, reviewer, client):
    client.force_login(reviewer)
    response = client.post(f"/incidents/{filed.pk}/triage/", page_form(rationale=""))

    assert response.status_code == 400
    assert "Say why this revenue risk" in response.content.decode()


def test_it_never_shows_the_rationale_on_the_providers_page(filed, reviewer, officer_a, client):
    triage(reviewer, filed, "high")
    client.force_login(reviewer)
    assert RATIONALE in client.get(f"/incidents/{filed.pk}/").content.decode()

    client.force_login(officer_a)
    page = client.get(f"/incidents/{filed.pk}/").content.decode()
    assert RATIONALE not in page
    assert "Incident triaged" in page and "High" in page


def test_it_keeps_the_triage_and_assign_pages_to_usps_in_scope(filed, officer_a, officer_b,
                                                              reviewer, client):
    draft = make_draft(officer_a)
    for suffix in ("triage/", "assign/"):
        response = client.post(f"/incidents/{filed.pk}/{suffix}", page_form())
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        client.force_login(officer_b)
        assert client.post(f"/incidents/{filed.pk}/{suffix}", page_form()).status_code == 404
        client.force_login(officer_a)
        assert client.post(f"/incidents/{filed.pk}/{suffix}", page_form()).status_code == 403
        client.force_login(reviewer)
        assert client.post(f"/incidents/{draft.pk}/{suffix}", page_form()).status_code == 404
        client.logout()
    filed.refresh_from_db()
    assert filed.revenue_risk is None


def test_it_assigns_from_the_incident_page(filed, reviewer, manager, client):
    client.force_login(manager)
    response = client.post(f"/incidents/{filed.pk}/assign/", {"reviewer": reviewer.pk})

    assert response.status_code == 302 and response["Location"] == f"/incidents/{filed.pk}/"
    filed.refresh_from_db()
    assert filed.assigned_reviewer == reviewer


def test_the_review_part_of_the_case_page_reads_the_reviewers_once(
        filed, reviewer, manager, client, django_assert_num_queries):
    services.assign_reviewer(actor=manager, incident=filed, reviewer=reviewer)
    client.force_login(manager)
    client.get(f"/incidents/{filed.pk}/")
    with django_assert_num_queries(16) as one:
        page = client.get(f"/incidents/{filed.pk}/").content.decode()
    factories.ReviewerFactory.create_batch(3)
    with django_assert_num_queries(len(one.captured_queries)):
        more = client.get(f"/incidents/{filed.pk}/").content.decode()

    reads = [q["sql"] for q in one.captured_queries if '"role" = ' in q["sql"]]
    assert len(reads) == 1  # the assign form and the triage form share one list
    assert f'<option value="{reviewer.pk}" selected>{reviewer}</option>' in page
    assert more.count("<option value=") == page.count("<option value=") + 6


def test_retriage_moves_the_correction_owed_after_a_returned_written_report(officer_a,
                                                                           reviewer):
    from compliance.models import AuditEvent, Obligation, ObligationKind
    from reports import services as reports
    from tests.factories import committed
    from tests.reports.factories import NOW as REPORTS_NOW
    from tests.reports.factories import case_under_review, file_report_at

    with time_machine.travel(REPORTS_NOW, tick=False):
        case = case_under_review(officer_a, at=REPORTS_NOW - timedelta(hours=3))
        report, _ = file_report_at(officer_a, case, "written",
                                   at=REPORTS_NOW - timedelta(hours=2))
        with committed():
            reports.return_report(actor=reviewer, report=report, comment="Say more")
        first, correction = Obligation.objects.filter(
            incident_id=case.pk, kind=ObligationKind.WRITTEN_REPORT).order_by("id")
        original = correction.original_due_at
        new_due = REPORTS_NOW + timedelta(days=2)

        services.triage_incident(actor=reviewer, incident=case, revenue_risk="moderate",
                                 rationale="Hurry the correction",
                                 written_report_due_at=new_due)

    correction.refresh_from_db()
    assert (correction.due_at, correction.original_due_at) == (new_due, original)
    first.refresh_from_db()
    assert first.state == "met"
    assert AuditEvent.objects.for_object(correction).filter(
        action="obligation.due_moved").exists()


def _written_report(incident):
    return Obligation.objects.get(incident_id=incident.pk, kind=ObligationKind.WRITTEN_REPORT)


def test_raising_the_risk_never_gives_the_provider_more_time(officer_a, reviewer):
    """With no date typed, the policy's window from now moves the written report one way
    only: a graver risk sooner, never later; a lighter one later, never sooner."""
    with time_machine.travel(NOW, tick=False):
        case = make_filed(officer_a, at=NOW - timedelta(hours=1))
        services.triage_incident(actor=reviewer, incident=case, revenue_risk="low",
                                 rationale="Limited exposure")
    before = _written_report(case).due_at  # NOW + 30 days (low)
    assert before == NOW + timedelta(days=30)
    # Day 28: new facts, the risk is raised to high (7 days under the default policy).
    with time_machine.travel(NOW + timedelta(days=28), tick=False):
        services.triage_incident(actor=reviewer, incident=case, revenue_risk="high",
                                 rationale="Seen exploited in the wild")
    assert _written_report(case).due_at == before  # not NOW + 35 days

    # Lowered again to moderate on day 29: 14 days from then, later than the day-30 date.
    with time_machine.travel(NOW + timedelta(days=29), tick=False):
        services.triage_incident(actor=reviewer, incident=case, revenue_risk="moderate",
                                 rationale="Exploit contained")
    assert _written_report(case).due_at == NOW + timedelta(days=29 + 14)


def test_lowering_the_risk_does_not_take_back_an_extension_granted(officer_a, reviewer):
    from compliance.services import extensions

    with time_machine.travel(NOW, tick=False):
        case = make_filed(officer_a, at=NOW - timedelta(hours=1))
        services.triage_incident(actor=reviewer, incident=case, revenue_risk="high",
                                 rationale="Serious")
        duty = _written_report(case)
        request = extensions.request_extension(
            actor=officer_a, obligation=duty, requested_due_at=NOW + timedelta(days=25),
            justification="Lab outage")
        extensions.grant_extension(actor=reviewer, extension=request, comment="Granted")
    granted = _written_report(case).due_at
    assert granted == NOW + timedelta(days=25)
    # Next day USPS finds the risk lower than thought: moderate (14 days).
    with time_machine.travel(NOW + timedelta(days=1), tick=False):
        services.triage_incident(actor=reviewer, incident=case, revenue_risk="moderate",
                                 rationale="Exposure smaller than feared")
    assert _written_report(case).due_at == granted  # not NOW + 15 days
    assert Incident.objects.get(pk=case.pk).revenue_risk == "moderate"


@pytest.mark.parametrize("departure", ["made_manager", "deactivated"])
def test_the_triaging_reviewer_takes_a_case_its_departed_holder_left(departure, officer_a,
                                                                      reviewer, manager):
    """A case held by someone who reviews no more reads as nobody's: the reviewer who
    triages it takes it, as they take a case nobody holds."""
    from accounts.services import change_role, deactivate_user

    with time_machine.travel(NOW, tick=False):
        incident = make_filed(officer_a, at=NOW - timedelta(hours=1))
    former = factories.ReviewerFactory(username="former.reviewer")
    services.assign_reviewer(actor=manager, incident=incident, reviewer=former)
    if departure == "made_manager":
        change_role(actor=manager, user=former, role="usps_manager")
    else:
        deactivate_user(actor=manager, user=former)

    services.triage_incident(actor=reviewer, incident=incident, revenue_risk="high",
                             rationale="Because.")
    incident.refresh_from_db()

    assert incident.assigned_reviewer == reviewer, incident.assigned_reviewer
