"""No input makes a server error: each crafted request answers a clear 400 naming what is
wrong (404 for an id that cannot exist) and changes nothing."""

import json

import pytest
import time_machine
from django.core.exceptions import ValidationError

from compliance.models import AuditEvent, DeadlinePolicy, Obligation, Proceeding
from compliance.models.policy import (
    DEFAULT_ESCALATION,
    DEFAULT_REMINDER_OFFSETS_HOURS,
    DEFAULT_RISK_WINDOWS,
)
from compliance.services.policy import save_deadline_policy
from incidents.models import Incident
from reports.models import Report
from tests import factories
from tests.incidents.factories import NOW, draft_values, make_draft, make_filed
from tests.notifications.test_policy import form_data
from tests.reports.factories import case_under_review

pytestmark = pytest.mark.django_db


def _state():
    """What a refused request must leave as it was."""
    return (Incident.objects.count(), Obligation.objects.count(), Report.objects.count(),
            AuditEvent.objects.count(), DeadlinePolicy.objects.count(),
            list(Incident.objects.values_list("updated_at", flat=True).order_by("id")))


@pytest.mark.parametrize("path", [
    "/api/v1/providers/?q=%00",
    "/api/v1/incidents/?q=a%00b",
    "/api/v1/obligations/?due_before=2026-02-04T02:17:04-19:01",
    "/api/v1/obligations/?due_after=0001-01-01T00:00:00Z",
    "/api/v1/incidents/?discovered_before=2026-02-04T02:17:04%2B21:00",
    "/api/v1/incidents/?discovered_after=9999-12-31T23:59:59-12:00",
    "/api/v1/obligations/?incident=-5275587533000000000000",
    "/api/v1/obligations/?incident=99999999999999999999",
    "/api/v1/incidents/?provider=-2.5e16",
    "/api/v1/obligations/?provider=-2.5e16",
])
def test_it_answers_400_naming_the_filter(api_for, reviewer, path):
    response = api_for(reviewer).get(path)

    assert response.status_code == 400, response.content
    field = path.split("?")[1].split("=")[0]
    assert field in response.json()


@pytest.mark.parametrize("path", [
    "/providers/?q=%00",
    "/incidents/?discovered_before=2026-02-04T02:17:04%2B21:00",
    "/incidents/queue/?discovered_after=2026-02-04T02:17:04-19:01",
    "/incidents/queue/?provider=99999999999999999999",
    "/incidents/?overdue=maybe",
    "/incidents/queue/?overdue=yes",
    "/obligations/?outstanding=maybe",
    "/proceedings/?open=maybe",
])
def test_the_pages_answer_400_to_the_same_filters(signed_in, reviewer, path):
    assert signed_in(reviewer).get(path).status_code == 400


@pytest.mark.parametrize("path, status", [
    ("/metrics/?provider=²", 404),
    ("/metrics/?provider=99999999999999999999", 404),
    ("/incidents/queue/?reviewer=²", 400),  # refused, as any unreadable filter
    ("/api/v1/procedures/?provider=²", 400),
])
def test_a_digit_that_is_no_number_reads_as_no_such_id(signed_in, reviewer, path, status):
    # "²" is a digit to str.isdigit and no number to int().
    assert signed_in(reviewer).get(path).status_code == status


@pytest.mark.parametrize("token", ["abc", "²", "99999999999999999999999"])
def test_revoking_a_token_that_is_no_id_answers_404_and_revokes_nothing(signed_in, officer_a,
                                                                        token):
    from compliance import services
    from compliance.models import ApiToken

    services.create_api_token(user=officer_a, name="tooling")

    response = signed_in(officer_a).post("/profile/", {"action": "revoke_token", "token": token})

    assert response.status_code == 404
    assert ApiToken.objects.get().revoked_at is None


def test_the_provider_list_of_staff_west_of_utc_survives_an_early_discovery(
        api_for, signed_in, officer_a):
    draft = make_draft(officer_a)
    officer_a.timezone = "America/Los_Angeles"
    officer_a.save()
    before = _state()

    response = api_for(officer_a).patch(f"/api/v1/incidents/{draft.pk}/", {
        "discovered_at": "0001-01-01T00:00:00Z"}, format="json")

    assert response.status_code == 400 and "discovered_at" in response.json()
    assert _state() == before
    assert signed_in(officer_a).get("/incidents/").status_code == 200


@pytest.mark.parametrize("when", ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z",
                                  "1989-12-31T23:59:59Z", "2026-03-01T10:00:00+16:00"])
def test_it_refuses_a_discovery_time_outside_the_window(api_for, officer_a, provider_a, when):
    model = factories.PESModelFactory(provider=provider_a)
    body = {**draft_values(provider_a, pes_models=[model]), "discovered_at": when}
    body["pes_models"] = [model.pk]
    before = _state()

    response = api_for(officer_a).post("/api/v1/incidents/", body, format="json")

    assert response.status_code == 400 and "discovered_at" in response.json()
    assert _state() == before


