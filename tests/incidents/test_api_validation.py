"""Bad input gets a clear 400 and stores nothing."""

import pytest
import time_machine

from compliance.models import AuditEvent, Obligation
from incidents.models import Incident
from tests import factories

from .factories import NOW, make_draft

URL = "/api/v1/incidents/"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def at_now():
    with time_machine.travel(NOW, tick=False):
        yield


def refused(client, payload, field):
    response = client.post(URL, payload)
    assert response.status_code == 400, response.json()
    assert field in response.json(), response.json()
    assert not Incident.objects.exists()
    assert not Obligation.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="incident.").exists()
    return response.json()[field]


def test_it_refuses_a_discovery_time_without_offset(officer_a, payload, api_for):
    messages = refused(api_for(officer_a), {**payload, "discovered_at": "2026-06-10T07:30:00"},
                       "discovered_at")
    assert "offset" in messages[0]


def test_it_refuses_a_discovery_time_in_the_future(officer_a, payload, api_for):
    messages = refused(api_for(officer_a),
                       {**payload, "discovered_at": "2026-06-10T12:00:01Z"}, "discovered_at")
    assert "future" in messages[0]


def test_it_refuses_an_unknown_time_zone(officer_a, payload, api_for):
    messages = refused(api_for(officer_a), {**payload, "discovery_timezone": "Mars/Olympus"},
                       "discovery_timezone")
    assert "IANA" in messages[0]


def test_it_treats_another_providers_pes_model_as_not_existing(officer_a, provider_b, payload,
                                                               api_for):
    foreign = factories.PESModelFactory(provider=provider_b)
    messages = refused(api_for(officer_a), {**payload, "pes_models": [foreign.pk]},
                       "pes_models")
    missing = refused(api_for(officer_a), {**payload, "pes_models": [foreign.pk + 1000]},
                      "pes_models")
    assert "does not exist" in messages[0]
    assert messages[0].replace(str(foreign.pk), "N") == missing[0].replace(
        str(foreign.pk + 1000), "N")


def test_it_treats_another_providers_affiliate_as_not_existing(officer_a, provider_b, payload,
                                                               api_for):
    foreign = factories.AffiliateFactory(provider=provider_b)
    messages = refused(api_for(officer_a), {**payload, "discovered_by_affiliate": foreign.pk},
                       "discovered_by_affiliate")
    assert "does not exist" in messages[0]


def test_it_accepts_an_affiliate_of_the_same_provider(officer_a, provider_a, payload, api_for):
    own = factories.AffiliateFactory(provider=provider_a)
    response = api_for(officer_a).post(URL, {**payload, "discovered_by_affiliate": own.pk})

    assert response.status_code == 201
    assert response.json()["discovered_by_affiliate"] == own.pk


def test_it_saves_a_cyber_attack_draft_but_files_it_only_with_a_risk_statement(
        officer_a, payload, api_for):
    client = api_for(officer_a)
    created = client.post(URL, {**payload, "category": "cyber_attack",
                                "subtype": "denial_of_service"})
    assert created.status_code == 201

    refused = client.post(f"{URL}{created.json()['id']}/submit/", {})

    assert refused.status_code == 400
    assert "at least one risk statement" in refused.json()["risk_statements"][0]
    assert Incident.objects.get().is_draft
    assert not AuditEvent.objects.filter(action="incident.submitted").exists()


def test_it_refuses_a_risk_statement_naming_another_providers_model(officer_a, provider_b,
                                                                    payload, api_for):
    foreign = factories.PESModelFactory(provider=provider_b)
    refused(api_for(officer_a), {
        **payload, "category": "cyber_attack", "subtype": "denial_of_service",
        "risk_statements": [{"pes_model": foreign.pk, "nature_of_risk": "Outage",
                             "effect_on_pes": "No resets"}]}, "risk_statements")


def test_it_files_a_cyber_attack_with_a_risk_statement(officer_a, model_a, payload, api_for):
    response = api_for(officer_a).post(URL, {
        **payload, "category": "cyber_attack", "subtype": "unauthorized_access",
        "pes_models": [],
        "risk_statements": [{"pes_model": model_a.pk, "nature_of_risk": "Stolen keys",
                             "effect_on_pes": "Forged indicia"}]})

    assert response.status_code == 201, response.json()
    assert response.json()["risk_statements"] == [
        {"pes_model": model_a.pk, "nature_of_risk": "Stolen keys",
         "effect_on_pes": "Forged indicia"}]
    assert response.json()["pes_models"] == [model_a.pk]


