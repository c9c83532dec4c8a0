"""The reviewer's queue: order, filters, search, counts, assignment, pagination, scope,
and a query count that does not grow with the rows."""

from datetime import timedelta

import pytest
import time_machine

from compliance.models import Obligation
from incidents import services
from incidents.models import Category, Incident, IncidentStatus
from incidents.queue import OPEN_STATES, SORTS, queue_queryset, sort_queue
from tests import factories

from .factories import NOW, make_draft, make_filed

pytestmark = pytest.mark.django_db

QUEUE = "/incidents/queue/"


@pytest.fixture(autouse=True)
def at_now():
    with time_machine.travel(NOW, tick=False):
        yield


def triage(reviewer, incident, risk="high", **kwargs):
    services.triage_incident(actor=reviewer, incident=incident, revenue_risk=risk,
                             rationale="r", **kwargs)
    incident.refresh_from_db()
    return incident


def rows(response):
    return [incident.pk for incident in response.context["page"]]


@pytest.fixture
def usps(client, reviewer):
    client.force_login(reviewer)
    return client


def test_it_sends_anonymous_visitors_to_sign_in_and_refuses_provider_staff(
        client, officer_a, viewer_a):
    response = client.get(QUEUE)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    for user in (officer_a, viewer_a):
        client.force_login(user)
        assert client.get(QUEUE).status_code == 403
        assert 'data-testid="nav-queue"' not in client.get("/incidents/").content.decode()


def test_it_links_the_queue_from_the_nav_for_usps(usps):
    assert 'data-testid="nav-queue"' in usps.get("/incidents/").content.decode()


def test_it_lists_untriaged_first_then_by_the_nearest_duty_owed(usps, officer_a, officer_b,
                                                                reviewer):
    late_triage = triage(reviewer, make_filed(officer_a, at=NOW - timedelta(hours=9)), "low")
    soon = triage(reviewer, make_filed(officer_b, at=NOW - timedelta(hours=8)), "critical")
    newer_untriaged = make_filed(officer_a, at=NOW - timedelta(hours=1))
    older_untriaged = make_filed(officer_b, at=NOW - timedelta(hours=5))
    make_draft(officer_a)

    response = usps.get(QUEUE)

    assert response.status_code == 200
    assert rows(response) == [older_untriaged.pk, newer_untriaged.pk, soon.pk,
                              late_triage.pk]
    page = response.content.decode()
    assert "Not yet triaged" in page and "Written report due" in page


def test_it_puts_a_missed_duty_before_an_open_one(usps, officer_a, reviewer):
    first = triage(reviewer, make_filed(officer_a, at=NOW - timedelta(hours=3)), "low")
    second = triage(reviewer, make_filed(officer_a, at=NOW - timedelta(hours=2)), "low")
    Obligation.objects.filter(incident_id=second.pk, kind="written_report").update(
        state="missed", due_at=NOW - timedelta(hours=1))

    assert rows(usps.get(QUEUE)) == [second.pk, first.pk]


def test_it_filters_by_provider_category_risk_reviewer_and_overdue(usps, officer_a, officer_b,
                                                                   reviewer):
    other = factories.ReviewerFactory(username="rita")
    a_high = triage(reviewer, make_filed(officer_a, at=NOW - timedelta(hours=3)), "high")
    b_low = triage(other, make_filed(officer_b, at=NOW - timedelta(hours=2)), "low")
    b_cyber = make_filed(officer_b, at=NOW - timedelta(hours=1), category=Category.CYBER_ATTACK,
                         subtype="denial_of_service", pes_models=[], risk_statements=[{
                             "pes_model": factories.PESModelFactory(provider=officer_b.provider),
                             "nature_of_risk": "Flood", "effect_on_pes": "No resets"}])
    Obligation.objects.filter(incident_id=b_low.pk, kind="written_report").update(
        due_at=NOW - timedelta(minutes=5))

    def only(**params):
        return set(rows(usps.get(QUEUE, params)))

    assert only(provider=officer_a.provider_id) == {a_high.pk}
    assert only(category="cyber_attack") == {b_cyber.pk}
    assert only(revenue_risk="low") == {b_low.pk}
    assert only(revenue_risk="none") == {b_cyber.pk}
    assert only(reviewer="me") == {a_high.pk}
    assert only(reviewer=other.pk) == {b_low.pk}
    assert only(reviewer="none") == {b_cyber.pk}
    assert only(overdue="true") == {b_low.pk}