def test_the_window_is_configured_in_one_place(api_for, officer_a, provider_a, settings):
    settings.SANE_YEARS = (2026, 2030)
    model = factories.PESModelFactory(provider=provider_a)
    body = {**draft_values(provider_a), "pes_models": [model.pk],
            "discovered_at": "2025-12-31T12:00:00Z"}

    response = api_for(officer_a).post("/api/v1/incidents/", body, format="json")

    assert response.status_code == 400
    assert "between 2026 and 2030" in str(response.json()["discovered_at"])


def test_it_refuses_json_nested_a_thousand_deep(api_for, officer_a):
    body = "[" * 1000 + "]" * 1000
    before = _state()

    response = api_for(officer_a).generic("POST", "/api/v1/incidents/", body,
                                          content_type="application/json")

    assert response.status_code == 400 and "nested" in response.json()["detail"]
    assert _state() == before


@pytest.mark.parametrize("number", ["1e400", "-1e400", "NaN", "Infinity",
                                    "99999999999999999999999"])
def test_it_refuses_numbers_out_of_range(api_for, officer_a, provider_a, number):
    values = draft_values(provider_a)
    body = json.dumps({**{k: v for k, v in values.items() if k != "pes_models"},
                       "discovered_at": values["discovered_at"].isoformat()})
    body = body[:-1] + f', "pes_models": [{number}]}}'
    before = _state()

    response = api_for(officer_a).generic("POST", "/api/v1/incidents/", body,
                                          content_type="application/json")

    assert response.status_code == 400, response.content
    assert _state() == before


def test_it_refuses_an_id_with_a_fraction(api_for, officer_a, provider_a):
    values = draft_values(provider_a)
    [model] = values["pes_models"]
    body = {**{k: v for k, v in values.items() if k != "pes_models"},
            "discovered_at": values["discovered_at"].isoformat(),
            "pes_models": [model.pk + 0.9]}
    before = _state()

    response = api_for(officer_a).post("/api/v1/incidents/", body, format="json")

    assert response.status_code == 400, response.content
    assert "pes_models" in response.json()
    assert _state() == before


YES_OR_NO = ["/api/v1/incidents/?overdue=", "/api/v1/obligations/?outstanding=",
             "/api/v1/proceedings/?open=", "/api/v1/usps-inbox/?assigned_to_me="]


@pytest.mark.parametrize("path", YES_OR_NO)
@pytest.mark.parametrize("word", ["yes", "maybe", "on", "2"])
def test_it_refuses_a_yes_or_no_filter_it_cannot_read(api_for, reviewer, path, word):
    response = api_for(reviewer).get(path + word)

    assert response.status_code == 400, response.content
    assert response.json() == {path.split("?")[1][:-1]: ["Give true or false."]}


@pytest.mark.parametrize("path", YES_OR_NO)
def test_a_yes_or_no_filter_reads_true_and_false_in_any_case(api_for, reviewer, officer_a,
                                                             path):
    make_filed(officer_a)
    client = api_for(reviewer)

    for same, words in ((True, ("true", "TRUE", "1")), (False, ("false", "False", "0"))):
        answers = [client.get(path + word) for word in words]
        assert {a.status_code for a in answers} == {200}, (same, answers[0].content)
        assert len({json.dumps(a.json(), sort_keys=True) for a in answers}) == 1


def test_it_refuses_a_written_report_due_in_year_9999(api_for, officer_a, reviewer):
    filed = make_filed(officer_a)
    before = _state()

    response = api_for(reviewer).post(f"/api/v1/incidents/{filed.pk}/triage/", {
        "revenue_risk": "high", "rationale": "Resets at scale.",
        "written_report_due_at": "9999-12-31T23:59:59Z"})

    assert response.status_code == 400 and "written_report_due_at" in response.json()
    assert _state() == before


def test_it_refuses_an_anticipated_completion_date_of_9999(api_for, officer_a):
    case = case_under_review(officer_a)
    before = _state()

    with time_machine.travel(NOW, tick=False):
        response = api_for(officer_a).post(f"/api/v1/incidents/{case.pk}/reports/", {
            "kind": "written", "circumstances": "A forged reset.",
            "investigative_procedure": "Replay it.",
            "anticipated_completion_date": "9999-12-31"})

    assert response.status_code == 400 and "anticipated_completion_date" in response.json()
    assert _state() == before


