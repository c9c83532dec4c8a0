"""Forms that act once read what a form names by id, however many objects it names."""

import pytest

from incidents.models import Incident
from tests import factories
from tests.factories import committed

pytestmark = pytest.mark.django_db


def test_a_discovery_sent_again_naming_other_models_past_the_twentieth_makes_its_draft(
        signed_in, officer_a):
    from tests.incidents.test_draft_edit_form import form_values

    # A provider with many meter models (22).
    models = [factories.PESModelFactory(provider=officer_a.provider, name=f"Meter {n:02}")
              for n in range(22)]
    client = signed_in(officer_a)
    data = {**form_values(client.get("/incidents/new/").content.decode()),
            "category": "security_weakness", "subtype": "equipment_defect",
            "title": "Meters accept forged resets", "description": "Details.",
            "discovery_timezone": "America/New_York", "discovered_at": "2026-06-10T07:30",
            "discovered_by_name": "Dana",
            "pes_models": [m.pk for m in models[:20]] + [models[20].pk]}
    with committed():
        client.post("/incidents/new/", data)
    # Back: the last model ticked was the wrong one.
    with committed():
        again = client.post("/incidents/new/", {
            **data, "pes_models": [m.pk for m in models[:20]] + [models[21].pk]},
            follow=True)

    page = again.content.decode()
    assert "This form was already sent" not in page
    assert Incident.objects.count() == 2
