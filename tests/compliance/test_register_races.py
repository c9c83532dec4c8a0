"""The register's forms and API sent twice at once (a double click, a client's retry): one
is made, the other is told the name is taken, never a server error."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from compliance.models import Affiliate, PESModel
from tests.concurrency import postgresql, rendezvous, run_together  # noqa: F401

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("postgresql")]


def _page_post(user, url, data):
    def call():
        client = Client(raise_request_exception=False)
        client.force_login(user)
        return client.post(url, data).status_code
    return call


def _api_post(user, url, data):
    def call():
        client = APIClient(raise_request_exception=False)
        client.force_authenticate(user)
        return client.post(url, data, format="json").status_code
    return call


def assert_no_server_error(results):
    """The first of two twin requests made it; the second was told, never a 500."""
    codes = sorted(code for code, _ in results)
    assert 500 not in codes and codes[0] in (200, 201, 302), codes


def test_an_affiliate_form_sent_twice_at_once_answers_no_server_error(officer_a, provider_a):
    url = f"/providers/{provider_a.pk}/affiliates/new/"
    data = {"name": "Alpha GmbH", "relationship": "subsidiary", "country": "DE"}

    with rendezvous("compliance.services.register._check_may_edit_affiliates"):
        results = run_together(_page_post(officer_a, url, data), _page_post(officer_a, url, data))

    assert Affiliate.objects.filter(provider=provider_a).count() == 1
    assert_no_server_error(results)


def test_an_affiliate_posted_twice_at_once_through_the_api_answers_no_server_error(
        officer_a, provider_a):
    data = {"name": "Alpha GmbH", "relationship": "subsidiary", "country": "DE"}

    with rendezvous("compliance.services.register._check_may_edit_affiliates"):
        results = run_together(_api_post(officer_a, "/api/v1/affiliates/", data),
                               _api_post(officer_a, "/api/v1/affiliates/", data))

    assert Affiliate.objects.filter(provider=provider_a).count() == 1
    assert_no_server_error(results)


def test_a_pes_model_posted_twice_at_once_answers_no_server_error(manager, provider_a):
    data = {"provider": provider_a.pk, "name": "Alpha meter", "kind": "postage_meter",
            "approval_status": "approved", "approved_by": "USPS"}

    with rendezvous("compliance.services.register._require_manager"):
        results = run_together(_api_post(manager, "/api/v1/pes-models/", data),
                               _api_post(manager, "/api/v1/pes-models/", data))

    assert PESModel.objects.filter(provider=provider_a).count() == 1
    assert_no_server_error(results)
