"""A name in the register is taken once (compliance.text.as_name): a name that differs
only by an invisible character (a zero-width space, a word joiner, a direction mark, a
byte-order mark) would be two affiliates that look one in the discovery form's list."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("invisible", ["\u200b", "\u2060", "\u200e", "\ufeff"])
def test_an_affiliate_name_identical_but_for_an_invisible_character_is_refused(
        officer_a, provider_a, api_for, invisible):
    client = api_for(officer_a)
    first = client.post("/api/v1/affiliates/", {"name": "Acme Dealers",
                                                "relationship": "dealer", "country": "US"},
                        format="json")
    assert first.status_code == 201
    second = client.post("/api/v1/affiliates/", {"name": f"Acme{invisible} Dealers",
                                                 "relationship": "dealer", "country": "US"},
                         format="json")

    assert second.status_code == 400, second.json()
    assert "already" in str(second.json())
    assert provider_a.affiliates.count() == 1
