"""Editing a draft on its page keeps what the officer did not touch: the discovery time as
stored, to the second, also when the clocks showed it twice."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from tests.incidents.factories import NOW, make_draft

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def at_now():
    with time_machine.travel(NOW, tick=False):
        yield


def form_values(page):
    """What the browser would post back from the edit page, untouched."""
    data = {}
    for m in re.finditer(r'<input[^>]*>', page):
        tag = m.group(0)
        name = re.search(r'name="([^"]+)"', tag)
        if not name:
            continue
        name = name.group(1)
        typ = (re.search(r'type="([^"]+)"', tag) or [None, "text"])[1]
        value = re.search(r'value="([^"]*)"', tag)
        value = value.group(1) if value else ""
        if typ in ("checkbox", "radio"):
            if "checked" in tag:
                data.setdefault(name, []).append(value)
        elif typ != "submit":
            data[name] = value
    for m in re.finditer(r'<select name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        sel = re.search(r'<option value="([^"]*)"[^>]*selected', m.group(2))
        data[m.group(1)] = sel.group(1) if sel else ""
    for m in re.finditer(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', page, re.S):
        data[m.group(1)] = m.group(2).strip("\n")
    return data


def test_saving_an_untouched_draft_keeps_the_seconds_of_the_discovery_time(
        signed_in, officer_a, model_a):
    # Drafted through the API (or tooling) with seconds: 07:30:45 in New York.
    discovered = datetime(2026, 6, 10, 11, 30, 45, tzinfo=UTC)
    draft = make_draft(officer_a, pes_models=[model_a], discovered_at=discovered)
    client = signed_in(officer_a)
    page = client.get(f"/incidents/{draft.pk}/edit/").content.decode()
    data = form_values(page)
    data["title"] = "A better title"  # the only change the officer makes

    response = client.post(f"/incidents/{draft.pk}/edit/", data)

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.title == "A better title"
    assert draft.discovered_at == discovered, draft.discovered_at  # not moved to 11:30:00


def test_saving_an_untouched_draft_discovered_in_the_repeated_hour_works(
        signed_in, officer_a, model_a):
    # 01:30 EST (the second 01:30 of 2026-11-01 in New York) = 06:30 UTC.
    discovered = datetime(2026, 11, 1, 6, 30, tzinfo=UTC)
    with time_machine.travel(datetime(2026, 11, 1, 8, 0, tzinfo=UTC), tick=False):
        draft = make_draft(officer_a, pes_models=[model_a], discovered_at=discovered)
        client = signed_in(officer_a)
        page = client.get(f"/incidents/{draft.pk}/edit/").content.decode()
        data = form_values(page)
        data["title"] = "A better title"
        response = client.post(f"/incidents/{draft.pk}/edit/", data)

    assert response.status_code == 302, re.findall(r'field-error[^>]*>([^<]*)',
                                                   response.content.decode())
    draft.refresh_from_db()
    assert draft.title == "A better title" and draft.discovered_at == discovered


def test_a_discovery_time_the_officer_changes_is_read_as_typed(signed_in, officer_a,
                                                               model_a):
    discovered = datetime(2026, 6, 10, 11, 30, 45, tzinfo=UTC)
    draft = make_draft(officer_a, pes_models=[model_a], discovered_at=discovered)
    client = signed_in(officer_a)
    data = form_values(client.get(f"/incidents/{draft.pk}/edit/").content.decode())
    assert data["discovered_at"] == "2026-06-10T07:30"
    data["discovered_at"] = "2026-06-10T07:31"

    assert client.post(f"/incidents/{draft.pk}/edit/", data).status_code == 302

    draft.refresh_from_db()
    assert draft.discovered_at == datetime(2026, 6, 10, 11, 31, tzinfo=UTC)
    assert draft.notification_due_at == draft.discovered_at + timedelta(hours=24)


def test_choosing_the_other_of_the_two_repeated_times_moves_the_discovery_time(
        signed_in, officer_a, model_a):
    # Stored as the second 01:30 of 2026-11-01 in New York (EST), 06:30 UTC; the officer
    # corrects it to the first 01:30 (EDT), 05:30 UTC, by choosing "earlier".
    discovered = datetime(2026, 11, 1, 6, 30, tzinfo=UTC)
    with time_machine.travel(datetime(2026, 11, 1, 8, 0, tzinfo=UTC), tick=False):
        draft = make_draft(officer_a, pes_models=[model_a], discovered_at=discovered)
        client = signed_in(officer_a)
        data = form_values(client.get(f"/incidents/{draft.pk}/edit/").content.decode())
        assert data["discovered_at_fold"] == "later"
        data["discovered_at_fold"] = "earlier"
        response = client.post(f"/incidents/{draft.pk}/edit/", data)

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.discovered_at == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)


def test_a_draft_page_filled_before_a_colleagues_save_does_not_undo_it(
        signed_in, officer_a, provider_a, model_a, api_for):
    """The page posts every field as it showed them: filled before a colleague completed
    the description, it would put the old one back unseen. It is refused with what was
    typed, and answers the draft as it now is."""
    from tests import factories

    colleague = factories.OfficerFactory(provider=provider_a)
    draft = make_draft(officer_a, pes_models=[model_a], description="First notes.")
    client = signed_in(officer_a)
    stale = form_values(client.get(f"/incidents/{draft.pk}/edit/").content.decode())
    assert api_for(colleague).patch(f"/api/v1/incidents/{draft.pk}/", {
        "description": "Full account: resets accepted on firmware 4.2 and 4.1."},
        format="json").status_code == 200

    response = client.post(f"/incidents/{draft.pk}/edit/",
                           {**stale, "title": "Meter accepts forged resets (4.x)"})

    draft.refresh_from_db()
    page = response.content.decode()
    assert response.status_code == 409 and "changes this page does not show" in page
    assert "Meter accepts forged resets (4.x)" in page
    assert draft.description.startswith("Full account") and draft.title != \
        "Meter accepts forged resets (4.x)"
    again = client.post(f"/incidents/{draft.pk}/edit/", form_values(page))
    assert again.status_code == 302  # sent from the page as answered, it is saved
    draft.refresh_from_db()
    assert draft.title == "Meter accepts forged resets (4.x)"


def test_report_a_discovery_sent_twice_makes_one_draft_and_leads_to_it(
        signed_in, officer_a, model_a):
    """A draft is never removed, and its 24-hour duty reminds and escalates: the same
    page sent twice (a double click, a retry) makes one."""
    from compliance.models import Obligation
    from incidents.models import Incident

    client = signed_in(officer_a)
    data = {**form_values(client.get("/incidents/new/").content.decode()),
            "category": "security_weakness", "subtype": "equipment_defect",
            "title": "Meter accepts forged resets", "description": "Details.",
            "discovery_timezone": "America/New_York", "discovered_at": "2026-06-10T07:30",
            "discovered_by_name": "Dana", "pes_models": [model_a.pk]}

    first = client.post("/incidents/new/", data)
    again = client.post("/incidents/new/", data)

    draft = Incident.objects.get()
    assert first["Location"] == again["Location"] == f"/incidents/{draft.pk}/"
    assert Obligation.objects.filter(kind="notification").count() == 1


def test_a_draft_save_pressed_twice_is_not_refused_as_a_colleagues_change(
        signed_in, officer_a, model_a):
    """A double click on 'Save' (or a retry after a lost answer): the second press
    carries the state the page showed, which the first press changed; the draft holds
    exactly what was typed, and it is answered as saved."""
    from tests import factories

    draft = make_draft(officer_a, pes_models=[model_a])
    client = signed_in(officer_a)
    data = form_values(client.get(f"/incidents/{draft.pk}/edit/").content.decode())
    data["title"] = "A better title"

    with factories.committed():
        first = client.post(f"/incidents/{draft.pk}/edit/", data)
    with factories.committed():
        again = client.post(f"/incidents/{draft.pk}/edit/", data)

    draft.refresh_from_db()
    assert first.status_code == 302 and draft.title == "A better title"
    assert again.status_code == 302, (
        f"{again.status_code}: "
        + ("changes this page does not show" if "changes this page does not show"
           in again.content.decode() else again.content.decode()[:300]))


def test_an_amendment_pressed_twice_is_not_refused_as_a_colleagues_version(
        signed_in, officer_a, model_a):
    """The second press names the version the first replaced; version 2 is this very
    amendment, and it is answered as filed, nothing filed twice."""
    from tests import factories
    from tests.incidents.factories import make_filed

    incident = make_filed(officer_a, pes_models=[model_a])
    client = signed_in(officer_a)
    data = form_values(client.get(f"/incidents/{incident.pk}/amend/").content.decode())
    data["title"] = "Meter accepts forged resets (firmware 4.x)"
    data["amendment_reason"] = "The firmware versions are known now."

    with factories.committed():
        first = client.post(f"/incidents/{incident.pk}/amend/", data)
    with factories.committed():
        again = client.post(f"/incidents/{incident.pk}/amend/", data)

    incident.refresh_from_db()
    assert first.status_code == 302 and incident.current_version == 2
    assert incident.versions.count() == 2
    assert again.status_code == 302, (
        f"{again.status_code}: "
        + ("was filed since this page was filled" if "was filed since this page was filled"
           in again.content.decode() else again.content.decode()[:300]))
