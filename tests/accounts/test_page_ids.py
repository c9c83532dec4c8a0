"""Pages that show several forms, or groups of choices, give every control its own id and
a label that names it: a label pointing at another form's box leaves a screen reader (or
a click on the label) at the wrong control."""

import re
from collections import Counter

import pytest

pytestmark = pytest.mark.django_db


def duplicate_ids(html):
    ids = Counter(re.findall(r'\sid="([^"]+)"', html))
    return sorted(i for i, n in ids.items() if n > 1)


def unlabelled(html):
    """Visible inputs and selects without an id, or whose id no label names."""
    labelled = set(re.findall(r'<label[^>]*\sfor="([^"]+)"', html))
    controls = re.findall(r'<(?:input|select|textarea)\b(?![^>]*type="(?:hidden|submit)")'
                          r'[^>]*>', html)
    return [c for c in controls
            if not (m := re.search(r'\sid="([^"]+)"', c)) or m.group(1) not in labelled]


@pytest.mark.parametrize("role", ["officer_a", "manager"])
def test_the_person_page_gives_each_reason_its_own_box(request, client, viewer_a, role):
    client.force_login(request.getfixturevalue(role))

    html = client.get(f"/people/{viewer_a.pk}/").content.decode()

    assert html.count('name="reason"') >= 2
    assert duplicate_ids(html) == []
    assert [c for c in unlabelled(html) if 'type="radio"' not in c] == []


@pytest.mark.parametrize("role", ["officer_a", "manager"])
def test_the_people_filters_are_labelled(request, client, role):
    client.force_login(request.getfixturevalue(role))

    html = client.get("/people/").content.decode()

    assert duplicate_ids(html) == [] and unlabelled(html) == []


def test_a_group_of_choices_has_one_id(client, manager, provider_a):
    """The proceeding form's radio and checkbox groups: the fieldset and the widget's own
    wrapper took the same id."""
    client.force_login(manager)

    html = client.get(f"/proceedings/new/?provider={provider_a.pk}").content.decode()

    assert duplicate_ids(html) == []
