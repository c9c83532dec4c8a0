"""The proceedings API: opening, steps, amendments and internal notes, with the codes
API.md publishes (400, 403, 404, 409) and nothing stored when refused."""

from datetime import date

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from compliance.models import Obligation, Proceeding, ProceedingNote, ProceedingStep
from tests.factories import committed
from tests.incidents.factories import make_draft

from .helpers import DAY, T0, issue, open_sanction

pytestmark = pytest.mark.django_db

LIST = "/api/v1/proceedings/"


def steps_url(proceeding):
    return f"/api/v1/proceedings/{proceeding.pk}/steps/"


def post(client, url, body, when=T0):
    with time_machine.travel(when, tick=False), committed():
        return client.post(url, body, format="json")


def test_a_manager_opens_a_proceeding_with_the_published_fields(
        api_for, manager, provider_a, missed_case, missed_duty):
    response = post(api_for(manager), LIST, {
        "provider": provider_a.pk, "kind": "suspension", "grounds": "Missed report.",
        "obligations": [missed_duty.pk], "incidents": [missed_case.pk]})

    assert response.status_code == 201
    body = response.json()
    proceeding = Proceeding.objects.get()
    assert (body["id"], body["provider"], body["kind"], body["state"]) == (
        proceeding.pk, provider_a.pk, "suspension", "proposed")
    assert body["sha256"] == proceeding.steps.get().versions.get().sha256
    assert body["obligations"] == [missed_duty.pk] and body["incidents"] == [missed_case.pk]
    assert body["evidence"]["obligations"][0]["state"] == "missed"
    assert [s["kind"] for s in body["steps"]] == ["proposal"]
    # The notice of suspension waits for the provider's answer or its period's end.
    assert body["next_steps"] == ["withdrawal"]
    assert body["steps"][0]["period_due_at"] == "2026-06-25T03:59:59.000000Z"


@pytest.mark.parametrize("who", ["reviewer", "officer_a"])
def test_only_managers_open_proceedings(request, api_for, who, provider_a, missed_duty):
    response = post(api_for(request.getfixturevalue(who)), LIST, {
        "provider": provider_a.pk, "kind": "suspension", "grounds": "x",
        "obligations": [missed_duty.pk]})

    assert response.status_code == 403 and not Proceeding.objects.exists()


@pytest.mark.parametrize("body, field", [
    ({"provider": 987654}, "provider"),
    ({"kind": "fine"}, "kind"),
    ({"obligations": [987654]}, "obligations"),
    ({"incidents": [987654]}, "incidents"),
    ({"pes_models": [987654]}, "pes_models"),
])
def test_bad_input_answers_400_and_stores_nothing(api_for, manager, provider_a, missed_duty,
                                                   body, field):
    response = post(api_for(manager), LIST, {
        "provider": provider_a.pk, "kind": "suspension", "grounds": "x",
        "obligations": [missed_duty.pk], **body})

    assert response.status_code == 400 and field in response.json()
    assert not Proceeding.objects.exists() and not ProceedingStep.objects.exists()


def test_citing_a_duty_usps_may_not_see_answers_as_citing_nothing(api_for, manager,
                                                                 officer_a, provider_a):
    """A draft's notification duty is hidden from USPS: citing it answers as an id that
    names nothing does, so the refusal tells no one that the provider has a draft."""
    draft = make_draft(officer_a)
    hidden = Obligation.objects.get(incident_id=draft.pk, kind="notification")
    client = api_for(manager)
    assert client.get(f"/api/v1/obligations/{hidden.pk}/").status_code == 404

    def cite(pk):
        return post(client, LIST, {"provider": provider_a.pk, "kind": "sanction",
                                   "grounds": "Unpaid postage.", "obligations": [pk]})

    on_hidden, on_nothing = cite(hidden.pk), cite(hidden.pk + 10_000)

    assert on_nothing.status_code == 400
    assert (on_hidden.status_code, on_hidden.json()) == (400, on_nothing.json())
    assert not Proceeding.objects.exists()