def test_it_searches_references_and_titles(usps, officer_a):
    one = make_filed(officer_a, at=NOW - timedelta(hours=2), title="Ink key replay")
    two = make_filed(officer_a, at=NOW - timedelta(hours=1), title="Clock drift")

    assert rows(usps.get(QUEUE, {"q": "replay"})) == [one.pk]
    assert rows(usps.get(QUEUE, {"q": two.reference})) == [two.pk]


def test_it_hides_closed_cases_unless_asked_and_counts_each_state(usps, officer_a, reviewer):
    untriaged = make_filed(officer_a, at=NOW - timedelta(hours=4))
    under_review = triage(reviewer, make_filed(officer_a, at=NOW - timedelta(hours=3)))
    investigating = make_filed(officer_a, at=NOW - timedelta(hours=2))
    closed = make_filed(officer_a, at=NOW - timedelta(hours=1))
    Incident.objects.filter(pk=investigating.pk).update(status=IncidentStatus.INVESTIGATING,
                                                        triaged_at=NOW)
    Incident.objects.filter(pk=closed.pk).update(status=IncidentStatus.CLOSED, triaged_at=NOW)

    response = usps.get(QUEUE)

    assert set(rows(response)) == {untriaged.pk, under_review.pk, investigating.pk}
    assert response.context["counts"] == {"submitted": 1, "under_review": 1,
                                          "investigating": 1, "closed": 1, "untriaged": 1,
                                          "overdue": 0}
    assert rows(usps.get(QUEUE, {"status": "closed"})) == [closed.pk]
    assert '<strong data-count="untriaged">1</strong>' in response.content.decode()


def test_it_pages_the_queue(usps, officer_a):
    for n in range(27):
        make_filed(officer_a, at=NOW - timedelta(minutes=n + 1))

    first = usps.get(QUEUE)
    second = usps.get(QUEUE, {"page": 2})

    assert len(rows(first)) == 25 and len(rows(second)) == 2
    assert "Page 1 of 2 (27 in all)" in first.content.decode()


def test_it_assigns_from_the_list_and_comes_back_to_it(usps, officer_a, reviewer):
    incident = make_filed(officer_a, at=NOW - timedelta(hours=1))
    other = factories.ReviewerFactory(username="rita")

    response = usps.post(f"/incidents/{incident.pk}/assign/",
                         {"reviewer": other.pk, "next": f"{QUEUE}?provider=1"})

    assert response.status_code == 302 and response["Location"] == f"{QUEUE}?provider=1"
    incident.refresh_from_db()
    assert incident.assigned_reviewer == other
    assert usps.post(f"/incidents/{incident.pk}/assign/", {
        "reviewer": other.pk, "next": "https://evil.example/"})["Location"] == (
        f"/incidents/{incident.pk}/")


@pytest.mark.parametrize("target", ["abc", "incident-queue", "0001-01-01", "a\x00b"])
def test_a_next_that_is_not_a_path_leads_back_to_the_case_or_the_queue(
        usps, officer_a, reviewer, target):
    """A bare word is not followed (redirect would look it up as a URL's name: a 500)."""
    incident = make_filed(officer_a, at=NOW - timedelta(hours=1))

    one = usps.post(f"/incidents/{incident.pk}/assign/",
                    {"reviewer": reviewer.pk, "next": target})
    many = usps.post("/incidents/queue/assign/",
                     {"incidents": [incident.pk], "reviewer": reviewer.pk, "next": target})

    assert (one.status_code, one["Location"]) == (302, f"/incidents/{incident.pk}/")
    assert (many.status_code, many["Location"]) == (302, QUEUE)


def test_it_keeps_the_same_query_count_for_3_and_30_incidents(usps, officer_a, officer_b,
                                                              reviewer,
                                                              django_assert_num_queries):
    def fill(count):
        for n in range(count):
            officer = officer_a if n % 2 else officer_b
            incident = make_filed(officer, at=NOW - timedelta(minutes=n + 1))
            if n % 3 == 0:
                triage(reviewer, incident)

    fill(3)
    with django_assert_num_queries(11) as small:
        assert usps.get(QUEUE).status_code == 200
    fill(27)
    with django_assert_num_queries(11) as large:
        response = usps.get(QUEUE)
    assert len(rows(response)) == 25
    assert len(small.captured_queries) == len(large.captured_queries)


