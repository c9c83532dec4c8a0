"""Proceedings on pages: a USPS manager opens one from the record and issues each step, the
provider's officers answer, viewers read; a suspended provider's staff see a banner and
still file."""

import html
from datetime import date

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from compliance.models import Proceeding, ProceedingNote, ProceedingStep
from tests.compliance.test_sent_once import key_of, send_twice
from tests.factories import committed
from tests.incidents.factories import make_draft

from .helpers import DAY, T0, issue, open_sanction

pytestmark = pytest.mark.django_db


def page(proceeding, tail=""):
    return f"/proceedings/{proceeding.pk}/{tail}"


def post(client, url, data, when=T0):
    with time_machine.travel(when, tick=False), committed():
        return client.post(url, data)


def test_a_manager_opens_a_proceeding_citing_the_missed_report(client, manager, provider_a,
                                                               missed_case, missed_duty):
    client.force_login(manager)
    record = client.get(f"/providers/{provider_a.pk}/compliance-record/").content.decode()
    assert f"/proceedings/new/?provider={provider_a.pk}" in record

    form = client.get(f"/proceedings/new/?provider={provider_a.pk}")
    assert str(missed_duty.pk) in form.content.decode()
    response = post(client, f"/proceedings/new/?provider={provider_a.pk}", {
        "kind": "suspension", "grounds": "The written report is missing.",
        "obligations": [missed_duty.pk], "incidents": [missed_case.pk]})

    proceeding = Proceeding.objects.get()
    assert response.status_code == 302 and response["Location"] == page(proceeding)
    assert proceeding.cited_case_ids == [missed_case.pk]


def test_a_refused_opening_comes_back_with_its_errors(client, manager, provider_a):
    client.force_login(manager)
    response = post(client, f"/proceedings/new/?provider={provider_a.pk}", {
        "kind": "suspension", "grounds": "Nothing cited."})

    assert response.status_code == 400 and "Cite at least one deficiency" in \
        response.content.decode()
    assert not Proceeding.objects.exists()


def test_days_to_correct_on_a_sanction_are_refused_beside_the_days(client, manager,
                                                                   provider_a):
    client.force_login(manager)
    response = post(client, f"/proceedings/new/?provider={provider_a.pk}", {
        "kind": "sanction", "grounds": "Revenue lost.", "correction_period_days": "30"})

    assert response.status_code == 400
    form = response.context["form"]
    assert list(form.errors) == ["correction_period_days"]
    assert not Proceeding.objects.exists()


def test_only_managers_reach_the_opening_form(client, reviewer, officer_a, provider_a):
    for user in (reviewer, officer_a):
        client.force_login(user)
        assert client.get(f"/proceedings/new/?provider={provider_a.pk}").status_code == 403


def test_the_officer_answers_on_the_page_and_the_viewer_only_reads(client, suspension,
                                                                   officer_a, viewer_a):
    client.force_login(viewer_a)
    html = client.get(page(suspension)).content.decode()
    assert 'data-testid="step-form"' not in html and "Notice of proposed suspension" in html

    client.force_login(officer_a)
    assert 'data-testid="step-form"' in client.get(page(suspension)).content.decode()
    response = post(client, page(suspension, "steps/"),
                    {"kind": "correction", "body": "The report is filed."}, T0 + DAY)

    assert response.status_code == 302 and response["Location"].endswith("#step-2")
    assert suspension.steps.order_by("-number").first().kind == "correction"