def test_each_side_sees_its_own_next_steps(api_for, suspension, manager, officer_a, viewer_a,
                                           reviewer):
    def next_steps(user):
        return api_for(user).get(f"{LIST}{suspension.pk}/").json()["next_steps"]

    assert next_steps(manager) == ["suspension_notice", "withdrawal"]
    assert next_steps(officer_a) == ["correction"]
    assert next_steps(viewer_a) == next_steps(reviewer) == []


def test_the_provider_answers_through_the_api(api_for, suspension, officer_a):
    response = post(api_for(officer_a), steps_url(suspension),
                    {"kind": "correction", "body": "Filed; proof attached."}, T0 + DAY)

    assert response.status_code == 201
    body = response.json()
    assert (body["number"], body["kind"], body["side"], body["issued_by"]) == (
        2, "correction", "provider", "officer_a")
    assert body["versions"][0]["sha256"] == body["sha256"]
    listed = api_for(officer_a).get(steps_url(suspension)).json()
    assert [s["kind"] for s in listed["results"]] == ["proposal", "correction"]


def test_a_step_out_of_turn_answers_409(api_for, suspension, manager):
    response = post(api_for(manager), steps_url(suspension),
                    {"kind": "decision", "body": "Suspend.", "outcome": "suspend"})

    assert response.status_code == 409 and "does not follow" in response.json()["detail"]
    assert suspension.steps.count() == 1


def test_a_decision_before_the_period_ends_answers_409(api_for, suspension, manager):
    response = post(api_for(manager), steps_url(suspension), {
        "kind": "suspension_notice", "body": "Suspended.", "effective_date": "2026-06-20"},
        T0 + DAY)

    assert response.status_code == 409 and "period runs until" in response.json()["detail"]
    assert suspension.steps.count() == 1


def test_a_late_answer_without_its_reason_answers_400(api_for, suspension, officer_a):
    response = post(api_for(officer_a), steps_url(suspension),
                    {"kind": "correction", "body": "Done."}, T0 + 30 * DAY)

    assert response.status_code == 400 and "late_reason" in response.json()
    assert suspension.steps.count() == 1


def test_the_wrong_side_answers_403(api_for, suspension, officer_a, reviewer):
    for user, kind in ((officer_a, "withdrawal"), (reviewer, "withdrawal")):
        response = post(api_for(user), steps_url(suspension), {"kind": kind, "body": "x"})
        assert response.status_code == 403
    assert suspension.steps.count() == 1


def test_a_step_is_amended_through_the_api(api_for, suspension, manager):
    step = suspension.steps.get()
    url = f"{steps_url(suspension)}{step.pk}/amend/"

    response = post(api_for(manager), url, {"body": "Corrected.",
                                            "amendment_reason": "Typo."}, T0 + DAY)

    assert response.status_code == 201 and response.json()["version"] == 2
    assert post(api_for(manager), url, {"body": "x"}).status_code == 400


def test_a_reinstatement_after_the_suspension_ends_answers_400(api_for, suspension, manager,
                                                                officer_a):
    issue(officer_a, suspension, "correction", T0 + DAY)
    issue(manager, suspension, "suspension_notice", T0 + 2 * DAY,
          effective_date=date(2026, 6, 12))
    issue(officer_a, suspension, "defense", T0 + 3 * DAY)
    issue(manager, suspension, "decision", T0 + 4 * DAY, outcome="suspend", days=10)
    steps = ProceedingStep.objects.filter(proceeding=suspension).count()

    response = post(api_for(manager), steps_url(suspension),
                    {"kind": "reinstatement", "body": "Early end.",
                     "effective_date": "2026-12-31"}, T0 + 5 * DAY)

    assert response.status_code == 400
    assert "2026-06-22 03:59 UTC" in response.json()["effective_date"][0]
    assert ProceedingStep.objects.filter(proceeding=suspension).count() == steps
    suspension.refresh_from_db()
    assert suspension.state == "decided" and suspension.suspension_ends_at is not None


