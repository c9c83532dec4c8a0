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
