"""Two reviewers open the same untriaged filing from "Waiting on USPS" and each triages it.
The second one's page still offered a first triage: its form must not silently turn into a
re-triage that overrides the first reviewer's risk and moves the written report's deadline
(the amendment form refuses a stale page the same way, with `based_on`)."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.messages import get_messages

from compliance.models import Obligation, ObligationKind
from incidents import services
from notifications.models import OutboundEmail
from tests import factories
from tests.incidents.factories import NOW, make_filed

pytestmark = pytest.mark.django_db


def triage_form_fields(html):
    """What the browser sends from the triage form as rendered: its hidden inputs, and each
    select's selected option."""
    form = html[html.index('data-testid="triage-form"'):]
    form = form[:form.index("</form>")]
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))
    for name, body in re.findall(r'<select name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', body)
        fields.setdefault(name, chosen.group(1) if chosen else "")
    return fields


def test_a_first_triage_sent_from_a_stale_page_does_not_override_the_triage_made_meanwhile(
        client, officer_a, reviewer):
    other = factories.ReviewerFactory(username="rita")
    incident = make_filed(officer_a, at=NOW - timedelta(hours=2))
    with time_machine.travel(NOW, tick=False):
        client.force_login(other)
        page = client.get(f"/incidents/{incident.pk}/").content.decode()
        assert ">Triage</button>" in page  # Rita is offered the first triage
        fields = triage_form_fields(page)

        # Meanwhile the reviewer triages it: low risk.
        services.triage_incident(actor=reviewer, incident=incident, revenue_risk="low",
                                 rationale="Contained to one meter.")
        duty = Obligation.objects.get(incident_id=incident.pk,
                                      kind=ObligationKind.WRITTEN_REPORT)

        # Rita sends the first triage her page offered.
        response = client.post(f"/incidents/{incident.pk}/triage/", {
            **fields, "revenue_risk": "critical", "rationale": "Looks bad.",
            "due_timezone": "America/New_York"})

    incident.refresh_from_db()
    duty.refresh_from_db()
    assert incident.revenue_risk == "low", "the first triage was silently overridden"
    assert duty.due_at == duty.original_due_at
    assert response.status_code in (302, 409)


def test_a_triage_sent_from_a_page_shown_before_a_reassignment_leaves_it(client, officer_a,
                                                                         reviewer):
    """Rita's page shows the case assigned to the first reviewer; a manager then gives it
    to Sam; Rita triages without touching the reviewer: Sam keeps the case. Choosing
    another reviewer on the page still assigns that one."""
    rita = factories.ReviewerFactory(username="rita")
    sam = factories.ReviewerFactory(username="sam")
    manager = factories.ManagerFactory(username="mgr")
    incident = make_filed(officer_a, at=NOW - timedelta(hours=2))
    with time_machine.travel(NOW, tick=False):
        services.assign_reviewer(actor=manager, incident=incident, reviewer=reviewer)
        client.force_login(rita)
        fields = triage_form_fields(client.get(f"/incidents/{incident.pk}/").content.decode())
        assert fields["reviewer"] == fields["reviewer_shown"] == str(reviewer.pk)
        services.assign_reviewer(actor=manager, incident=incident, reviewer=sam)

        response = client.post(f"/incidents/{incident.pk}/triage/", {
            **fields, "revenue_risk": "high", "rationale": "Forged resets."})

        incident.refresh_from_db()
        assert response.status_code == 302
        assert (incident.revenue_risk, incident.assigned_reviewer) == ("high", sam)

        fields = triage_form_fields(client.get(f"/incidents/{incident.pk}/").content.decode())
        client.post(f"/incidents/{incident.pk}/triage/", {
            **fields, "reviewer": str(rita.pk), "rationale": "Rita takes it."})
    incident.refresh_from_db()
    assert incident.assigned_reviewer == rita


# The case page's triage form after the first triage: a page shown before a colleague's
# re-triage does not undo it, and its message says what it did.

