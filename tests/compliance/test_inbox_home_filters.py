"""A filter the home page's "Waiting on USPS" refuses answers 400, as every other list page
(incidents, queue, obligations, proceedings) and the inbox's own API do."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("query", [{"kind": "bribes"}, {"assigned_to_me": "maybe"}])
def test_the_home_page_answers_400_to_an_inbox_filter_it_refuses(signed_in, api_for, reviewer,
                                                                 query):
    assert api_for(reviewer).get("/api/v1/usps-inbox/", query).status_code == 400
    assert signed_in(reviewer).get("/obligations/", {"state": "bribes"}).status_code == 400

    response = signed_in(reviewer).get("/", query)

    assert response.status_code == 400