def test_it_refuses_a_subtype_of_another_category(officer_a, payload, api_for):
    messages = refused(api_for(officer_a), {**payload, "subtype": "denial_of_service"},
                       "subtype")
    assert "not a subtype of security_weakness" in messages[0]


def test_it_needs_a_pes_model_for_test_findings_and_weaknesses(officer_a, payload, api_for):
    for category, subtype in (("test_finding", "test_result"),
                              ("security_weakness", "customer_abuse")):
        refused(api_for(officer_a), {**payload, "category": category, "subtype": subtype,
                                     "pes_models": []}, "pes_models")


def test_it_refuses_a_bad_patch_and_keeps_the_draft(officer_a, api_for):
    draft = make_draft(officer_a)
    response = api_for(officer_a).patch(f"{URL}{draft.pk}/", {"subtype": "cmrs_breach",
                                                              "category": "cyber_attack"})

    assert response.status_code == 400
    assert set(response.json()) >= {"subtype"}
    draft.refresh_from_db()
    assert draft.category == "security_weakness"


def statements(model, count):
    return [{"pes_model": model.pk, "nature_of_risk": "Forged indicia",
             "effect_on_pes": "Postage printed unpaid"}] * count


def test_it_refuses_more_risk_statements_than_an_incident_holds(officer_a, payload, api_for,
                                                                 django_assert_max_num_queries):
    """Each statement names a PES model that is looked up, and takes a position a small
    integer holds: a body of thousands is refused before either."""
    model = officer_a.provider.pes_models.first()
    attack = {**payload, "category": "cyber_attack", "subtype": "denial_of_service",
              "risk_statements": statements(model, 201)}
    client = api_for(officer_a)

    with django_assert_max_num_queries(8):
        response = client.post(URL, attack, format="json")

    assert response.status_code == 400, response.json()
    assert response.json()["risk_statements"] == [
        "Give at most 200 risk statements; describe further risks in the description."]
    assert not Incident.objects.exists()
    assert client.post(URL, {**attack, "risk_statements": statements(model, 200)},
                       format="json").status_code == 201


def test_it_refuses_more_pes_models_than_an_incident_holds(officer_a, payload, api_for,
                                                           django_assert_max_num_queries):
    model = officer_a.provider.pes_models.first()
    client = api_for(officer_a)

    with django_assert_max_num_queries(8):
        response = client.post(URL, {**payload, "pes_models": [model.pk] * 100_000},
                               format="json")

    assert response.status_code == 400
    assert response.json()["pes_models"] == ["Name at most 500 affected PES models."]
    assert not Incident.objects.exists()


def test_a_draft_or_amendment_with_too_many_risk_statements_changes_nothing(
        officer_a, api_for):
    """The change of a draft and an amendment are refused alike, the incident as it was."""
    from .factories import make_filed

    model = factories.PESModelFactory(provider=officer_a.provider)
    draft = make_draft(officer_a, pes_models=[model])
    filed = make_filed(officer_a, at=NOW, pes_models=[model])
    client = api_for(officer_a)
    too_many = {"category": "cyber_attack", "subtype": "denial_of_service",
                "risk_statements": statements(model, 201)}

    edited = client.patch(f"{URL}{draft.pk}/", too_many, format="json")
    amended = client.post(f"{URL}{filed.pk}/amend/", {**too_many, "amendment_reason": "more"},
                          format="json")

    for response in (edited, amended):
        assert response.status_code == 400
        assert "risk_statements" in response.json()
    for incident in (draft, filed):
        incident.refresh_from_db()
        assert (incident.category, incident.risk_statements.count()) == (
            "security_weakness", 0)
    assert filed.versions.count() == 1


def test_the_service_refuses_too_many_risk_statements_from_any_page(officer_a):
    from django.core.exceptions import ValidationError

    from incidents.services.validation import current_values, validate_content

    draft = make_draft(officer_a)
    model = draft.pes_models.first()
    values = {**current_values(draft), "category": "cyber_attack",
              "subtype": "denial_of_service",
              "risk_statements": [{"pes_model": model, "nature_of_risk": "a",
                                   "effect_on_pes": "b"}] * 201}

    with pytest.raises(ValidationError) as refused:
        validate_content(provider=officer_a.provider, values=values, now=NOW)
    assert refused.value.message_dict["risk_statements"] == [
        "Give at most 200 risk statements; describe further risks in the description."]


