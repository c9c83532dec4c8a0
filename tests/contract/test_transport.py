"""The API keeps its contract on how a request arrives: a charset no text is read in, an
address without its trailing slash, an error of the server or of the schema's format: a
JSON answer in the error contract, and nothing filed or lost."""

import json

import pytest
from rest_framework.test import APIClient

from incidents.models import Incident
from tests import factories
from tests.incidents.factories import draft_values, make_filed

pytestmark = pytest.mark.django_db

JSON_BODY = '{"title": "Meter accepts forged resets"}'
FORM_BODY = "title=Meter"
MULTIPART_BODY = ('--b\r\nContent-Disposition: form-data; name="title"\r\n\r\nMeter\r\n'
                  "--b--\r\n")


def _post(api_for, user, body, content_type, path="/api/v1/incidents/"):
    client = api_for(user)
    client.raise_request_exception = False
    return client.generic("POST", path, body, content_type=content_type)


def _assert_json_400(response):
    assert response.status_code == 400, (response.status_code, response.content[:120])
    assert response["Content-Type"] == "application/json"
    assert set(response.json()) == {"detail"}


@pytest.mark.parametrize("charset", ["rot13", "base64", "hex", "bz2", "zlib", "quopri"])
def test_a_json_body_in_a_charset_that_is_no_text_encoding_answers_json_400(
        api_for, officer_a, charset):
    # Python knows these names, as codecs that are no text encoding.
    response = _post(api_for, officer_a, JSON_BODY, f"application/json; charset={charset}")

    _assert_json_400(response)
    assert not Incident.objects.exists()


@pytest.mark.parametrize("charset", ["rot13", "base64", "idna", "undefined"])
def test_a_multipart_body_in_such_a_charset_answers_json_400(api_for, officer_a, charset):
    # The upload limit reads every multipart body before any view.
    response = _post(api_for, officer_a, MULTIPART_BODY,
                     f"multipart/form-data; boundary=b; charset={charset}")

    _assert_json_400(response)
    assert not Incident.objects.exists()


def test_an_upload_in_such_a_charset_answers_json_400(api_for, officer_a):
    incident = make_filed(officer_a)
    body = ('--b\r\nContent-Disposition: form-data; name="file"; filename="n.txt"\r\n'
            "Content-Type: text/plain\r\n\r\nnote\r\n--b--\r\n")

    response = _post(api_for, officer_a, body, "multipart/form-data; boundary=b; charset=rot13",
                     path=f"/api/v1/incidents/{incident.pk}/attachments/")

    _assert_json_400(response)
    assert not incident.attachments.exists()


@pytest.mark.parametrize("where", ["incidents", "attachments", "procedures"])
def test_a_form_body_that_its_charset_cannot_decode_answers_json_400(api_for, officer_a,
                                                                     where):
    # punycode is a text encoding DRF's FormParser lets through; "title=Meter" is no
    # punycode, and QueryDict's decoding raises UnicodeError. The upload endpoints read
    # forms with their own parsers, the same check among them.
    from compliance.models import ProcedureDocument

    incident = make_filed(officer_a) if where == "attachments" else None
    path = {"incidents": "/api/v1/incidents/", "procedures": "/api/v1/procedures/",
            "attachments": f"/api/v1/incidents/{incident and incident.pk}/attachments/"}[where]
    filed = Incident.objects.count()

    response = _post(api_for, officer_a, FORM_BODY,
                     "application/x-www-form-urlencoded; charset=punycode", path=path)

    _assert_json_400(response)
    assert Incident.objects.count() == filed
    assert not ProcedureDocument.objects.exists()
    assert incident is None or not incident.attachments.exists()


def test_a_server_error_under_the_api_answers_json(api_for, officer_a, monkeypatch):
    from compliance.api import views

    def broken(self):
        raise RuntimeError("a bug anywhere behind the API")

    monkeypatch.setattr(views.MeView, "get_object", broken)
    client = api_for(officer_a)
    client.raise_request_exception = False

    response = client.get("/api/v1/me/")

    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    assert set(response.json()) == {"detail"}