def test_internal_notes_are_for_usps_staff_only(api_for, suspension, reviewer, officer_a):
    url = f"/api/v1/proceedings/{suspension.pk}/notes/"
    created = post(api_for(reviewer), url, {"body": "Counsel prefers revocation."})

    assert created.status_code == 201
    assert api_for(reviewer).get(url).json()["count"] == 1
    assert api_for(officer_a).get(url).status_code == 403
    assert post(api_for(officer_a), url, {"body": "Me too."}).status_code == 403
    assert ProceedingNote.objects.count() == 1
    detail = api_for(officer_a).get(f"{LIST}{suspension.pk}/").content.decode()
    assert "Counsel prefers" not in detail


def test_an_internal_note_sent_twice_with_its_key_is_added_once(api_for, suspension, reviewer):
    url = f"/api/v1/proceedings/{suspension.pk}/notes/"
    client = api_for(reviewer)

    first, again = (client.post(url, {"body": "Counsel prefers revocation."}, format="json",
                                HTTP_IDEMPOTENCY_KEY="note-1") for _ in range(2))
    other = client.post(url, {"body": "Another note."}, format="json",
                        HTTP_IDEMPOTENCY_KEY="note-1")

    assert (first.status_code, again.status_code, other.status_code) == (201, 201, 409)
    assert again.json()["id"] == first.json()["id"]
    assert ProceedingNote.objects.count() == 1


def test_each_side_lists_what_it_may_see(api_for, suspension, reviewer, officer_a, officer_b):
    assert api_for(reviewer).get(LIST).json()["count"] == 1
    assert api_for(officer_a).get(LIST).json()["count"] == 1
    assert api_for(officer_b).get(LIST).json()["count"] == 0
    assert api_for(officer_b).get(f"{LIST}{suspension.pk}/").status_code == 404
    assert api_for(officer_b).get(steps_url(suspension)).status_code == 404
    assert post(api_for(officer_b), steps_url(suspension),
                {"kind": "correction", "body": "x"}).status_code == 404


def test_the_list_reads_in_a_fixed_number_of_queries(api_for, suspension, manager, officer_a,
                                                     provider_b):
    client = api_for(manager)
    with CaptureQueriesContext(connection) as one:
        client.get(LIST)
    issue(officer_a, suspension, "correction", T0 + DAY)
    issue(manager, suspension, "suspension_notice", T0 + 2 * DAY,
          effective_date=date(2026, 6, 20))
    open_sanction(manager, provider_b)
    with CaptureQueriesContext(connection) as two:
        response = client.get(LIST)

    assert response.json()["count"] == 2
    assert len(two) == len(one)


LONG = "x" * 60_000


def test_texts_the_page_refuses_for_length_the_api_refuses_too(suspension, officer_a,
                                                               manager, api_for):
    """An answer, a note or an amendment over 50,000 characters: refused (400) by the API
    as by the page, nothing filed."""
    from compliance.models import ProceedingStepVersion
    from tests.enforcement.helpers import at

    url = f"/api/v1/proceedings/{suspension.pk}/"
    notice = suspension.steps.get()
    with at(T0 + DAY):
        note = api_for(manager).post(f"{url}notes/", {"body": LONG}, format="json")
        answer = api_for(officer_a).post(f"{url}steps/", {"kind": "correction", "body": LONG},
                                         format="json")
        amended = api_for(manager).post(f"{url}steps/{notice.pk}/amend/",
                                        {"body": LONG, "amendment_reason": "Longer."},
                                        format="json")

    assert (note.status_code, answer.status_code) == (400, 400)
    assert "body" in note.json() and "body" in answer.json()
    assert amended.status_code == 400 and "body" in amended.json()
    assert not ProceedingNote.objects.exists()
    assert ProceedingStep.objects.filter(proceeding=suspension).count() == 1
    assert ProceedingStepVersion.objects.filter(step=notice).count() == 1