def _triaged_low_page(client, officer, triaged_by, viewer):
    """A case `triaged_by` triaged at low risk, and the triage form's fields as `viewer`'s
    case page shows them then: (the case, the fields)."""
    incident = make_filed(officer, at=NOW - timedelta(hours=2))
    with time_machine.travel(NOW, tick=False):
        services.triage_incident(actor=triaged_by, incident=incident, revenue_risk="low",
                                 rationale="Contained to one meter.")
        client.force_login(viewer)
        page = client.get(f"/incidents/{incident.pk}/").content.decode()
    return incident, triage_form_fields(page)


def test_a_retriage_sent_from_a_page_shown_before_a_colleagues_retriage_does_not_undo_it(
        client, officer_a, reviewer):
    """Rita opens the case (risk low) to shorten the status-report interval. Meanwhile the
    assigned reviewer raises the risk to critical on new facts (the written report moves to
    the critical deadline). Rita sends her page, its risk select still showing "low": the
    colleague's triage must not be silently undone (the risk back to low, the deadline
    moved back out); the page is refused, nothing changed."""
    incident, fields = _triaged_low_page(client, officer_a, reviewer,
                                         factories.ReviewerFactory(username="rita"))
    assert fields["revenue_risk"] == "low"

    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        services.triage_incident(actor=reviewer, incident=incident, revenue_risk="critical",
                                 rationale="Seen in the wild.")
        duty = Obligation.objects.get(incident_id=incident.pk,
                                      kind=ObligationKind.WRITTEN_REPORT)
        critical_due = duty.due_at

    with time_machine.travel(NOW + timedelta(minutes=10), tick=False):
        response = client.post(f"/incidents/{incident.pk}/triage/", {
            **fields, "status_report_interval_days": "14",
            "rationale": "Every two weeks is enough."})

    incident.refresh_from_db()
    duty.refresh_from_db()
    assert (incident.revenue_risk, duty.due_at) == ("critical", critical_due), (
        "the colleague's re-triage was silently undone by a page shown before it")
    assert response.status_code in (302, 409)
    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("changed meanwhile" in m for m in said), said


def test_a_retriage_that_changes_nothing_for_the_provider_does_not_say_they_are_told(
        client, officer_a, reviewer):
    """The case page's "Record the change" with only the assigned reviewer changed (or
    nothing at all): nothing is sent to the provider, so the success message must not say
    the provider's officers are told the deadline."""
    sam = factories.ReviewerFactory(username="sam")
    incident, fields = _triaged_low_page(client, officer_a, reviewer, reviewer)
    with time_machine.travel(NOW, tick=False):
        emails_before = OutboundEmail.objects.filter(template="incident_triaged").count()
        response = client.post(f"/incidents/{incident.pk}/triage/", {
            **fields, "reviewer": str(sam.pk), "rationale": ""})

    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.assigned_reviewer == sam
    # Nothing was sent to the provider ...
    assert OutboundEmail.objects.filter(template="incident_triaged").count() == emails_before
    # ... and the page must not say it was.
    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert not any("officers are told" in m for m in said), said


