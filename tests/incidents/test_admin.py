"""The admin shows filed incidents to USPS managers and changes nothing."""

import pytest

from incidents.models import Incident

from .factories import make_draft, make_filed

pytestmark = pytest.mark.django_db


def test_it_shows_filed_incidents_read_only_and_hides_drafts(client, manager, officer_a):
    draft = make_draft(officer_a, title="Private draft")
    filed = make_filed(officer_a, title="Filed case")
    client.force_login(manager)

    listing = client.get("/admin/incidents/incident/").content.decode()
    assert "Filed case" in listing and "Private draft" not in listing
    assert client.get(f"/admin/incidents/incident/{draft.pk}/change/").status_code == 302
    page = client.get(f"/admin/incidents/incident/{filed.pk}/change/")
    assert page.status_code == 200
    assert 'name="title"' not in page.content.decode()
    response = client.post(f"/admin/incidents/incident/{filed.pk}/change/",
                           {"title": "Rewritten"})
    assert response.status_code == 403
    assert Incident.objects.get(pk=filed.pk).title == "Filed case"
    assert client.get("/admin/incidents/incident/add/").status_code == 403
    assert client.post(f"/admin/incidents/incident/{filed.pk}/delete/").status_code == 403
