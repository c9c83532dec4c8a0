"""A list reached through a link with a filter its form shows no field for (the home
page's "All obligations owed", the compliance record's "cases open") keeps that filter
when another is chosen, and says it is on."""

import re

import pytest
import time_machine

from tests.incidents.factories import NOW, make_filed

pytestmark = pytest.mark.django_db


def filter_form(page):
    return re.search(r'<form method="get" class="filters".*?</form>', page, re.S).group(0)


def sent(form):
    """What the filter form sends as shown: {name: value} of its fields filled or ticked."""
    values = {}
    for tag in re.findall(r"<select[^>]*>.*?</select>|<input[^>]*>", form, re.S):
        name = re.search(r'name="([^"]+)"', tag)
        if not name:
            continue
        if tag.startswith("<select"):
            chosen = re.search(r'<option value="([^"]*)"[^>]*selected', tag)
            values[name.group(1)] = chosen.group(1) if chosen else ""
        elif 'type="checkbox"' in tag:
            if " checked" in tag:
                values[name.group(1)] = re.search(r'value="([^"]*)"', tag).group(1)
        else:
            value = re.search(r'value="([^"]*)"', tag)
            values[name.group(1)] = value.group(1) if value else ""
    return values


def test_the_obligation_list_keeps_whose_work_it_shows_when_filtered_again(
        client, reviewer, officer_a):
    with time_machine.travel(NOW, tick=False):
        make_filed(officer_a)  # a provider's duty met, USPS's triage target owed
        client.force_login(reviewer)
        page = client.get("/obligations/?outstanding=true&owed_by=provider").content.decode()
        again = client.get("/obligations/", {**sent(filter_form(page)), "state": "open"})

    assert sent(filter_form(page))["owed_by"] == "provider"
    assert again.status_code == 200
    assert "usps_triage" not in [o.kind for o in again.context["page"]]
    assert "Triage (USPS target)" not in again.content.decode().split("<tbody>")[1]


def test_the_incident_list_keeps_the_records_open_at_filter_and_shows_it(
        client, officer_a, reviewer):
    with time_machine.travel(NOW, tick=False):
        make_filed(officer_a)
        client.force_login(reviewer)
        record = client.get(f"/providers/{officer_a.provider_id}/compliance-record/")
        link = re.search(r'href="(/incidents/\?[^"]*open_at[^"]*)"',
                         record.content.decode()).group(1).replace("&amp;", "&")
        page = client.get(link).content.decode()

    form = filter_form(page)
    assert sent(form)["open_at"] and "Open at" in form


def test_the_open_at_filter_reads_the_instant_in_the_viewers_zone(client, officer_a, reviewer):
    """The record says the cases were open at the end of May 31 in New York: the list it
    links to says the same, not the query's own 2026-06-01T03:59:59.999999Z."""
    with time_machine.travel(NOW, tick=False):
        make_filed(officer_a)
        client.force_login(reviewer)  # America/New_York
        record = client.get(f"/providers/{officer_a.provider_id}/compliance-record/",
                            {"from": "2026-05-01", "to": "2026-05-31"}).content.decode()
        shown_on_record = re.search(
            r'data-testid="open-cases">\d+</a> at <time[^>]*>([^<]+)</time>', record).group(1)
        link = re.search(r'href="(/incidents/\?[^"]*open_at[^"]*)"',
                         record).group(1).replace("&amp;", "&")
        page = client.get(link).content.decode()

    label = re.search(r'id="list-open-at"[^>]*>\s*Open at (.*?)</label>', page, re.S).group(1)
    assert shown_on_record == "2026-05-31 23:59 EDT"
    assert re.sub(r"<[^>]+>", "", label).strip() == shown_on_record
