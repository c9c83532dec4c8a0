"""The OpenAPI 3 schema at /api/schema/ and the interactive docs at /api/docs/."""

import subprocess
import sys

import pytest
import yaml
from django.conf import settings

REGISTER_PATHS = [
    "/api/v1/me/",
    "/api/v1/providers/",
    "/api/v1/providers/{id}/",
    "/api/v1/affiliates/",
    "/api/v1/affiliates/{id}/",
    "/api/v1/pes-models/",
    "/api/v1/pes-models/{id}/",
]


@pytest.fixture
def schema(client, officer_a):
    client.force_login(officer_a)
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    return response.json() if response["Content-Type"].startswith("application/json") else (
        yaml.safe_load(response.content))


def test_it_publishes_the_register_paths(schema):
    assert schema["openapi"].startswith("3.")
    for path in REGISTER_PATHS:
        assert path in schema["paths"], path


def test_it_publishes_the_methods_of_the_contract(schema):
    assert set(schema["paths"]["/api/v1/affiliates/"]) >= {"get", "post"}
    assert "patch" in schema["paths"]["/api/v1/affiliates/{id}/"]
    assert "put" not in schema["paths"]["/api/v1/affiliates/{id}/"]
    assert "delete" not in schema["paths"]["/api/v1/providers/{id}/"]


def test_it_documents_the_filters_and_pagination(schema):
    params = {p["name"] for p in schema["paths"]["/api/v1/affiliates/"]["get"]["parameters"]}

    assert {"page", "page_size", "provider", "relationship", "country", "q"} <= params


def test_it_documents_token_authentication(schema):
    assert schema["components"]["securitySchemes"]["tokenAuth"]["name"] == "Authorization"


def test_it_documents_the_published_enums(schema):
    components = schema["components"]["schemas"]
    enums = [c.get("enum") for c in components.values() if "enum" in c]

    assert ["authorized", "suspended", "revoked"] in enums
    assert ["postage_meter", "pc_postage"] in enums
    assert any(e and "foreign_affiliate" in e and "parent_corporation" in e for e in enums)


def test_it_serves_the_docs_to_a_signed_in_user(client, officer_a):
    client.force_login(officer_a)

    response = client.get("/api/docs/")

    assert response.status_code == 200
    assert b"swagger" in response.content.lower()


@pytest.mark.parametrize("header", ["Token not-a-real-key", "Token", "Token a b", "revoked"])
@pytest.mark.parametrize("accept", ["application/json", "text/csv", "text/html"])
def test_the_docs_refuse_a_bad_token_in_json_whatever_was_asked_for(header, accept, officer_a):
    """A page drawn for the refusal would read the caller again, outside any handler."""
    from rest_framework.test import APIClient

    from compliance.services import create_api_token, revoke_api_token

    if header == "revoked":
        token, key = create_api_token(user=officer_a)
        revoke_api_token(user=officer_a, token=token)
        header = f"Token {key}"
    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_AUTHORIZATION=header)

    response = client.get("/api/docs/", HTTP_ACCEPT=accept)

    assert response.status_code in (401, 406)
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()


def test_the_docs_refuse_a_token_lacking_its_second_factor_in_json(officer_a, settings):
    from rest_framework.test import APIClient

    from compliance.services import create_api_token

    settings.MFA_REQUIRED_ROLES = ["provider_officer"]
    _, key = create_api_token(user=officer_a)
    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    response = client.get("/api/docs/", HTTP_ACCEPT="application/json")

    assert response.status_code in (403, 406)
    assert response["Content-Type"] == "application/json"


def test_it_validates_without_warnings(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "spectacular", "--validate", "--fail-on-warn",
         "--file", str(tmp_path / "schema.yml")],
        cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "/api/v1/pes-models/" in (tmp_path / "schema.yml").read_text()


def test_it_documents_the_throttles_answer_on_every_operation(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            answer = operation["responses"]["429"]
            assert "Retry-After" in answer["headers"], (method, path)


def test_it_describes_the_record_figures_as_the_record_counts_them(schema):
    """`extended` counts granted extensions only: a due time the provider revised, or USPS
    moved at triage, is left out, and the schema says so."""
    figures = next(body for name, body in schema["components"]["schemas"].items()
                   if name.startswith("ClauseFigures"))
    text = figures["properties"]["extended"]["description"]
    assert "granted extension" in text and "moved deadline" not in text, text