def test_a_step_the_running_period_refuses_is_not_offered_nor_taken(client, suspension,
                                                                    manager):
    """While the provider's period runs unanswered, the manager is offered what may go on
    (a withdrawal), not the notice of suspension the service would refuse; sent anyway
    (a page from before), it comes back to its form and nothing is filed."""
    client.force_login(manager)
    with time_machine.travel(T0 + DAY, tick=False):
        html_page = client.get(page(suspension)).content.decode()
    form = html_page[html_page.index('data-testid="step-form"'):]
    offered = form[:form.index("</select>")]
    assert 'value="withdrawal"' in offered and 'value="suspension_notice"' not in offered
    assert "notice of suspension once the provider answers or its period ends" in (
        html.unescape(html_page))

    response = post(client, page(suspension, "steps/"), {
        "kind": "suspension_notice", "body": "Suspended.", "effective_date": "2026-06-20"},
        T0 + DAY)

    assert response.status_code == 400
    assert "That step is not open to you now" in response.content.decode()
    assert suspension.steps.count() == 1


def test_a_form_address_opened_by_get_leads_back_to_the_page(client, suspension, manager):
    client.force_login(manager)
    step = suspension.steps.get()

    for tail, anchor in (("steps/", "#next-step"), ("notes/", "#notes"),
                         (f"steps/{step.pk}/amend/", "#step-1")):
        response = client.get(page(suspension, tail))
        assert response.status_code == 302 and response["Location"] == page(suspension) + anchor


def test_usps_writes_internal_notes_the_provider_never_sees(client, suspension, reviewer,
                                                           officer_a):
    client.force_login(reviewer)
    post(client, page(suspension, "notes/"), {"body": "Deliberation: revoke if late again."})
    assert "Deliberation: revoke" in client.get(page(suspension)).content.decode()

    client.force_login(officer_a)
    html = client.get(page(suspension)).content.decode()
    assert "Deliberation" not in html and "Internal notes" not in html
    assert client.post(page(suspension, "notes/"), {"body": "x"}).status_code == 403


def test_the_manager_amends_the_notice_on_the_page(client, suspension, manager):
    client.force_login(manager)
    step = suspension.steps.get()
    response = post(client, page(suspension, f"steps/{step.pk}/amend/"),
                    {"body": "Corrected grounds.", "amendment_reason": "Wrong date."}, T0 + DAY)

    assert response.status_code == 302
    assert step.versions.count() == 2


@pytest.mark.parametrize("body", ["Corrected grounds.", ""])
def test_a_notice_answered_meanwhile_is_not_amended_and_the_page_says_why(
        client, suspension, manager, officer_a, body):
    step = suspension.steps.get()
    client.force_login(manager)
    issue(officer_a, suspension, "correction", T0 + DAY)

    response = post(client, page(suspension, f"steps/{step.pk}/amend/"),
                    {"body": body, "amendment_reason": "Wrong date."}, T0 + 2 * DAY)
    shown = client.get(response["Location"]).content.decode()

    assert response.status_code == 302
    assert "A later step has followed this one: it is no longer amended." in shown
    assert step.versions.count() == 1


def test_the_detail_page_reads_in_a_fixed_number_of_queries(client, suspension, manager,
                                                           officer_a):
    client.force_login(manager)
    client.get(page(suspension))
    with CaptureQueriesContext(connection) as few:
        client.get(page(suspension))
    issue(officer_a, suspension, "correction", T0 + DAY)
    issue(manager, suspension, "suspension_notice", T0 + 2 * DAY,
          effective_date=date(2026, 6, 20))
    issue(officer_a, suspension, "defense", T0 + 3 * DAY)
    with CaptureQueriesContext(connection) as many:
        response = client.get(page(suspension))

    assert response.status_code == 200 and len(response.context["steps"]) == 4
    assert len(many) == len(few)


def test_the_list_reads_in_a_fixed_number_of_queries(client, suspension, manager, provider_b,
                                                     django_assert_num_queries):
    client.force_login(manager)
    client.get("/proceedings/")
    with CaptureQueriesContext(connection) as one:
        client.get("/proceedings/")
    open_sanction(manager, provider_b)
    with django_assert_num_queries(len(one)):
        response = client.get("/proceedings/")
    assert len(response.context["page"]) == 2