def test_pes_models_sent_as_a_json_object_are_not_looked_up_one_by_one(
        officer_a, payload, api_for, django_assert_max_num_queries):
    """A JSON object iterates as its keys: 600 spellings of one id ("1", "01", "001", ...)
    would each be looked up, a query apiece."""
    client = api_for(officer_a)
    model = payload["pes_models"][0]
    ids = {"0" * n + str(model): True for n in range(600)}

    with django_assert_max_num_queries(40):
        response = client.post(URL, {**payload, "pes_models": ids}, format="json")

    assert response.status_code == 400, response.status_code
    assert response.json()["pes_models"] == ['Expected a list of items but got type "dict".']
    assert not Incident.objects.exists()


def test_an_incident_never_lists_more_than_500_pes_models(officer_a):
    from django.core.exceptions import ValidationError

    """The models the risk statements name count too: 500 models and a statement naming
    a 501st are refused."""
    from compliance.models import PESModel
    from incidents.services.validation import MAX_PES_MODELS, current_values, validate_content

    provider = officer_a.provider
    PESModel.objects.bulk_create(
        PESModel(provider=provider, name=f"Bulk {n}", kind="pc_postage",
                 approval_status="approved") for n in range(MAX_PES_MODELS + 1))
    models = list(PESModel.objects.filter(provider=provider, name__startswith="Bulk "))
    draft = make_draft(officer_a)
    values = {**current_values(draft), "category": "cyber_attack",
              "subtype": "denial_of_service", "pes_models": models[:MAX_PES_MODELS],
              "risk_statements": [{"pes_model": models[MAX_PES_MODELS],
                                   "nature_of_risk": "a", "effect_on_pes": "b"}]}

    with pytest.raises(ValidationError) as refused:
        validate_content(provider=provider, values=values, now=NOW)
    assert refused.value.message_dict["pes_models"] == ["Name at most 500 affected PES models."]


def test_too_many_risk_statements_is_not_also_told_as_none(officer_a):
    from django.core.exceptions import ValidationError

    """201 statements on a cyber attack being filed (submit, amend): refused as too many,
    not also told "needs at least one risk statement"."""
    from incidents.services.validation import current_values, validate_content

    draft = make_draft(officer_a)
    model = draft.pes_models.first()
    values = {**current_values(draft), "category": "cyber_attack",
              "subtype": "denial_of_service",
              "risk_statements": [{"pes_model": model, "nature_of_risk": "a",
                                   "effect_on_pes": "b"}] * 201}

    with pytest.raises(ValidationError) as refused:
        validate_content(provider=officer_a.provider, values=values, now=NOW, for_filing=True)
    assert refused.value.message_dict["risk_statements"] == [
        "Give at most 200 risk statements; describe further risks in the description."]


def test_a_form_encoded_body_is_refused_as_a_json_one_is(officer_a, payload, api_for):
    """201 risk statements in a form body (risk_statements[0]pes_model=...): refused in the
    shape and words of a JSON body's refusal."""
    client = api_for(officer_a)
    model = payload["pes_models"][0]
    form = {**payload, "category": "cyber_attack", "subtype": "denial_of_service"}
    for n in range(201):
        form[f"risk_statements[{n}]pes_model"] = model
        form[f"risk_statements[{n}]nature_of_risk"] = "Forged indicia"
        form[f"risk_statements[{n}]effect_on_pes"] = "Postage printed unpaid"

    response = client.post(URL, form, format="multipart")

    assert response.status_code == 400, response.status_code
    assert response.json()["risk_statements"] == [
        "Give at most 200 risk statements; describe further risks in the description."]


def test_a_risk_statement_index_too_long_to_read_is_a_400_not_a_500(officer_a, provider_a,
                                                                    api_for):
    from urllib.parse import urlencode

    model = factories.PESModelFactory(provider=provider_a, name="Alpha Meter 9")
    form = {
        "category": "cyber_attack", "subtype": "denial_of_service",
        "title": "Meter accepts forged resets", "description": "Resets accepted.",
        "discovered_at": "2026-06-10T07:30:00-04:00", "discovery_timezone": "America/New_York",
        "discovered_by_name": "Dana Discoverer", "pes_models": model.pk,
        # 4,301+ digits: int() refuses it (sys.get_int_max_str_digits()).
        "risk_statements[" + "1" * 5000 + "]pes_model": model.pk,
    }
    client = api_for(officer_a)
    client.raise_request_exception = False

    response = client.post(URL, urlencode(form),
                           content_type="application/x-www-form-urlencoded")

    assert response.status_code == 400, (response.status_code, response.content[:200])
    assert response.json()["risk_statements"] == [
        "Number the risk statements risk_statements[0], risk_statements[1], and so on."]
    assert not Incident.objects.exists()
    assert not Incident.objects.exists()