def test_it_refuses_an_extension_to_year_9999(api_for, officer_a):
    case = case_under_review(officer_a)
    duty = Obligation.objects.get(incident_id=case.pk, kind="written_report")

    response = api_for(officer_a).post(f"/api/v1/obligations/{duty.pk}/extension-requests/", {
        "requested_due_at": "9999-12-31T00:00:00Z", "justification": "Forever."})

    assert response.status_code == 400 and "requested_due_at" in response.json()
    assert not duty.extension_requests.exists()


def test_it_refuses_a_reminder_offset_of_a_hundred_million_hours(client, manager, officer_a):
    with pytest.raises(ValidationError) as refused:
        save_deadline_policy(
            actor=manager, risk_windows=DEFAULT_RISK_WINDOWS,
            reminder_offsets_hours={**DEFAULT_REMINDER_OFFSETS_HOURS,
                                    "notification": [100_000_000]},
            escalation=DEFAULT_ESCALATION, note="Typo.")
    assert "at most" in str(refused.value)
    assert not DeadlinePolicy.objects.exists()
    client.force_login(manager)
    page = client.post("/notifications/policy/",
                       form_data(offsets__notification="100000000"))
    assert "At most 87,840 hours" in page.content.decode()
    assert not DeadlinePolicy.objects.exists()
    make_draft(officer_a)  # new drafts still schedule their reminders


def test_it_answers_404_to_a_waiver_of_an_obligation_that_does_not_exist(api_for, officer_a):
    response = api_for(officer_a).post("/api/v1/obligations/999999/waive/", {"reason": "x"})

    assert response.status_code == 404


def test_it_answers_403_to_a_provider_waiving_its_own_obligation(api_for, officer_a):
    duty = make_filed(officer_a) and Obligation.objects.filter(
        provider=officer_a.provider).first()

    response = api_for(officer_a).post(f"/api/v1/obligations/{duty.pk}/waive/", {"reason": "x"})

    assert response.status_code == 403
    duty.refresh_from_db()
    assert duty.state != "waived"


def test_unknown_api_urls_answer_json_404(api_for, officer_a):
    response = api_for(officer_a).get("/api/v1/affiliates/1.5/")

    assert response.status_code == 404 and response.json() == {"detail": "Not found."}


def _multipart(fields, boundary="crafted0boundary"):
    """(body, content type) of a multipart form of `fields`, (name, value) pairs."""
    body = "".join(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                   f"{value}\r\n" for name, value in fields)
    return f"{body}--{boundary}--\r\n", f"multipart/form-data; boundary={boundary}"


@pytest.mark.parametrize(("who", "path"), [("officer_a", "/api/v1/incidents/"),
                                           ("manager", "/api/v1/proceedings/")])
def test_a_multipart_body_of_too_many_fields_answers_json_400(request, api_for, settings,
                                                              who, path):
    fields = [("title", "x")] + [("incidents", "1")] * settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
    body, content_type = _multipart(fields)
    before, proceedings = _state(), Proceeding.objects.count()

    response = api_for(request.getfixturevalue(who)).generic(
        "POST", path, body, content_type=content_type)

    assert response.status_code == 400
    assert response.json() == {"detail": "The body has too many fields."}
    assert (_state(), Proceeding.objects.count()) == (before, proceedings)


def test_a_form_body_of_too_many_fields_answers_the_same_400(api_for, officer_a, settings):
    body = "&".join(["incidents=1"] * (settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))
    before = _state()

    response = api_for(officer_a).generic("POST", "/api/v1/incidents/", body,
                                          content_type="application/x-www-form-urlencoded")

    assert response.status_code == 400
    assert response.json() == {"detail": "The body has too many fields."}
    assert _state() == before


def test_a_multipart_body_of_too_many_files_answers_json_400(api_for, officer_a, settings):
    boundary = "crafted0boundary"
    part = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            'filename="note.txt"\r\nContent-Type: text/plain\r\n\r\nnote\r\n')
    body = part * (settings.DATA_UPLOAD_MAX_NUMBER_FILES + 1) + f"--{boundary}--\r\n"
    incident = make_filed(officer_a)
    attachments = incident.attachments.count()

    response = api_for(officer_a).generic(
        "POST", f"/api/v1/incidents/{incident.pk}/attachments/", body,
        content_type=f"multipart/form-data; boundary={boundary}")

    assert response.status_code == 400
    assert response.json() == {"detail": "The body has too many files."}
    assert incident.attachments.count() == attachments


def test_a_multipart_body_without_its_boundary_answers_json_400(api_for, officer_a):
    body, _ = _multipart([("title", "x")])
    before = _state()

    response = api_for(officer_a).generic("POST", "/api/v1/incidents/", body,
                                          content_type="multipart/form-data")

    assert response.status_code == 400
    assert response.json() == {"detail": "The multipart body could not be read."}
    assert _state() == before