@pytest.mark.parametrize(("query", "accept"), [
    ("?format=csv", "*/*"),                  # a format not offered
    ("?format=yaml", "application/json"),    # a JSON client asking YAML by mistake
    ("", "application/xml"),                 # nothing offered for the Accept header
])
def test_the_schema_refuses_in_json_like_the_rest_of_the_api(api_for, officer_a, query,
                                                             accept):
    response = api_for(officer_a).get("/api/schema/" + query, HTTP_ACCEPT=accept)

    assert response.status_code == 406
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    assert isinstance(response.json()["detail"], str)


def _body(provider):
    values = draft_values(provider)
    return {**values, "discovered_at": values["discovered_at"].isoformat(),
            "pes_models": [m.pk for m in values["pes_models"]]}


@pytest.mark.parametrize("debug", [False, True])
def test_a_post_without_the_trailing_slash_is_not_redirected_as_a_get(
        api_for, officer_a, provider_a, settings, debug):
    settings.DEBUG = debug
    client = api_for(officer_a)
    client.raise_request_exception = False

    response = client.post("/api/v1/incidents", _body(provider_a), format="json")

    # The method-keeping redirect, never a 301 (followed as a GET, the body lost) nor a
    # 500; nothing is filed at the address without its slash.
    assert response.status_code == 308 and response["Location"] == "/api/v1/incidents/"
    assert response["Content-Type"] == "application/json"
    assert not Incident.objects.exists()


def test_following_the_redirect_as_clients_do_files_the_draft_once(
        api_for, officer_a, provider_a):
    client = api_for(officer_a)

    response = client.post("/api/v1/incidents", _body(provider_a), format="json", follow=True)

    # Followed with its method and body (308), the draft is made, once.
    assert response.redirect_chain == [("/api/v1/incidents/", 308)]
    assert response.status_code == 201 and Incident.objects.count() == 1


@pytest.fixture
def schema(api_for, officer_a):
    answer = api_for(officer_a).get("/api/schema/",
                                    HTTP_ACCEPT="application/vnd.oai.openapi+json")
    return json.loads(answer.content)


@pytest.mark.parametrize("template,method,how", [
    ("/api/v1/me/", "get", {"HTTP_ACCEPT": "text/csv"}),
    ("/api/v1/incidents/{id}/", "get", {"HTTP_ACCEPT": "text/csv"}),
    ("/api/v1/incidents/{id}/", "get", {"QUERY_STRING": "format=csv"}),
    ("/api/v1/providers/{id}/compliance-record/", "get", {"HTTP_ACCEPT": "text/csv"}),
    ("/api/v1/incidents/", "post", {"HTTP_ACCEPT": "text/csv"}),
])
def test_a_format_not_offered_is_a_406_the_schema_documents(schema, officer_a, template,
                                                            method, how):
    incident = make_filed(officer_a)
    url = template.replace("{id}", str(
        officer_a.provider_id if "providers" in template else incident.pk))
    client = APIClient()
    client.force_authenticate(officer_a)
    model = factories.PESModelFactory(provider=officer_a.provider)
    body = {"category": "security_weakness", "subtype": "equipment_defect", "title": "T",
            "description": "D", "discovered_at": "2026-01-01T00:00:00Z",
            "discovery_timezone": "UTC", "discovered_by_name": "N", "pes_models": [model.pk]}
    if method == "post":
        answer = client.post(url, body, format="json", **how)
    else:
        answer = client.get(url, **how)

    documented = schema["paths"][template][method]["responses"]
    assert answer.status_code == 406
    assert "406" in documented
    assert Incident.objects.count() == 1  # the POST refused made no draft


def test_a_download_documents_no_406(schema):
    """A download answers with its file whatever the client accepts."""
    for path in ("/api/v1/incidents/{incident_pk}/attachments/{id}/download/",
                 "/api/v1/procedures/{id}/download/"):
        assert "406" not in schema["paths"][path]["get"]["responses"], path