# --- Sorting, the filed-late column, waiting times and bulk assignment ---


@pytest.fixture
def three_cases(officer_a, officer_b, reviewer):
    """Three cases with distinct filing times, waits, risks, next due times and providers."""
    old = make_filed(officer_b, at=NOW - timedelta(hours=30), late_reason="Weekend.",
                     discovered_at=NOW - timedelta(hours=60))  # Bravo, untriaged, late
    mid = triage(reviewer, make_filed(officer_a, at=NOW - timedelta(hours=20)), "critical")
    new = triage(reviewer, make_filed(officer_b, at=NOW - timedelta(hours=10)), "low")
    return old, mid, new


def sorted_rows(usps, sort):
    return rows(usps.get(QUEUE, {"sort": sort}))


def test_it_sorts_by_each_column_both_ways(usps, three_cases):
    old, mid, new = three_cases

    assert sorted_rows(usps, "filed") == [old.pk, mid.pk, new.pk]
    assert sorted_rows(usps, "-filed") == [new.pk, mid.pk, old.pk]
    assert sorted_rows(usps, "risk") == [old.pk, new.pk, mid.pk]  # none, low, critical
    assert sorted_rows(usps, "-risk") == [mid.pk, new.pk, old.pk]
    assert sorted_rows(usps, "provider")[0] == mid.pk  # Alpha before Bravo
    assert sorted_rows(usps, "-provider")[-1] == mid.pk
    # Only the untriaged case waits on USPS; the others sort after it either way.
    assert sorted_rows(usps, "waiting")[0] == old.pk
    assert sorted_rows(usps, "-waiting")[0] == old.pk
    # Critical: written report due in 3 days, low in 30; the triage target in 2 business days.
    assert sorted_rows(usps, "due") == [old.pk, mid.pk, new.pk]
    assert sorted_rows(usps, "-due") == [new.pk, mid.pk, old.pk]


def test_it_ignores_an_unknown_sort(usps, three_cases):
    assert usps.get(QUEUE, {"sort": "id; drop table"}).status_code == 200
    assert sorted_rows(usps, "bribes") == rows(usps.get(QUEUE))


def test_filtering_keeps_the_sort_the_page_shows(usps, three_cases):
    """The filter form sends the column sort the page is in along with the filters."""
    page = usps.get(QUEUE, {"sort": "-filed"}).content.decode()
    form = page[page.index('<form method="get" class="filters"'):]
    form = form[:form.index("</form>")]
    assert '<input type="hidden" name="sort" value="-filed">' in form
    plain = usps.get(QUEUE).content.decode()
    plain_form = plain[plain.index('<form method="get" class="filters"'):]
    assert 'name="sort"' not in plain_form[:plain_form.index("</form>")]


def test_it_marks_the_sorted_column_for_assistive_technology(usps, three_cases):
    page = usps.get(QUEUE, {"sort": "-filed", "provider": ""}).content.decode()

    assert 'aria-sort="descending"><a href="?provider=&amp;sort=filed"' in page
    assert page.count('aria-sort="none"') == 4


def test_it_shows_the_filed_late_flag_and_how_long_untriaged_filings_have_waited(
        usps, three_cases):
    page = usps.get(QUEUE).content.decode()
    old_row = page[page.index(f'data-incident="{three_cases[0].pk}"'):]
    old_row = old_row[:old_row.index("</tr>")]

    assert 'data-testid="filed-late"' in old_row
    assert "1\xa0day, 6\xa0hours" in old_row and "untriaged" in old_row
    assert page.count('data-testid="filed-late"') == 1


def test_next_due_names_usps_review_when_a_report_waits_on_it(usps, officer_a, reviewer):
    from reports import services as reports

    incident = triage(reviewer, make_filed(officer_a, at=NOW - timedelta(hours=5)), "low")
    reports.file_report(actor=officer_a, incident=incident, kind="written",
                        circumstances="C", investigative_procedure="P",
                        anticipated_completion_date=(NOW + timedelta(days=40)).date())

    page = usps.get(QUEUE).content.decode()

    assert "Report review (USPS target) due" in page