def test_a_suspended_providers_staff_see_a_banner_and_still_file(client, suspension,
                                                                 officer_a, manager,
                                                                 provider_a):
    issue(officer_a, suspension, "correction", T0 + DAY)
    issue(manager, suspension, "suspension_notice", T0 + 2 * DAY,
          effective_date=date(2026, 6, 12))
    client.force_login(officer_a)

    for path in ("/", "/incidents/", page(suspension), "/incidents/new/"):
        html = client.get(path).content.decode()
        assert 'data-testid="authorization-banner"' in html, path
        assert "still read and file" in html
    draft = make_draft(officer_a)
    with committed():
        response = client.post(f"/incidents/{draft.pk}/submit/", {"late_reason": ""})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "submitted"


def test_an_authorized_providers_pages_carry_no_banner(client, officer_a):
    client.force_login(officer_a)
    assert 'data-testid="authorization-banner"' not in client.get("/").content.decode()


def test_the_pages_hide_another_providers_proceeding(client, suspension, officer_b):
    client.force_login(officer_b)
    for tail in ("", "steps/", "notes/"):
        assert client.get(page(suspension, tail)).status_code == 404
    assert client.get("/proceedings/").context["page"].paginator.count == 0
    assert ProceedingStep.objects.count() == 1


def test_the_page_says_who_acts_next_whoever_reads_it(signed_in, suspension, officer_a,
                                                      viewer_a, reviewer):
    """During the correction period the provider's officers answer (USPS may also go on
    once it ends); after their answer it is the managers' turn, for a reviewer too."""
    url = f"/proceedings/{suspension.pk}/"
    with time_machine.travel(T0 + DAY, tick=False):
        viewer_page = html.unescape(signed_in(viewer_a).get(url).content.decode())
    assert ("Next, the provider's compliance officers may file response or proof of "
            "correction; USPS managers may issue notice of suspension once the provider "
            "answers or its period ends (" in viewer_page)
    assert ") or withdrawal." in viewer_page
    assert "USPS acts next" not in viewer_page

    issue(officer_a, suspension, "correction", T0 + DAY)
    with time_machine.travel(T0 + 2 * DAY, tick=False):
        reviewer_page = html.unescape(signed_in(reviewer).get(url).content.decode())
    assert "Next, USPS managers may issue notice of suspension or withdrawal." in reviewer_page


def hidden(page_html, form_testid, name):
    """The value a page's form carries in its hidden field `name`."""
    form = page_html[page_html.index(f'data-testid="{form_testid}"'):]
    form = form[:form.index("</form>")]
    field = form[form.index(f'name="{name}"'):]
    return field[field.index('value="') + 7:].split('"', 1)[0]


def decided(suspension, officer_a, manager):
    issue(officer_a, suspension, "correction", T0 + DAY, body="We filed it today.")
    issue(manager, suspension, "suspension_notice", T0 + 2 * DAY,
          effective_date=date(2026, 6, 12))
    issue(manager, suspension, "decision", T0 + 33 * DAY, outcome="suspend")
    suspension.refresh_from_db()
    return suspension


def step_sent_twice(client, user, proceeding, data, when):
    """The step form of `proceeding`'s page, as `user` saw it at `when`, sent twice (a
    double click): both answers."""
    client.force_login(user)
    with time_machine.travel(when, tick=False):
        after = hidden(client.get(page(proceeding)).content.decode(), "step-form", "after")
    data = {**data, "after": after}
    return (post(client, page(proceeding, "steps/"), data, when),
            post(client, page(proceeding, "steps/"), data, when))


def test_an_extension_sent_twice_extends_the_suspension_once(client, suspension, officer_a,
                                                             manager):
    decided(suspension, officer_a, manager)
    days = suspension.suspension_days

    first, again = step_sent_twice(client, manager, suspension, {
        "kind": "extension", "body": "Extended by 30 days.", "days": "30"}, T0 + 40 * DAY)

    suspension.refresh_from_db()
    assert suspension.steps.filter(kind="extension").count() == 1
    assert suspension.suspension_days == days + 30
    assert first.status_code == again.status_code == 302
    assert again["Location"] == first["Location"]


