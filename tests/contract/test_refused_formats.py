"""An Accept header's q=0 says "not this one" (RFC 9110 §12.4.2): a list never answers in a
format its client refused."""

import pytest

from tests.incidents.factories import make_filed

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("accept", [
    "*/*, text/csv;q=0",
    "application/*, text/csv;q=0, */*",
    "text/csv;q=0, */*;q=0.5",
])
def test_a_list_never_answers_csv_to_a_client_that_refuses_it(api_for, officer_a, accept):
    make_filed(officer_a)

    response = api_for(officer_a).get("/api/v1/incidents/", HTTP_ACCEPT=accept)

    assert not response["Content-Type"].startswith("text/csv"), response["Content-Type"]