def test_a_first_triage_sent_twice_is_answered_as_done_not_as_a_colleagues_triage(
        client, officer_a, reviewer):
    """A double click (or a retry after a lost answer) on "Triage": the second sending,
    identical to the first, is the reviewer's own triage already recorded. It must not be
    answered with an error saying the case "was triaged meanwhile" (as if a colleague had),
    which sends the reviewer to check someone else's triage; nothing changes either way."""
    incident = make_filed(officer_a, at=NOW - timedelta(hours=2))
    with time_machine.travel(NOW, tick=False):
        client.force_login(reviewer)
        fields = triage_form_fields(client.get(f"/incidents/{incident.pk}/").content.decode())
        data = {**fields, "revenue_risk": "high", "rationale": "Forged resets."}
        first = client.post(f"/incidents/{incident.pk}/triage/", data)
        assert first.status_code == 302
        client.get(first["Location"])  # the first answer's page, read (its message shown)
        duty = Obligation.objects.get(incident_id=incident.pk,
                                      kind=ObligationKind.WRITTEN_REPORT)
        second = client.post(f"/incidents/{incident.pk}/triage/", data)

    duty.refresh_from_db()
    incident.refresh_from_db()
    assert incident.revenue_risk == "high" and duty.due_at == duty.original_due_at
    said = [(m.level_tag, str(m)) for m in get_messages(second.wsgi_request)]
    assert not any(level == "error" for level, _ in said), said
    assert ("info", "Nothing changed: the triage is as the page shows it.") in said


# --- The same through the API: optional `expect_first` and `based_on` (`triage_state`) ---


def _review_state(api, incident):
    response = api.get(f"/api/v1/incidents/{incident.pk}/triage/")
    assert response.status_code == 200
    return response.json()


def test_the_api_refuses_a_first_triage_a_colleague_made_meanwhile(api_for, officer_a,
                                                                    reviewer):
    incident = make_filed(officer_a, at=NOW - timedelta(hours=2))
    rita = api_for(factories.ReviewerFactory(username="rita"))
    with time_machine.travel(NOW, tick=False):
        assert _review_state(rita, incident)["triaged_at"] is None
        services.triage_incident(actor=reviewer, incident=incident, revenue_risk="low",
                                 rationale="Contained to one meter.")
        before = _review_state(rita, incident)

        response = rita.post(f"/api/v1/incidents/{incident.pk}/triage/", {
            "revenue_risk": "critical", "rationale": "Looks bad.", "expect_first": True},
            format="json")

        assert response.status_code == 409, response.content
        assert _review_state(rita, incident) == before  # nothing changed
        # Sent again as the same first triage changes nothing either: it answers 200.
        same = rita.post(f"/api/v1/incidents/{incident.pk}/triage/", {
            "revenue_risk": "low", "rationale": "Contained.", "expect_first": True},
            format="json")
        assert same.status_code == 200 and same.json() == before


def test_the_api_refuses_a_retriage_based_on_a_state_changed_since(api_for, officer_a,
                                                                    reviewer):
    incident = make_filed(officer_a, at=NOW - timedelta(hours=2))
    rita = api_for(factories.ReviewerFactory(username="rita"))
    with time_machine.travel(NOW, tick=False):
        services.triage_incident(actor=reviewer, incident=incident, revenue_risk="low",
                                 rationale="Contained to one meter.")
        seen = _review_state(rita, incident)["triage_state"]
        services.triage_incident(actor=reviewer, incident=incident, revenue_risk="critical",
                                 rationale="Seen in the wild.")
        before = _review_state(rita, incident)

        stale = rita.post(f"/api/v1/incidents/{incident.pk}/triage/", {
            "revenue_risk": "low", "status_report_interval_days": 14,
            "rationale": "Every two weeks.", "based_on": seen}, format="json")

        assert stale.status_code == 409, stale.content
        assert _review_state(rita, incident) == before
        fresh = rita.post(f"/api/v1/incidents/{incident.pk}/triage/", {
            "revenue_risk": "critical", "status_report_interval_days": 14,
            "rationale": "Every two weeks.", "based_on": before["triage_state"]},
            format="json")
        assert fresh.status_code == 200
        assert fresh.json()["status_report_interval_days"] == 14
        assert fresh.json()["triage_state"] != before["triage_state"]


def test_the_triage_state_is_usps_only(api_for, officer_a, officer_b):
    incident = make_filed(officer_a, at=NOW - timedelta(hours=2))
    assert api_for(officer_a).get(f"/api/v1/incidents/{incident.pk}/triage/").status_code == 403
    assert api_for(officer_b).get(f"/api/v1/incidents/{incident.pk}/triage/").status_code == 404


