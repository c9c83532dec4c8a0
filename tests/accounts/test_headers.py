"""Headers: a CSP without inline scripts, a Permissions-Policy, and no-store everywhere."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from compliance.services import create_api_token

pytestmark = pytest.mark.django_db


def directives(response):
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split("; ")}


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/people/", "/api/docs/"])
def test_it_sends_a_csp_without_inline_scripts(path, signed_in, manager):
    policy = directives(signed_in(manager).get(path))

    assert policy["default-src"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]


def test_it_lets_the_api_docs_style_in_by_nonce_only(signed_in, manager):
    response = signed_in(manager).get("/api/docs/")

    nonce = re.search(r'<style nonce="([^"]+)"', response.content.decode()).group(1)
    assert f"'nonce-{nonce}'" in directives(response)["style-src"]
    assert "<script>" not in response.content.decode()


def test_it_sends_a_permissions_policy(client):
    policy = client.get("/accounts/login/")["Permissions-Policy"]

    assert "camera=()" in policy and "geolocation=()" in policy and "microphone=()" in policy


@pytest.mark.parametrize("path", ["/", "/profile/", "/people/", "/incidents/"])
def test_it_keeps_authenticated_pages_out_of_caches(path, signed_in, manager):
    assert "no-store" in signed_in(manager).get(path)["Cache-Control"]


def test_it_keeps_api_answers_out_of_caches(officer_a):
    _, key = create_api_token(user=officer_a)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    assert "no-store" in api.get("/api/v1/me/")["Cache-Control"]
    assert "no-store" in APIClient().get("/api/v1/me/")["Cache-Control"]


def test_no_template_or_script_runs_inline_code():
    """A `<script>` without `src` (other than JSON data) or an `on…=` handler would be
    refused by the CSP: none may be written."""
    roots = [Path(settings.BASE_DIR) / name for name in
             ("templates", "compliance", "accounts", "incidents", "reports", "notifications")]
    offenders = []
    for root in roots:
        for path in root.rglob("*.html"):
            if "email" in path.parts:
                continue  # e-mails are not pages
            text = path.read_text()
            for tag in re.findall(r"<script\b[^>]*>", text):
                if "src=" not in tag and "application/json" not in tag:
                    offenders.append((str(path), tag))
            offenders += [(str(path), m) for m in re.findall(r"\son[a-z]+=\"", text)]
            offenders += [(str(path), m) for m in re.findall(r'\sstyle="', text)]
    assert offenders == []


@pytest.mark.parametrize("path", ["/profile/", "/api/v1/incidents/"])
def test_a_body_refused_as_too_large_carries_the_headers_too(signed_in, officer_a, path):
    # Refused before the middleware that sets the site's headers.
    response = signed_in(officer_a).post(path, data=b"x", content_type="text/plain",
                                         CONTENT_LENGTH=str(10 ** 10))

    assert response.status_code == 413
    assert response["Content-Security-Policy"].startswith("default-src 'none'")
    assert response["X-Frame-Options"] == "DENY"
    assert "no-store" in response["Cache-Control"]