def test_it_assigns_the_ticked_rows_at_once_and_comes_back(usps, three_cases, reviewer):
    old, mid, new = three_cases
    other = factories.ReviewerFactory(username="rita")

    response = usps.post("/incidents/queue/assign/", {
        "incidents": [old.pk, new.pk], "reviewer": other.pk, "next": f"{QUEUE}?sort=risk"})

    assert response.status_code == 302 and response["Location"] == f"{QUEUE}?sort=risk"
    assert {i.pk: i.assigned_reviewer_id for i in Incident.objects.all()} == {
        old.pk: other.pk, mid.pk: reviewer.pk, new.pk: other.pk}


def test_bulk_assignment_refuses_provider_staff_and_changes_nothing(client, officer_a,
                                                                    three_cases, reviewer):
    before = dict(Incident.objects.values_list("pk", "assigned_reviewer_id"))
    client.force_login(officer_a)

    response = client.post("/incidents/queue/assign/", {
        "incidents": [i.pk for i in three_cases], "reviewer": ""})

    assert response.status_code == 403
    assert dict(Incident.objects.values_list("pk", "assigned_reviewer_id")) == before


def test_bulk_assignment_without_rows_or_with_a_drafts_id_changes_nothing(usps, officer_a,
                                                                         three_cases):
    draft = make_draft(officer_a)
    before = dict(Incident.objects.values_list("pk", "assigned_reviewer_id"))

    for data in ({"reviewer": ""}, {"incidents": [draft.pk, three_cases[0].pk],
                                     "reviewer": ""}):
        response = usps.post("/incidents/queue/assign/", data, follow=True)
        assert response.status_code == 200
        assert "error" in [m.tags for m in response.context["messages"]]

    assert dict(Incident.objects.values_list("pk", "assigned_reviewer_id")) == before


def test_reloading_the_bulk_assignment_lands_on_the_queue(usps):
    response = usps.get("/incidents/queue/assign/")

    assert response.status_code == 302 and response["Location"] == QUEUE


def test_it_keeps_the_same_query_count_whatever_the_sort_and_the_rows(
        usps, officer_a, reviewer, django_assert_num_queries):
    for sort in SORTS_TO_PIN:
        make_filed(officer_a, at=NOW - timedelta(minutes=len(sort) + 100))
        with django_assert_num_queries(11):
            usps.get(QUEUE, {"sort": sort})
    for n in range(30):
        incident = make_filed(officer_a, at=NOW - timedelta(minutes=n + 1))
        if n % 3 == 0:
            triage(reviewer, incident)
    for sort in SORTS_TO_PIN:
        with django_assert_num_queries(11):
            assert len(rows(usps.get(QUEUE, {"sort": sort}))) == 25


SORTS_TO_PIN = ["filed", "-waiting", "due", "-risk", "provider"]


