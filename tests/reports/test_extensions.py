"""Extension requests through the API and the obligation page: rules, e-mails, isolation."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from compliance.models import ExtensionRequest
from notifications.models import OutboundEmail
from tests import factories

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
ASKED = "2026-03-11T10:00:00-05:00"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def obligation(provider_a):
    return factories.ObligationFactory(provider=provider_a, due_at=NOW + timedelta(days=2),
                                       incident_id=77)


@pytest.fixture
def draft_obligation(provider_a):
    return factories.ObligationFactory(provider=provider_a, usps_visible=False)


def requests_url(obligation):
    return f"/api/v1/obligations/{obligation.pk}/extension-requests/"


def ask(api_for, officer, obligation):
    with factories.committed():
        return api_for(officer).post(requests_url(obligation),
                                     {"requested_due_at": ASKED, "justification": "Lab delay."})


@pytest.fixture
def pending(api_for, officer_a, obligation, reviewer):
    response = ask(api_for, officer_a, obligation)
    assert response.status_code == 201
    return ExtensionRequest.objects.get(pk=response.json()["id"])


def recipients(template):
    return sorted(OutboundEmail.objects.filter(template=template)
                  .values_list("recipient__username", flat=True))


# --- API ---


def test_it_creates_a_request_and_emails_all_reviewers_when_none_is_assigned(
        api_for, officer_a, obligation, reviewer):
    other = factories.ReviewerFactory(username="reviewer2")
    response = ask(api_for, officer_a, obligation)

    assert response.status_code == 201
    body = response.json()
    assert body["state"] == "pending" and body["requested_due_at"] == "2026-03-11T15:00:00.000000Z"
    assert recipients("extension_requested") == sorted([reviewer.username, other.username])


def test_it_emails_only_the_assigned_reviewer(api_for, officer_a, obligation, reviewer):
    assigned = factories.ReviewerFactory(username="assigned")
    obligation.reviewer = assigned
    obligation.save()
    ask(api_for, officer_a, obligation)

    assert recipients("extension_requested") == ["assigned"]


def test_it_rejects_a_time_without_an_offset(api_for, officer_a, obligation):
    response = api_for(officer_a).post(requests_url(obligation), {
        "requested_due_at": "2026-03-11T10:00:00", "justification": "x"})

    assert response.status_code == 400 and "requested_due_at" in response.json()


def test_it_rejects_a_time_before_the_due_time(api_for, officer_a, obligation):
    response = api_for(officer_a).post(requests_url(obligation), {
        "requested_due_at": "2026-03-03T10:00:00Z", "justification": "x"})

    assert response.status_code == 400 and "requested_due_at" in response.json()


def test_it_answers_409_for_a_second_pending_request(api_for, officer_a, obligation, pending):
    assert ask(api_for, officer_a, obligation).status_code == 409


def test_it_hides_the_obligation_outside_the_callers_scope(api_for, officer_b, reviewer,
                                                           obligation, draft_obligation):
    assert ask(api_for, officer_b, obligation).status_code == 404
    assert api_for(officer_b).get(requests_url(obligation)).status_code == 404
    assert api_for(reviewer).get(requests_url(draft_obligation)).status_code == 404
    assert ask(api_for, reviewer, draft_obligation).status_code == 404


def test_it_forbids_viewers_and_usps_to_ask(api_for, viewer_a, reviewer, obligation):
    assert ask(api_for, viewer_a, obligation).status_code == 403
    assert ask(api_for, reviewer, obligation).status_code == 403


def test_it_wants_a_signed_in_caller(api, obligation, pending):
    assert api.post(requests_url(obligation), {}).status_code == 401
    assert api.post(f"/api/v1/extension-requests/{pending.pk}/grant/").status_code == 401


def test_it_lists_an_obligations_requests_for_both_sides(api_for, officer_a, viewer_a,
                                                         reviewer, obligation, pending):
    for user in (officer_a, viewer_a, reviewer):
        body = api_for(user).get(requests_url(obligation)).json()
        assert [r["id"] for r in body["results"]] == [pending.pk]


def test_a_grant_moves_the_due_time_and_emails_the_officers(api_for, reviewer, officer_a,
                                                           viewer_a, obligation, pending):
    with factories.committed():
        response = api_for(reviewer).post(f"/api/v1/extension-requests/{pending.pk}/grant/",
                                          {"comment": "Granted."})

    assert response.status_code == 200 and response.json()["state"] == "granted"
    ob = api_for(officer_a).get(f"/api/v1/obligations/{obligation.pk}/").json()
    assert ob["due_at"] == "2026-03-11T15:00:00.000000Z"
    assert ob["original_due_at"] == "2026-03-04T15:00:00.000000Z"
    assert recipients("extension_granted") == ["officer_a"]


def test_a_denial_needs_a_comment_and_emails_the_officers(api_for, reviewer, pending):
    url = f"/api/v1/extension-requests/{pending.pk}/deny/"
    assert api_for(reviewer).post(url, {}).status_code == 400

    with factories.committed():
        response = api_for(reviewer).post(url, {"comment": "Not justified."})

    assert response.status_code == 200 and response.json()["comment"] == "Not justified."
    assert recipients("extension_denied") == ["officer_a"]


def test_it_answers_409_when_the_request_is_no_longer_pending(api_for, reviewer, pending):
    api_for(reviewer).post(f"/api/v1/extension-requests/{pending.pk}/deny/", {"comment": "No"})

    for verb in ("grant", "deny"):
        response = api_for(reviewer).post(f"/api/v1/extension-requests/{pending.pk}/{verb}/",
                                          {"comment": "Again"})
        assert response.status_code == 409


def test_only_usps_decides_and_other_providers_see_nothing(api_for, officer_a, officer_b,
                                                          pending):
    url = f"/api/v1/extension-requests/{pending.pk}/grant/"
    assert api_for(officer_a).post(url, {}).status_code == 403
    assert api_for(officer_b).post(url, {}).status_code == 404
    assert api_for(officer_b).get(f"/api/v1/extension-requests/{pending.pk}/").status_code == 404
    assert api_for(officer_b).get("/api/v1/extension-requests/").json()["count"] == 0


# --- The obligation page ---


def page(obligation):
    return f"/obligations/{obligation.pk}/"


def test_the_page_shows_the_obligation_and_the_request_form_to_officers(client, officer_a,
                                                                       obligation):
    client.force_login(officer_a)
    html = client.get(page(obligation)).content.decode()

    assert 'href="/incidents/77/"' in html and 'data-testid="extension-form"' in html


def test_an_officer_asks_for_time_on_the_page_in_their_own_zone(client, officer_a,
                                                                obligation, reviewer):
    client.force_login(officer_a)
    with factories.committed():
        response = client.post(page(obligation), {"requested_due_at": "2026-03-11T10:00",
                                                  "justification": "Lab delay."})

    assert response.status_code == 302
    extension = ExtensionRequest.objects.get()
    assert extension.requested_due_at == datetime(2026, 3, 11, 14, 0, tzinfo=UTC)  # EDT
    assert recipients("extension_requested") == ["reviewer"]


@pytest.mark.parametrize("typed, says", [
    ("2026-11-01T01:30", "happened twice in America/New_York (the clocks went back)"),
    ("2026-03-08T02:30", "does not exist in America/New_York: the clocks jumped forward"),
])
def test_a_time_the_clocks_showed_twice_or_skipped_is_refused_saying_why(
        client, officer_a, obligation, typed, says):
    """Asked in the officer's zone: a time of the hour the clocks went back through, or
    jumped over, is refused with what happened and what to type, nothing stored."""
    client.force_login(officer_a)
    response = client.post(page(obligation), {"requested_due_at": typed,
                                              "justification": "Lab delay."})

    assert response.status_code == 400
    html = response.content.decode()
    assert says in html and "may be ambiguous or it may not exist" not in html
    assert not ExtensionRequest.objects.exists()


def test_a_reviewer_grants_on_the_page_and_the_history_shows_the_move(client, reviewer,
                                                                     officer_a, obligation,
                                                                     pending):
    client.force_login(reviewer)
    html = client.get(page(obligation)).content.decode()
    assert 'data-testid="decision-form"' in html

    response = client.post(page(obligation), {"extension": pending.pk, "decision": "grant",
                                              "comment": "OK"})
    assert response.status_code == 302

    client.force_login(officer_a)
    html = client.get(page(obligation)).content.decode()
    assert "Obligation extension granted" in html and "Granted" in html


def test_a_request_on_a_duty_met_meanwhile_is_offered_only_its_denial(client, reviewer,
                                                                     obligation, pending):
    """Nothing is left to extend once the duty is met: no Grant (it would be refused); the
    request is closed by denying it."""
    from compliance.services import fulfil_obligation

    fulfil_obligation(actor=None, obligation=obligation, at=NOW)
    client.force_login(reviewer)

    html = client.get(page(obligation)).content.decode()
    response = client.post(page(obligation), {"extension": pending.pk, "decision": "deny",
                                              "comment": "Filed meanwhile."})

    assert 'value="grant"' not in html and 'data-testid="nothing-to-extend"' in html
    assert "This obligation is owed no more (met): no due time is left to extend." in html
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.state == "denied"


def test_granting_the_time_the_page_shows_grants_exactly_the_time_asked(
        client, api_for, officer_a, reviewer, obligation):
    # The end of a day, as an integration asks for it: the page must not drop the seconds.
    with factories.committed():
        asked = api_for(officer_a).post(requests_url(obligation), {
            "requested_due_at": "2026-03-11T23:59:59-05:00", "justification": "Lab delay."})
    assert asked.status_code == 201
    pending = ExtensionRequest.objects.get()
    client.force_login(reviewer)
    html = client.get(page(obligation)).content.decode()
    shown = re.search(r'<input[^>]*name="due_at"[^>]*>', html).group(0)
    value = re.search(r'value="([^"]*)"', shown).group(1)

    response = client.post(page(obligation), {"extension": pending.pk, "decision": "grant",
                                              "due_at": value, "comment": "OK"})

    assert response.status_code == 302
    pending.refresh_from_db()
    obligation.refresh_from_db()
    assert pending.granted_due_at == pending.requested_due_at == datetime(
        2026, 3, 12, 4, 59, 59, tzinfo=UTC)
    assert obligation.due_at == pending.requested_due_at
    assert 'step="1"' in shown  # so a browser keeps and lets the reviewer edit the seconds


def test_a_time_asked_that_has_passed_is_not_offered_as_the_time_to_grant(
        client, api_for, officer_a, reviewer, obligation):
    """Decided after the time asked for: granted as shown, it would only be refused."""
    with factories.committed():
        asked = api_for(officer_a).post(requests_url(obligation), {
            "requested_due_at": "2026-03-05T12:00:00-05:00", "justification": "Lab delay."})
    assert asked.status_code == 201
    client.force_login(reviewer)

    with time_machine.travel(NOW + timedelta(days=4), tick=False):
        html = client.get(page(obligation)).content.decode()

    shown = re.search(r'<input[^>]*name="due_at"[^>]*>', html).group(0)
    assert "value=" not in shown
    assert "The time asked for, 2026-03-05 12:00 EST, is past" in html


def test_a_refused_grant_of_a_time_asked_that_has_passed_keeps_saying_why(
        client, api_for, officer_a, reviewer, obligation):
    with factories.committed():
        api_for(officer_a).post(requests_url(obligation), {
            "requested_due_at": "2026-03-05T12:00:00-05:00", "justification": "Lab delay."})
    pending = ExtensionRequest.objects.get()
    client.force_login(reviewer)

    with time_machine.travel(NOW + timedelta(days=4), tick=False):
        refused = client.post(page(obligation), {"extension": pending.pk, "decision": "grant",
                                                 "due_at": "", "comment": ""})

    assert refused.status_code == 400
    assert "The time asked for, 2026-03-05 12:00 EST, is past" in refused.content.decode()
    pending.refresh_from_db()
    assert pending.state == "pending"


@pytest.mark.parametrize("offset", ["-04:00", "-05:00"])
def test_granting_as_shown_a_time_the_clocks_showed_twice_grants_the_one_asked(
        client, api_for, officer_a, reviewer, obligation, offset):
    # New York's clocks go back on 2026-11-01: 01:30 comes at -04:00, then at -05:00.
    with factories.committed():
        asked = api_for(officer_a).post(requests_url(obligation), {
            "requested_due_at": f"2026-11-01T01:30:00{offset}", "justification": "Lab."})
    assert asked.status_code == 201
    pending = ExtensionRequest.objects.get()
    client.force_login(reviewer)
    html = client.get(page(obligation)).content.decode()
    shown = re.search(r'<input[^>]*name="due_at"[^>]*>', html).group(0)
    value = re.search(r'value="([^"]*)"', shown).group(1)
    assert value == "2026-11-01T01:30:00"

    response = client.post(page(obligation), {"extension": pending.pk, "decision": "grant",
                                              "due_at": value, "comment": "OK"})

    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.granted_due_at == pending.requested_due_at
    assert pending.granted_due_at.utcoffset() == timedelta(0)


@pytest.mark.parametrize("typed, says", [("2026-11-01T01:15:00", "happened twice"),
                                         ("2026-03-08T02:30:00", "does not exist")])
def test_another_time_the_clocks_showed_twice_or_skipped_is_refused_on_the_page(
        client, reviewer, obligation, pending, typed, says):
    before = ExtensionRequest.objects.filter(pk=pending.pk).values().get()
    due = obligation.due_at
    client.force_login(reviewer)

    response = client.post(page(obligation), {"extension": pending.pk, "decision": "grant",
                                              "due_at": typed, "comment": "OK"})

    assert response.status_code == 400 and says in response.content.decode()
    assert ExtensionRequest.objects.filter(pk=pending.pk).values().get() == before
    obligation.refresh_from_db()
    assert obligation.due_at == due


def test_a_second_decision_on_the_page_says_the_request_was_already_decided(
        client, reviewer, obligation, pending):
    client.force_login(reviewer)
    client.post(page(obligation), {"extension": pending.pk, "decision": "grant",
                                   "comment": "OK"})
    obligation.refresh_from_db()
    granted_due = obligation.due_at

    response = client.post(page(obligation), {"extension": pending.pk, "decision": "deny",
                                              "comment": "Sent twice"}, follow=True)

    assert "This request was already granted." in response.content.decode()
    pending.refresh_from_db()
    obligation.refresh_from_db()
    assert (pending.state, pending.comment, obligation.due_at) == ("granted", "OK", granted_due)


@pytest.mark.parametrize("extension", ["abc", "²", "99999999999999999999999", ""])
def test_a_decision_naming_no_request_answers_404_and_changes_nothing(
        client, reviewer, obligation, pending, extension):
    client.force_login(reviewer)

    response = client.post(page(obligation), {"extension": extension, "decision": "grant",
                                              "comment": "OK"})

    assert response.status_code == 404
    pending.refresh_from_db()
    assert pending.state == "pending"


def test_a_denial_without_a_comment_is_refused_on_the_page(client, reviewer, obligation,
                                                          pending):
    client.force_login(reviewer)
    response = client.post(page(obligation), {"extension": pending.pk, "decision": "deny"})

    assert response.status_code == 400
    pending.refresh_from_db()
    assert pending.state == "pending"


def test_the_page_is_isolated(client, officer_b, viewer_a, reviewer, obligation,
                              draft_obligation, pending):
    assert client.get(page(obligation)).status_code == 302  # to sign in
    client.force_login(officer_b)
    assert client.get(page(obligation)).status_code == 404
    client.force_login(reviewer)
    assert client.get(page(draft_obligation)).status_code == 404
    assert client.post(page(obligation), {"requested_due_at": "2026-03-11T10:00",
                                          "justification": "x"}).status_code == 403
    client.force_login(viewer_a)
    assert client.get(page(obligation)).status_code == 200
    assert client.post(page(obligation), {"extension": pending.pk, "decision": "grant"}
                       ).status_code == 403


def test_the_dashboard_links_to_the_obligation_page(client, officer_a, obligation):
    client.force_login(officer_a)
    assert f'href="/obligations/{obligation.pk}/"' in client.get("/").content.decode()


def test_the_page_reads_in_a_fixed_number_of_queries(client, officer_a, reviewer, obligation,
                                                     django_assert_max_num_queries):
    from compliance.services import deny_extension, request_extension

    for n in range(4):
        extension = request_extension(actor=officer_a, obligation=obligation,
                                      requested_due_at=NOW + timedelta(days=5 + n),
                                      justification=f"Reason {n}")
        deny_extension(actor=reviewer, extension=extension, comment="No")
    client.force_login(reviewer)
    with django_assert_max_num_queries(9) as few:
        client.get(page(obligation))
    for n in range(10):
        extension = request_extension(actor=officer_a, obligation=obligation,
                                      requested_due_at=NOW + timedelta(days=20 + n),
                                      justification=f"Reason {n}")
        deny_extension(actor=reviewer, extension=extension, comment="No")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(page(obligation))


def test_usps_grants_through_the_api_to_a_time_it_chooses(api_for, reviewer, obligation,
                                                          pending):
    response = api_for(reviewer).post(f"/api/v1/extension-requests/{pending.pk}/grant/", {
        "comment": "Five days.", "due_at": "2026-03-09T17:00:00-05:00"})

    assert response.status_code == 200
    assert response.json()["granted_due_at"] == "2026-03-09T22:00:00.000000Z"
    obligation.refresh_from_db()
    assert obligation.due_at == datetime(2026, 3, 9, 22, 0, tzinfo=UTC)


def test_a_grant_before_the_current_due_time_is_refused_and_changes_nothing(
        api_for, reviewer, obligation, pending):
    response = api_for(reviewer).post(f"/api/v1/extension-requests/{pending.pk}/grant/", {
        "due_at": "2026-03-03T09:00:00Z"})

    assert response.status_code == 400 and "due_at" in response.json()
    pending.refresh_from_db()
    obligation.refresh_from_db()
    assert pending.state == "pending" and obligation.due_at == NOW + timedelta(days=2)


def test_waiving_a_duty_settles_the_pending_request_for_more_time_on_it(
        api_for, officer_a, reviewer):
    """Nothing is owed any more: the request is denied with the waiver (and told), USPS's
    target to decide it met; none waits in the inbox, none is missed later."""
    from compliance.inbox import inbox
    from compliance.models import ExtensionState, Obligation, ObligationKind, ObligationState
    from notifications.sweep import sweep
    from tests.factories import committed
    from tests.reports.factories import NOW, case_under_review, more_time_asked, written_duty

    day = timedelta(days=1)
    case = case_under_review(officer_a)
    duty = written_duty(case)
    extension = more_time_asked(officer_a, duty, NOW + day)

    with time_machine.travel(NOW + 2 * day, tick=False), committed():
        response = api_for(reviewer).post(f"/api/v1/obligations/{duty.pk}/waive/",
                                          {"reason": "Reported under PES-2026-00001."},
                                          format="json")
    assert response.status_code == 200 and response.json()["state"] == "waived"

    # Nothing is owed any more: the request has nothing to extend.
    with time_machine.travel(NOW + 3 * day, tick=False):
        grant = api_for(reviewer).post(f"/api/v1/extension-requests/{extension.pk}/grant/",
                                       {}, format="json")
    with time_machine.travel(NOW + 40 * day, tick=False), committed():
        sweep(NOW + 40 * day)
    extension.refresh_from_db()
    target = Obligation.objects.get(kind=ObligationKind.USPS_EXTENSION_DECISION,
                                    object_id=extension.pk)
    waiting = [t.pk for t in inbox(reviewer)]
    assert (extension.state, target.pk in waiting, target.state) == (
        ExtensionState.DENIED, False, ObligationState.MET)
    assert grant.status_code == 409 and "already denied" in grant.json()["detail"]
    assert extension.comment.startswith("The obligation was waived")
    (email,) = OutboundEmail.objects.filter(template="extension_denied", recipient=officer_a)
    text = email.rendered.body_text
    assert "the obligation is owed no more (waived)" in text, text
    assert "the due time stays" not in text and "Due:" not in text
