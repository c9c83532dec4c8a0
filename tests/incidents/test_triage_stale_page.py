"""Two reviewers open the same untriaged filing from "Waiting on USPS" and each triages it.
The second one's page still offered a first triage: its form must not silently turn into a
re-triage that overrides the first reviewer's risk and moves the written report's deadline
(the amendment form refuses a stale page the same way, with `based_on`)."""

import re
from datetime import timedelta

import pytest
import time_machine

from compliance.models import Obligation, ObligationKind
from incidents import services
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