def test_a_step_from_a_page_shown_before_a_colleagues_is_refused_with_what_was_typed(
        client, suspension, officer_a, manager):
    decided(suspension, officer_a, manager)
    client.force_login(manager)
    with time_machine.travel(T0 + 40 * DAY, tick=False):
        after = hidden(client.get(page(suspension)).content.decode(), "step-form", "after")
    issue(manager, suspension, "extension", T0 + 40 * DAY, days=10, body="Ten more days.")
    days = Proceeding.objects.get(pk=suspension.pk).suspension_days

    response = post(client, page(suspension, "steps/"), {
        "kind": "extension", "body": "Thirty more days.", "days": "30", "after": after},
        T0 + 41 * DAY)

    shown = html.unescape(response.content.decode())
    assert response.status_code == 409
    assert "Extension of the suspension was filed as step 5 since this page was shown" in shown
    assert "Thirty more days." in shown
    assert hidden(shown, "step-form", "after") == "5"
    assert suspension.steps.count() == 5
    assert Proceeding.objects.get(pk=suspension.pk).suspension_days == days


def test_an_amendment_from_a_page_shown_before_a_colleagues_is_refused(
        client, suspension, manager):
    from tests.factories import ManagerFactory

    step = suspension.steps.get()
    colleague = ManagerFactory(username="colleague")
    client.force_login(colleague)
    based_on = hidden(client.get(page(suspension)).content.decode(), "amend-form", "based_on")
    client.force_login(manager)
    post(client, page(suspension, f"steps/{step.pk}/amend/"), {
        "body": "Grounds with the corrected date.", "amendment_reason": "Wrong date.",
        "based_on": based_on}, T0 + DAY)
    client.force_login(colleague)

    response = post(client, page(suspension, f"steps/{step.pk}/amend/"), {
        "body": "Grounds with the corrected amount.", "amendment_reason": "Wrong amount.",
        "based_on": based_on}, T0 + DAY)

    shown = html.unescape(response.content.decode())
    step.refresh_from_db()
    assert response.status_code == 409
    assert "Version 2 of step 1 was filed since this page showed version 1" in shown
    assert "Grounds with the corrected amount." in shown
    assert hidden(shown, "amend-form", "based_on") == "2"
    assert step.versions.count() == 2 and step.body == "Grounds with the corrected date."


def test_an_amendment_sent_twice_files_one_version(client, suspension, manager):
    step = suspension.steps.get()
    client.force_login(manager)
    data = {"body": "Corrected grounds.", "amendment_reason": "Wrong date.",
            "based_on": hidden(client.get(page(suspension)).content.decode(), "amend-form",
                               "based_on")}

    first = post(client, page(suspension, f"steps/{step.pk}/amend/"), data, T0 + DAY)
    again = post(client, page(suspension, f"steps/{step.pk}/amend/"), data, T0 + DAY)

    assert first.status_code == again.status_code == 302
    assert step.versions.count() == 2


def test_an_answer_from_a_page_shown_before_a_withdrawal_is_told_the_proceeding_closed(
        client, suspension, officer_a, manager):
    issue(manager, suspension, "withdrawal", T0 + DAY, body="Corrected in full.")
    client.force_login(officer_a)

    response = post(client, page(suspension, "steps/"),
                    {"kind": "correction", "body": "Our proof of correction."}, T0 + 2 * DAY)

    text = html.unescape(response.content.decode())
    assert response.status_code == 409
    assert "This proceeding is closed (withdrawn): no step follows." in text
    assert "the other side acts next" not in text
    assert suspension.steps.count() == 2