def test_choosing_nobody_on_the_triage_form_is_not_silently_ignored(client, officer_a,
                                                                    reviewer):
    """Once someone is assigned the triage form offers no "nobody"; one posted anyway is
    refused on the form, not taken for "as shown" and answered "Nothing changed"."""
    from django.contrib.messages import get_messages

    manager = factories.ManagerFactory(username="mgr")
    incident = make_filed(officer_a, at=NOW - timedelta(hours=2))
    with time_machine.travel(NOW, tick=False):
        services.triage_incident(actor=reviewer, incident=incident, revenue_risk="low",
                                 rationale="Contained to one meter.")
        incident.refresh_from_db()
        assert incident.assigned_reviewer == reviewer
        client.force_login(manager)
        page = client.get(f"/incidents/{incident.pk}/").content.decode()
        fields = triage_form_fields(page)
        assert fields["reviewer"] == fields["reviewer_shown"] == str(reviewer.pk)
        triage_form = page[page.index('data-testid="triage-form"'):]
        assert '<option value="">—</option>' not in triage_form[:triage_form.index("</form>")]

        response = client.post(f"/incidents/{incident.pk}/triage/",
                               {**fields, "reviewer": "", "rationale": "Nobody for now."},
                               follow=True)
    incident.refresh_from_db()
    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert not any("Nothing changed" in m for m in said)
    assert "to assign nobody, use Assign" in response.content.decode()
    assert incident.assigned_reviewer == reviewer


def test_a_case_whose_reviewer_left_is_triaged_again_with_nobody_shown(client, officer_a,
                                                                       reviewer):
    """A reviewer who left is not offered: the form shows "—", and the triage it sends goes
    through, assigning no one else."""
    from compliance.models import User

    manager = factories.ManagerFactory(username="mgr")
    incident = make_filed(officer_a, at=NOW - timedelta(hours=2))
    with time_machine.travel(NOW, tick=False):
        services.triage_incident(actor=reviewer, incident=incident, revenue_risk="low",
                                 rationale="Contained to one meter.")
        User.objects.filter(pk=reviewer.pk).update(is_active=False)
        client.force_login(manager)
        page = client.get(f"/incidents/{incident.pk}/").content.decode()
        fields = triage_form_fields(page)
        assert fields["reviewer"] == ""

        client.post(f"/incidents/{incident.pk}/triage/",
                    {**fields, "revenue_risk": "high", "rationale": "Seen exploited."})
    incident.refresh_from_db()
    assert (incident.revenue_risk, incident.assigned_reviewer) == ("high", reviewer)


def test_refused_triage_form_shown_again_offers_no_nobody(client, officer_a, reviewer):
    """Refused for another reason (a change of risk with no rationale) and shown again with
    its error, the form offers no "nobody" either while a current reviewer is assigned."""
    manager = factories.ManagerFactory(username="mgr")
    incident = make_filed(officer_a, at=NOW - timedelta(hours=2))
    with time_machine.travel(NOW, tick=False):
        services.triage_incident(actor=reviewer, incident=incident, revenue_risk="low",
                                 rationale="Contained to one meter.")
        client.force_login(manager)
        page = client.get(f"/incidents/{incident.pk}/").content.decode()
        fields = triage_form_fields(page)
        first = page[page.index('data-testid="triage-form"'):]
        assert '<option value="">—</option>' not in first[:first.index("</form>")]
        # A change of risk without its rationale: refused on the form, shown again.
        response = client.post(f"/incidents/{incident.pk}/triage/",
                               {**fields, "revenue_risk": "high", "rationale": ""})
    again = response.content.decode()
    form = again[again.index('data-testid="triage-form"'):]
    form = form[:form.index("</form>")]
    assert "rationale" in form.lower()
    assert '<option value="">—</option>' not in form, (
        "the form shown again offers 'nobody', which it then refuses")
