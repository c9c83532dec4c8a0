"""The USPS inbox: the home page's "Waiting on USPS", its navigation counts and
`GET /api/v1/usps-inbox/`."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.utils.timesince import timeuntil

from compliance.models import Obligation, ObligationKind
from incidents import services as incidents
from tests import factories
from tests.incidents.factories import make_filed
from tests.reports.factories import NOW, waiting_on_usps

INBOX = "/api/v1/usps-inbox/"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def waiting(officer_a):
    return waiting_on_usps(officer_a, at=NOW)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def kinds(response):
    return [row["kind"] for row in response.json()["results"]]


def test_it_lists_everything_waiting_on_usps_nearest_target_first(api_for, reviewer, waiting,
                                                                  frozen):
    response = api_for(reviewer).get(INBOX)

    assert response.status_code == 200
    rows = response.json()["results"]
    # Triage and the extension are due in 2 business days, the report in 5, procedures in 30.
    assert kinds(response) == ["triage", "extension_decision", "report_review",
                               "procedures_review"]
    assert [r["target_due_at"] for r in rows] == sorted(r["target_due_at"] for r in rows)
    first = rows[0]
    assert set(first) >= {"kind", "incident", "provider", "object_id", "waiting_since",
                          "target_due_at", "assigned_to", "url"}
    assert first["incident"] == first["object_id"] == waiting["filing"].pk
    assert first["provider"] == waiting["filing"].provider_id
    assert first["url"] == f"/incidents/{waiting['filing'].pk}/#review"
    assert first["waiting_since"].endswith("Z") and first["assigned_to"] is None
    by_kind = {r["kind"]: r for r in rows}
    assert by_kind["report_review"]["url"] == f"/reports/{waiting['report'].pk}/#decide"
    assert by_kind["extension_decision"]["url"] == (
        f"/obligations/{waiting['extension'].obligation_id}/#decide")
    assert by_kind["procedures_review"]["url"] == f"/procedures/{waiting['procedures'].pk}/#review"
    assert by_kind["procedures_review"]["incident"] is None


def test_it_filters_by_kind_and_by_what_is_assigned_to_me(api_for, reviewer, waiting, frozen):
    other = factories.ReviewerFactory(username="reviewer2")
    incidents.assign_reviewer(actor=reviewer, incident=waiting["case"], reviewer=reviewer)
    incidents.assign_reviewer(actor=reviewer, incident=waiting["filing"], reviewer=other)
    client = api_for(reviewer)

    assert kinds(client.get(INBOX, {"kind": "report_review"})) == ["report_review"]
    mine = client.get(INBOX, {"assigned_to_me": "true"}).json()["results"]
    assert [(r["kind"], r["assigned_to"]) for r in mine] == [("report_review", reviewer.pk)]
    assert client.get(INBOX, {"kind": "bribes"}).status_code == 400


def test_an_item_leaves_the_inbox_once_usps_acts(api_for, reviewer, waiting, frozen):
    incidents.triage_incident(actor=reviewer, incident=waiting["filing"], revenue_risk="low",
                              rationale="Contained.")

    assert "triage" not in kinds(api_for(reviewer).get(INBOX))


def test_provider_staff_are_refused_and_anonymous_callers_must_sign_in(
        api_for, api, officer_a, viewer_a, waiting):
    for user in (officer_a, viewer_a):
        response = api_for(user).get(INBOX)
        assert response.status_code == 403
        assert "usps_" not in response.content.decode()
    assert api.get(INBOX).status_code == 401


def test_the_obligations_api_lists_the_targets_for_usps_staff(api_for, reviewer, waiting):
    rows = api_for(reviewer).get("/api/v1/obligations/", {"page_size": 200}).json()["results"]

    waiting_kinds = {r["kind"] for r in rows if r["state"] == "open"}
    assert {"usps_triage", "usps_report_review", "usps_extension_decision",
            "usps_procedures_review"} <= waiting_kinds
    assert all(r["clause"] == "USPS target" for r in rows if r["kind"].startswith("usps_"))


def test_the_api_reads_in_the_same_number_of_queries_however_many_items(
        api_for, reviewer, officer_a, officer_b, waiting, django_assert_num_queries):
    client = api_for(reviewer)
    with django_assert_num_queries(2) as few:  # count, rows
        client.get(INBOX)
    for n in range(8):
        make_filed(officer_b if n % 2 else officer_a, at=NOW - timedelta(minutes=n + 1))
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(INBOX)
    assert response.json()["count"] == 12


# --- The home page ---


def test_the_usps_home_page_leads_with_what_waits_on_usps(signed_in, reviewer, waiting, frozen):
    body = signed_in(reviewer).get("/").content.decode()

    assert re.search(r"<h1[^>]*>Waiting on USPS", body)
    assert body.index("Waiting on USPS") < body.index("Owed by providers")
    table = body[body.index('data-testid="inbox-items"'):body.index("</table>",
                                                                 body.index("inbox-items"))]
    for label in ("Triage a filing", "Review a report", "Decide an extension",
                  "Review procedures"):
        assert label in table
    assert waiting["filing"].reference in table and "Alpha Postage" in table
    assert "5\xa0hours" in table  # how long the filing has waited


def test_the_home_page_says_how_long_is_left_before_a_target(signed_in, reviewer, waiting,
                                                             frozen):
    triage = Obligation.objects.get(kind=ObligationKind.USPS_TRIAGE,
                                    object_id=waiting["filing"].pk)
    body = signed_in(reviewer).get("/").content.decode()

    table = body[body.index('data-testid="inbox-items"'):body.index("</table>",
                                                                 body.index("inbox-items"))]
    left = timeuntil(triage.due_at, NOW)
    assert left != "0\xa0minutes" and f"{left} left" in table


def test_the_home_page_flags_an_item_the_provider_filed_late(signed_in, reviewer, officer_a,
                                                             frozen):
    make_filed(officer_a, at=NOW - timedelta(hours=1), late_reason="Weekend.",
               discovered_at=NOW - timedelta(hours=40))

    body = signed_in(reviewer).get("/").content.decode()

    assert "Filed late" in body


def test_the_home_page_filters_by_kind_and_assignment(signed_in, reviewer, waiting, frozen):
    incidents.assign_reviewer(actor=reviewer, incident=waiting["case"], reviewer=reviewer)
    client = signed_in(reviewer)

    only_reports = client.get("/", {"kind": "report_review"}).content.decode()
    mine = client.get("/", {"assigned_to_me": "true"}).content.decode()

    assert only_reports.count('data-kind="usps_report_review"') == 1
    assert 'data-kind="usps_triage"' not in only_reports
    assert 'data-kind="usps_report_review"' in mine and 'data-kind="usps_triage"' not in mine


def test_the_navigation_counts_what_waits_and_what_is_past_target(signed_in, reviewer, waiting):
    with time_machine.travel(NOW + timedelta(days=4), tick=False):
        body = signed_in(reviewer).get("/incidents/").content.decode()

    nav = body[body.index('data-testid="nav-inbox"'):body.index("</a>",
                                                             body.index("nav-inbox"))]
    assert '<span class="count" title="Items waiting on USPS">4</span>' in nav
    assert "2 past target" in nav  # the triage and the extension decision


def test_an_item_is_past_its_target_only_once_its_last_second_has_passed(
        reviewer, waiting, signed_in):
    """As the sweep and a triage hold it: acted on within its due time's second, a target
    is met in time, so neither the count nor the row calls it past target then."""
    from compliance.inbox import inbox_counts

    first = Obligation.objects.usps_targets().outstanding().order_by("due_at").first()
    within = first.due_at + timedelta(microseconds=999_999)
    assert inbox_counts(reviewer, within)["past_target"] == 0
    with time_machine.travel(within, tick=False):
        page = signed_in(reviewer).get("/").content.decode()
    rows = page.split('id="waiting-heading"', 1)[1].split("<tbody", 1)[1].split("</tbody>")[0]
    shown = re.sub(r"<[^>]+>", " ", rows)  # what the rows say, not their attributes
    assert "0 past target" in page and "past target" not in shown and "overdue" not in shown
    assert inbox_counts(reviewer, first.due_at + timedelta(seconds=1))["past_target"] >= 1


def test_provider_staff_see_no_inbox_nor_its_counts(signed_in, officer_a, viewer_a, waiting):
    for user in (officer_a, viewer_a):
        body = signed_in(user).get("/").content.decode()
        assert "Waiting on USPS" not in body and "nav-inbox" not in body


def test_the_home_page_reads_in_the_same_number_of_queries_however_many_items(
        signed_in, reviewer, officer_a, waiting, django_assert_num_queries):
    client = signed_in(reviewer)
    with django_assert_num_queries(8) as few:
        client.get("/")
    for n in range(30):
        make_filed(officer_a, at=NOW - timedelta(minutes=n + 1))
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get("/")
    assert len(response.context["inbox_page"]) == 25
    assert Obligation.objects.outstanding().filter(kind=ObligationKind.USPS_TRIAGE).count() == 31


def test_the_home_page_pages_the_inbox_on_what_it_shows(signed_in, reviewer, officer_a,
                                                       waiting, django_assert_num_queries):
    for n in range(30):
        make_filed(officer_a, at=NOW - timedelta(minutes=n + 1))
    client = signed_in(reviewer)

    with django_assert_num_queries(8):  # the navigation's count pages the whole inbox
        everything = client.get("/")
    triage = client.get("/", {"kind": "triage"})
    others = client.get("/", {"assigned_to_me": "false", "page": "2"})

    assert "Page 1 of 2 (34 in all)" in everything.content.decode()
    assert everything.context["usps_inbox"]["waiting"] == 34
    assert "Page 1 of 2 (31 in all)" in triage.content.decode()
    assert "Page 2 of 2 (34 in all)" in others.content.decode()
    assert len(others.context["inbox_page"]) == 9
    mine = client.get("/", {"assigned_to_me": "true"}).content.decode()
    assert "Nothing waits on USPS that matches" in mine and "in all)" not in mine


def test_the_homes_count_of_what_providers_owe_agrees_with_the_list_it_links_to(
        signed_in, officer_a, reviewer):
    """"Owed by providers" counts their duties; its list (and CSV) is of them alone, not of
    USPS's own targets waiting beside them."""
    waiting_on_usps(officer_a, at=NOW)
    client = signed_in(reviewer)

    home = client.get("/")
    link = re.search(r'href="(/obligations/\?[^"]*)">All obligations owed', home.content
                     .decode()).group(1).replace("&amp;", "&")
    listed = client.get(link)

    rows = list(listed.context["page"])
    assert listed.context["page"].paginator.count == home.context["outstanding_count"] > 0
    assert not any(o.is_usps_target for o in rows)
    assert client.get("/obligations/?outstanding=true&owed_by=usps").context[
        "page"].paginator.count == 4