def test_a_note_sent_twice_is_added_once(client, suspension, reviewer):
    client.force_login(reviewer)
    url = f"/proceedings/{suspension.pk}/"
    with time_machine.travel(T0, tick=False):
        data = {"body": "Counsel thinks the cure is adequate.",
                "submission_key": key_of(client.get(url).content.decode())}
        first, again = send_twice(client, f"{url}notes/", data)
        edited = client.post(f"{url}notes/", {**data, "body": "On second thought: not."})

    assert first.status_code == edited.status_code == 302
    assert "This form was already sent" in again.content.decode()
    assert list(ProceedingNote.objects.filter(proceeding=suspension).order_by("pk")
                .values_list("body", flat=True)) == [
        "Counsel thinks the cure is adequate.", "On second thought: not."]


@pytest.mark.parametrize("who, kind, body", [
    ("officer_a", "correction", "We filed the written report today."),
    ("manager", "withdrawal", "Corrected in full."),
], ids=["an answer, the turn passing to USPS", "a withdrawal, closing it"])
def test_a_step_sent_twice_whose_turn_has_passed_is_answered_as_filed(
        request, client, suspension, who, kind, body):
    client.force_login(request.getfixturevalue(who))
    with time_machine.travel(T0 + DAY, tick=False):
        after = hidden(client.get(page(suspension)).content.decode(), "step-form", "after")
    data = {"kind": kind, "body": body, "after": after}

    first = post(client, page(suspension, "steps/"), data, T0 + DAY)
    again = post(client, page(suspension, "steps/"), data, T0 + DAY)

    assert suspension.steps.filter(kind=kind).count() == 1
    assert first.status_code == again.status_code == 302
    assert again["Location"] == first["Location"]


def test_a_suspension_set_by_hand_is_not_credited_to_a_withdrawn_proceeding(
        client, suspension, officer_a, manager, provider_a):
    from compliance import services as register
    from tests.enforcement.helpers import at

    issue(officer_a, suspension, "correction", T0 + DAY, body="We filed it today.")
    issue(manager, suspension, "suspension_notice", T0 + 2 * DAY,
          effective_date=date(2026, 6, 12))
    issue(manager, suspension, "withdrawal", T0 + 3 * DAY, body="Corrected in full.")
    provider_a.refresh_from_db()
    assert provider_a.authorization_status == "authorized"
    # Weeks later a manager suspends the provider by hand in the register.
    with at(T0 + 40 * DAY):
        register.update_provider(actor=manager, provider=provider_a,
                                 authorization_status="suspended",
                                 reason="Tampered meters found in the field.")

    client.force_login(officer_a)
    html = client.get("/").content.decode()

    assert 'data-testid="authorization-banner"' in html
    banner = html[html.index('data-testid="authorization-banner"'):]
    banner = banner[:banner.index("</div>")]
    # Not the withdrawn proceeding's notice, five weeks before: the register's change.
    assert suspension.reference not in banner and "2026-06-12" not in banner
    assert "set by USPS in the register" in banner



def test_the_opening_form_sent_twice_opens_one_proceeding(client, manager, provider_a,
                                                          officer_a):
    """A double click or a retry: one proceeding, one first notice; the second sending
    leads to the proceeding the first opened."""
    from notifications.models import OutboundEmail

    client.force_login(manager)
    url = f"/proceedings/new/?provider={provider_a.pk}"
    with time_machine.travel(T0, tick=False):
        page = client.get(url).content.decode()
        first, again = send_twice(client, url, {
            "kind": "sanction", "grounds": "Revenue lost through forged resets.",
            "sanction": "Repay the postage lost.", "amount": "1200.00",
            "submission_key": key_of(page)})

    (proceeding,) = Proceeding.objects.all()
    assert first["Location"] == f"/proceedings/{proceeding.pk}/"
    assert again.redirect_chain[-1][0] == f"/proceedings/{proceeding.pk}/"
    assert "already sent" in again.content.decode()
    assert OutboundEmail.objects.filter(recipient=officer_a).count() == 1