def test_its_pages_hold_the_whole_queue_in_order_whatever_the_sort(usps, officer_a, officer_b,
                                                                    reviewer):
    """Pages are cut on the cases' ids and then read: together they list every case of
    the queue once, in the queue's order, ties (same due time, same filing time) included."""
    for n in range(36):
        officer = officer_a if n % 2 else officer_b
        incident = make_filed(officer, at=NOW - timedelta(minutes=n // 3 + 1))
        if n % 4:
            triage(reviewer, incident, ("low", "high", "critical")[n % 3])
    Obligation.objects.filter(pk__in=Obligation.objects.outstanding()
                              .values("pk")[:5]).update(state="missed")
    whole = queue_queryset(reviewer).filter(status__in=OPEN_STATES)

    for sort in ["", *SORTS, *(f"-{key}" for key in SORTS)]:
        expected = [incident.pk for incident in sort_queue(whole, sort)[0]]
        shown = rows(usps.get(QUEUE, {"sort": sort})) + rows(
            usps.get(QUEUE, {"sort": sort, "page": 2}))
        assert shown == expected and len(expected) == 36, sort


def test_a_case_is_overdue_only_once_its_due_times_last_second_has_passed(
        usps, officer_a, reviewer):
    """As the sweep holds it: within the written report's last second the duty is still
    open, and the queue neither counts nor lists the case as overdue."""
    from incidents.queue import state_counts
    from notifications.sweep import sweep

    incident = make_filed(officer_a, at=NOW)
    with time_machine.travel(NOW, tick=False):
        services.triage_incident(actor=reviewer, incident=incident, revenue_risk="high",
                                 rationale="Reaches postage funds.")
    duty = Obligation.objects.get(kind="written_report", incident_id=incident.pk)
    within = duty.due_at + timedelta(microseconds=999_999)

    with time_machine.travel(within, tick=False):
        sweep()
        duty.refresh_from_db()
        assert duty.state == "open"
        assert state_counts(reviewer, within)["overdue"] == 0
        assert rows(usps.get(QUEUE, {"overdue": "true"})) == []
    with time_machine.travel(duty.due_at + timedelta(seconds=1), tick=False):
        assert state_counts(reviewer, duty.due_at + timedelta(seconds=1))["overdue"] == 1


def row_of(page, incident):
    row = page[page.index(f'data-incident="{incident.pk}"'):]
    return row[:row.index("</tr>")]


def test_the_next_due_reads_how_long_is_left_or_past_without_the_script(
        usps, officer_a, reviewer):
    """The countdown's text is served with the page (the script keeps it running): time
    left, a provider's duty overdue, USPS's own target past target."""
    waiting = make_filed(officer_a, at=NOW - timedelta(days=10))
    triaged = triage(reviewer, make_filed(officer_a, at=NOW - timedelta(hours=5)), "low")
    late = make_filed(officer_a, at=NOW - timedelta(days=60))
    with time_machine.travel(NOW - timedelta(days=59), tick=False):
        triage(reviewer, late, "critical")
    Obligation.objects.filter(kind="written_report", incident_id=late.pk).update(
        due_at=NOW - timedelta(days=2, hours=3))

    page = usps.get(QUEUE).content.decode()

    assert "past target</span>" in row_of(page, waiting)
    assert 'data-overdue-text="past target"' in row_of(page, waiting)
    assert "left</span>" in row_of(page, triaged)
    assert "2\xa0days, 3\xa0hours overdue</span>" in row_of(page, late)
    assert 'data-overdue-text="overdue"' in row_of(page, late)


def test_a_departed_reviewers_cases_can_be_found_in_the_queue_to_reassign(
        officer_a, reviewer, manager, signed_in):
    import re

    from accounts.services.people import deactivate_user

    leaving = factories.ReviewerFactory(username="leaving")
    incident = make_filed(officer_a, at=NOW - timedelta(hours=2))
    with time_machine.travel(NOW - timedelta(hours=1), tick=False), factories.committed():
        services.assign_reviewer(actor=manager, incident=incident, reviewer=leaving)
    with factories.committed():
        deactivate_user(actor=manager, user=leaving, reason="Left USPS.")

    client = signed_in(manager)
    page = client.get("/incidents/queue/").content.decode()
    reviewer_select = re.search(r'<select name="reviewer" id="queue-reviewer">(.*?)</select>',
                                page, re.S).group(1)
    offered = re.findall(r'<option value="([^"]*)"', reviewer_select)
    found = []
    for value in offered:
        if not value:
            continue
        listed = client.get(f"/incidents/queue/?reviewer={value}").content.decode()
        if f'data-incident="{incident.pk}"' in listed:
            found.append(value)
    # The case waits, assigned to someone who will never act on it: the filter finds it.
    assert found == [str(leaving.pk)]
    assert "leaving (no longer reviewing)" in reviewer_select


@pytest.mark.parametrize("value", ["abc", "moi", "1.5", "²"])
def test_a_reviewer_the_queue_cannot_read_is_refused_not_an_empty_queue(client, reviewer,
                                                                       officer_a, value):
    """A misspelt filter answers 400, as every other filter does: never "no cases" under a
    form that says "Anyone"."""
    make_filed(officer_a, title="Seal broken")
    client.force_login(reviewer)

    page = client.get("/incidents/queue/", {"reviewer": value})
    export = client.get("/incidents/queue/", {"reviewer": value, "format": "csv"})

    assert (page.status_code, export.status_code) == (400, 400)
    assert "Give a reviewer&#x27;s id, me or none." in page.content.decode()