@pytest.mark.parametrize("media_type", ["multipart/form-data", "application/json"])
def test_fields_larger_than_accepted_answer_413_whoever_reads_the_body(api_for, officer_a,
                                                                       settings, media_type):
    # A multipart body is read by the upload limit before any view; JSON by the view.
    title = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    if media_type == "application/json":
        body, content_type = json.dumps({"title": title}), media_type
    else:
        body, content_type = _multipart([("title", title)])
    before = _state()

    response = api_for(officer_a).generic("POST", "/api/v1/incidents/", body,
                                          content_type=content_type)

    assert response.status_code == 413
    assert response.json() == {"detail": "The body's fields are larger than accepted: at "
                                         "most 2,621,440 bytes (2.5 MB), files aside."}
    assert _state() == before


def test_a_page_answers_a_styled_400_page_to_too_many_fields(signed_in, officer_a, settings):
    body, content_type = _multipart(
        [("title", "x")] * (settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))
    before = _state()

    response = signed_in(officer_a).generic("POST", "/incidents/new/", body,
                                            content_type=content_type)

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert 'data-testid="error-page"' in page and 'class="mainnav"' in page
    assert "Nothing was changed" in page
    assert _state() == before


def test_the_schema_says_what_may_be_null(api_for, officer_a):
    schemas = api_for(officer_a).get("/api/schema/?format=json").json()["components"]["schemas"]

    assert schemas["Me"]["properties"]["provider"]["nullable"] is True
    assert schemas["Incident"]["properties"]["submitted_at"]["nullable"] is True
    assert schemas["ExtensionRequest"]["properties"]["decided_by"]["nullable"] is True
    assert schemas["ProcedureDocument"]["properties"]["reviewed_by"]["nullable"] is True


def test_the_schema_documents_every_error_answer(api_for, officer_a):
    paths = api_for(officer_a).get("/api/schema/?format=json").json()["paths"]

    for path, item in paths.items():
        for method, operation in item.items():
            codes = set(operation["responses"])
            assert {"401", "403"} <= codes, (method, path)
            if "{" in path:
                assert "404" in codes, (method, path)
            if "requestBody" in operation:
                assert {"400", "413"} <= codes, (method, path)
            for code in codes - {"200", "201", "204"}:
                assert "application/json" in operation["responses"][code]["content"]
    assert "409" in paths["/api/v1/incidents/{id}/submit/"]["post"]["responses"]
    assert "409" not in paths["/api/v1/affiliates/"]["post"]["responses"]


@pytest.mark.parametrize("local", ["0001-01-01T00:00", "9999-12-31T23:59"])
def test_the_report_page_refuses_a_discovery_time_outside_the_window(
        signed_in, officer_a, provider_a, local):
    from tests.incidents.test_pages import report_form

    model = factories.PESModelFactory(provider=provider_a)
    before = _state()

    response = signed_in(officer_a).post("/incidents/new/",
                                         report_form(model, discovered_at=local))

    assert response.status_code == 400
    assert "Give a date between 1990 and 2100." in response.content.decode()
    assert _state() == before


def _choice_requests(officer):
    """(method, path, body with a lone surrogate as the chosen value, the field)."""
    draft, filed = make_draft(officer), make_filed(officer)
    case = case_under_review(officer)
    surrogate = "\ud800"  # valid JSON as the escape json.dumps writes
    return [
        ("POST", "/api/v1/incidents/", {"category": surrogate}, "category"),
        ("PATCH", f"/api/v1/incidents/{draft.pk}/", {"subtype": surrogate}, "subtype"),
        ("POST", f"/api/v1/incidents/{filed.pk}/comments/",
         {"body": "Which firmware?", "visibility": surrogate}, "visibility"),
        ("POST", "/api/v1/affiliates/",
         {"name": "Sub GmbH", "relationship": surrogate, "country": "DE"}, "relationship"),
        ("POST", f"/api/v1/incidents/{case.pk}/reports/", {"kind": surrogate}, "kind"),
    ]


def test_a_lone_surrogate_as_a_choice_answers_json_400_naming_the_field(api_for, officer_a):
    """The refusal repeats the value, which UTF-8 cannot encode: the answer escapes it."""
    client = api_for(officer_a)
    client.raise_request_exception = False
    for method, path, body, field in _choice_requests(officer_a):
        before = _state()

        response = client.generic(method, path, json.dumps(body),
                                  content_type="application/json")

        assert response.status_code == 400, (path, response.content[:200])
        assert response["Content-Type"] == "application/json"
        assert response.json()[field] == ['"\ud800" is not a valid choice.']
        assert _state() == before, path


def test_an_answer_without_a_surrogate_stays_utf_8(api_for, officer_a):
    response = api_for(officer_a).post("/api/v1/incidents/", {"category": "sécurité"},
                                       format="json")

    assert response.status_code == 400
    assert "sécurité".encode() in response.content  # not escaped