def test_a_step_or_an_amendment_naming_what_its_caller_read_is_refused_once_overtaken(
        api_for, suspension, manager, officer_a):
    """`after` (the last step read) and `based_on` (the version read): a step or version
    filed since answers 409 and nothing is filed; the same request sent again answers
    what it filed."""
    notice = suspension.steps.get()
    amend = f"{steps_url(suspension)}{notice.pk}/amend/"
    api = api_for(manager)
    first = post(api, amend, {"body": "Grounds, dated.", "amendment_reason": "Date.",
                              "based_on": 1}, T0 + DAY)
    again = post(api, amend, {"body": "Grounds, dated.", "amendment_reason": "Date.",
                              "based_on": 1}, T0 + DAY)
    stale = post(api, amend, {"body": "Grounds, priced.", "amendment_reason": "Price.",
                              "based_on": 1}, T0 + DAY)

    assert (first.status_code, again.status_code, stale.status_code) == (201, 201, 409)
    assert again.json() == first.json()
    assert notice.versions.count() == 2
    assert ProceedingStep.objects.get(pk=notice.pk).body == "Grounds, dated."

    issue(officer_a, suspension, "correction", T0 + 2 * DAY, body="We filed it.")
    late = post(api_for(officer_a), steps_url(suspension), {
        "kind": "correction", "body": "Filed again.", "after": 1}, T0 + 2 * DAY)
    assert late.status_code == 409 and "step 2 since" in late.json()["detail"]
    assert suspension.steps.count() == 2


def test_a_step_sent_again_with_other_terms_is_no_retry_of_the_one_filed(
        api_for, suspension, manager, officer_a):
    """The same text naming the same last step, but effective on another date: not the
    step filed (409), which a caller would otherwise believe on record; the same request
    again is answered as filed."""
    issue(officer_a, suspension, "correction", T0 + DAY, body="We filed it.")
    url = steps_url(suspension)
    api = api_for(manager)
    body = {"kind": "suspension_notice", "body": "Your approval is suspended.", "after": 2,
            "effective_date": "2026-07-01"}
    first = post(api, url, body, T0 + 2 * DAY)
    again = post(api, url, body, T0 + 2 * DAY)
    other = post(api, url, {**body, "effective_date": "2026-08-01"}, T0 + 2 * DAY)

    assert (first.status_code, again.status_code, other.status_code) == (201, 201, 409)
    assert again.json()["number"] == first.json()["number"] == 3
    assert suspension.steps.count() == 3


def test_a_proceeding_opened_twice_with_its_idempotency_key_is_opened_once(
        api_for, manager, provider_a, officer_a):
    """A retry after a timeout: one proceeding, one first notice; the retry answers it."""
    from compliance.models import Proceeding, ProceedingStep
    from tests.enforcement.helpers import T0, at

    body = {"provider": provider_a.pk, "kind": "sanction", "amount": "1200.00",
            "grounds": "Postage was printed without being paid for.",
            "sanction": "Pay the revenue lost."}
    client = api_for(manager)
    with at(T0):
        first, again = (client.post("/api/v1/proceedings/", body, format="json",
                                    HTTP_IDEMPOTENCY_KEY="open-sanction-7f3a")
                        for _ in range(2))
        other = client.post("/api/v1/proceedings/", {**body, "amount": "99.00"},
                            format="json", HTTP_IDEMPOTENCY_KEY="open-sanction-7f3a")

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json()["id"] == first.json()["id"]
    assert other.status_code == 409  # the key sent with another body
    assert Proceeding.objects.filter(provider=provider_a).count() == 1
    assert ProceedingStep.objects.filter(proceeding__provider=provider_a).count() == 1
