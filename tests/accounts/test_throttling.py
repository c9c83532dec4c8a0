"""API throttling: per token and per address, answered 429 with Retry-After."""

import pytest
from rest_framework.test import APIClient

from compliance.services import create_api_token
from tests.conftest import setting_from_environment

pytestmark = pytest.mark.django_db

ME = "/api/v1/me/"


def token_client(user, address="203.0.113.9"):
    _, key = create_api_token(user=user)
    api = APIClient(REMOTE_ADDR=address)
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api


@pytest.fixture
def low_rates(settings):
    settings.API_RATES = {"token": "3/minute", "address": "5/minute"}


def test_it_answers_429_with_retry_after_past_a_tokens_rate(officer_a, low_rates):
    api = token_client(officer_a)

    answers = [api.get(ME) for _ in range(4)]

    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert 0 < int(answers[-1]["Retry-After"]) <= 60


def test_it_gives_each_token_its_own_allowance(officer_a, low_rates):
    first, second = token_client(officer_a, "203.0.113.1"), token_client(officer_a, "203.0.113.2")
    for _ in range(3):
        first.get(ME)

    assert first.get(ME).status_code == 429
    assert second.get(ME).status_code == 200


def test_it_throttles_an_address_across_tokens(officer_a, officer_b, low_rates):
    first, second = token_client(officer_a), token_client(officer_b)
    for _ in range(3):
        first.get(ME)
    second.get(ME)
    second.get(ME)

    assert second.get(ME).status_code == 429


def test_it_ignores_a_forged_forwarded_for_header(officer_a, officer_b, low_rates):
    callers = [token_client(officer_a), token_client(officer_b)]

    codes = [callers[n % 2].get(ME, HTTP_X_FORWARDED_FOR=f"10.0.0.{n}").status_code
             for n in range(6)]

    assert codes == [200] * 5 + [429]


def test_it_reads_the_rates_from_the_environment(tmp_path):
    rates = setting_from_environment("API_RATES", tmp_path, API_RATE_PER_TOKEN="10/second")

    assert "'token': '10/second'" in rates


def test_it_counts_requests_without_a_token_against_their_address(low_rates):
    api = APIClient(REMOTE_ADDR="203.0.113.7")

    answers = [api.get(ME) for _ in range(6)]

    assert [a.status_code for a in answers] == [401] * 5 + [429]
    assert answers[-1].json()["detail"].startswith("Request was throttled")
    assert 0 < int(answers[-1]["Retry-After"]) <= 60
    assert answers[-1]["Cache-Control"].startswith("max-age=0")
    assert "no-store" in answers[-1]["Cache-Control"]


def test_it_throttles_wrong_tokens_from_one_address_and_files_nothing(officer_a, low_rates):
    from incidents.models import Incident

    api = APIClient(REMOTE_ADDR="203.0.113.8")
    api.credentials(HTTP_AUTHORIZATION="Token not-a-token-of-anyone")
    before = Incident.objects.count()

    codes = [api.post("/api/v1/incidents/", {"title": "x"}, format="json").status_code
             for _ in range(6)]

    assert codes == [401] * 5 + [429]
    assert Incident.objects.count() == before


def test_an_address_that_sent_wrong_tokens_is_throttled_with_a_good_one(officer_a, low_rates):
    stranger = APIClient(REMOTE_ADDR="203.0.113.9")
    for _ in range(5):
        stranger.get(ME, HTTP_AUTHORIZATION="Token guess")

    assert token_client(officer_a, "203.0.113.9").get(ME).status_code == 429
    assert token_client(officer_a, "203.0.113.10").get(ME).status_code == 200


def test_an_api_request_counts_once_against_its_address(officer_a, settings):
    settings.API_RATES = {"token": "100/minute", "address": "4/minute"}
    api = token_client(officer_a)

    assert [api.get(ME).status_code for _ in range(5)] == [200] * 4 + [429]


def test_pages_do_not_count_against_the_api_allowance(officer_a, client, low_rates):
    for _ in range(8):
        client.get("/accounts/login/", REMOTE_ADDR="203.0.113.9")

    assert token_client(officer_a, "203.0.113.9").get(ME).status_code == 200


def test_a_refused_request_costs_no_query(officer_a, low_rates, django_assert_num_queries):
    api = token_client(officer_a, "203.0.113.11")
    for _ in range(5):
        api.get(ME)
    api.cookies["sessionid"] = "k" * 32  # a well-formed key, which a session store looks up

    with django_assert_num_queries(0):
        answer = api.get(ME)

    assert answer.status_code == 429
