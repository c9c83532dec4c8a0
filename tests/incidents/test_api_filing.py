"""Submit, amend and versions through the API: receipts and append-only filings."""

import hashlib
from datetime import timedelta

import pytest
import time_machine

from incidents.models import IncidentVersion
from tests import factories

from .factories import NOW, make_draft, make_filed

URL = "/api/v1/incidents/"

pytestmark = pytest.mark.django_db


def detail(incident, suffix=""):
    return f"{URL}{incident.pk}/{suffix}"


def test_it_answers_a_submission_with_the_receipt(officer_a, api_for):
    with time_machine.travel(NOW, tick=False):
        draft = make_draft(officer_a, discovered_at=NOW - timedelta(hours=1))
        response = api_for(officer_a).post(detail(draft, "submit/"), {})

    assert response.status_code == 201, response.json()
    receipt = response.json()
    version = IncidentVersion.objects.get()
    assert receipt == {"reference": "PES-2026-00001", "version": 1,
                       "submitted_at": "2026-06-10T12:00:00.000000Z",
                       "sha256": version.sha256}
    assert hashlib.sha256(version.canonical_json.encode()).hexdigest() == receipt["sha256"]


def test_a_query_string_neither_refuses_a_filing_nor_opens_another_providers(
        officer_a, officer_b, api_for):
    with time_machine.travel(NOW, tick=False):
        draft = make_draft(officer_a, discovered_at=NOW - timedelta(hours=1))
        theirs = make_draft(officer_b, discovered_at=NOW - timedelta(hours=1))
        filed = api_for(officer_a).post(detail(draft, "submit/?status=closed&q=nothing"), {})
        refused = api_for(officer_a).post(detail(theirs, "submit/?provider="
                                                 f"{theirs.provider_id}"), {})

    assert filed.status_code == 201
    assert refused.status_code == 404
    theirs.refresh_from_db()
    assert theirs.reference is None and not theirs.versions.exists()


def test_it_refuses_a_late_submission_without_reason_with_a_clear_message(officer_a, api_for):
    with time_machine.travel(NOW, tick=False):
        draft = make_draft(officer_a, discovered_at=NOW - timedelta(hours=25))
        response = api_for(officer_a).post(detail(draft, "submit/"), {})
        accepted = api_for(officer_a).post(detail(draft, "submit/"),
                                           {"late_reason": "Found in a weekend log."})

    assert response.status_code == 400
    assert "late" in response.json()["late_reason"][0]
    assert accepted.status_code == 201
    body = api_for(officer_a).get(detail(draft)).json()
    assert body["is_late"] is True and body["late_reason"] == "Found in a weekend log."


def test_it_answers_409_to_a_second_submission(officer_a, api_for):
    filed = make_filed(officer_a)

    assert api_for(officer_a).post(detail(filed, "submit/"), {}).status_code == 409


def test_it_amends_into_a_new_version_and_keeps_the_old_one(officer_a, api_for):
    filed = make_filed(officer_a, at=NOW)
    with time_machine.travel(NOW + timedelta(hours=2), tick=False):
        response = api_for(officer_a).post(detail(filed, "amend/"), {
            "title": "Meter accepts forged resets on firmware 4.2",
            "amendment_reason": "The firmware version was confirmed."})

    assert response.status_code == 201, response.json()
    assert response.json()["version"] == 2
    assert response.json()["reference"] == filed.reference
    versions = api_for(officer_a).get(detail(filed, "versions/")).json()["results"]
    assert [v["version"] for v in versions] == [1, 2]
    assert versions[0]["changes"] == {}
    assert versions[1]["changes"] == {"title": [filed.title,
                                                "Meter accepts forged resets on firmware 4.2"]}
    assert versions[1]["submitted_by"] == "officer_a"
    assert versions[1]["submitted_at"] == "2026-06-10T14:00:00.000000Z"
    assert versions[0]["sha256"] != versions[1]["sha256"]
    assert versions[1]["amendment_reason"] == "The firmware version was confirmed."
    assert IncidentVersion.objects.get(number=1).content["title"] == filed.title


def test_it_needs_a_reason_to_amend(officer_a, api_for):
    filed = make_filed(officer_a)
    response = api_for(officer_a).post(detail(filed, "amend/"), {"title": "Other"})

    assert response.status_code == 400
    assert "amendment_reason" in response.json()
    assert IncidentVersion.objects.count() == 1


def test_it_refuses_an_amendment_that_changes_nothing(officer_a, api_for):
    filed = make_filed(officer_a)
    response = api_for(officer_a).post(detail(filed, "amend/"),
                                       {"title": filed.title, "amendment_reason": "Typo"})

    assert response.status_code == 400
    assert IncidentVersion.objects.count() == 1


@pytest.mark.parametrize("renamed", ["pes_model", "provider"])
def test_a_rename_in_the_register_is_no_amendment_of_the_provider(officer_a, api_for,
                                                                  renamed):
    from compliance.models import PESModel, Provider

    filed = make_filed(officer_a)
    if renamed == "pes_model":
        PESModel.objects.filter(pk=filed.pes_models.get().pk).update(name="Renamed by USPS")
    else:
        Provider.objects.filter(pk=filed.provider_id).update(name="Alpha Renamed")

    response = api_for(officer_a).post(detail(filed, "amend/"),
                                       {"title": filed.title, "amendment_reason": "Typo"})

    assert response.status_code == 400
    assert "Nothing changed" in response.json()["non_field_errors"][0]
    assert IncidentVersion.objects.count() == 1


@pytest.mark.parametrize("renamed", ["pes_model", "affiliate"])
def test_an_amendment_after_a_rename_in_the_register_lists_only_the_providers_changes(
        officer_a, provider_a, api_for, renamed):
    """The reviewer reads the version's differences: a renamed PES model or affiliate is
    not the provider's change; a field the provider changes shows its names as filed."""
    from compliance.models import AuditEvent, PESModel

    affiliate = factories.AffiliateFactory(provider=provider_a, name="Alpha GmbH")
    filed = make_filed(officer_a, discovered_by_affiliate=affiliate)
    meter = filed.pes_models.get()
    if renamed == "pes_model":
        PESModel.objects.filter(pk=meter.pk).update(name="Renamed by USPS")
    else:
        type(affiliate).objects.filter(pk=affiliate.pk).update(name="Alpha Europe GmbH")
    second = factories.PESModelFactory(provider=provider_a, name="Alpha A-2")

    response = api_for(officer_a).post(detail(filed, "amend/"), {
        "title": "Meter accepts forged resets (firmware 4.2)", "amendment_reason": "Clearer"})
    again = api_for(officer_a).post(detail(filed, "amend/"), {
        "pes_models": [meter.pk, second.pk], "amendment_reason": "A second model"})

    assert (response.status_code, again.status_code) == (201, 201)
    first, then = IncidentVersion.objects.filter(number__gt=1).order_by("number")
    assert set(first.changes) == {"title"}
    assert set(then.changes) == {"pes_models"}
    assert [m["name"] for m in then.changes["pes_models"][1]] == [
        PESModel.objects.get(pk=meter.pk).name, "Alpha A-2"]
    event = AuditEvent.objects.filter(action="incident.amended").earliest("sequence")
    assert set(event.changes) == {"version", "title"}


def test_it_keeps_the_filed_discovery_time(officer_a, api_for):
    filed = make_filed(officer_a)
    response = api_for(officer_a).post(detail(filed, "amend/"), {
        "discovered_at": "2026-01-01T00:00:00Z", "amendment_reason": "Earlier after all"})

    assert response.status_code == 400
    assert "discovered_at" in response.json()


def test_it_validates_amended_content_like_a_filing(officer_a, provider_b, api_for):
    filed = make_filed(officer_a)
    foreign = factories.PESModelFactory(provider=provider_b)
    response = api_for(officer_a).post(detail(filed, "amend/"), {
        "pes_models": [foreign.pk], "amendment_reason": "More models"})

    assert response.status_code == 400
    assert IncidentVersion.objects.count() == 1


def test_it_answers_409_to_amending_a_draft(officer_a, api_for):
    draft = make_draft(officer_a)
    response = api_for(officer_a).post(detail(draft, "amend/"),
                                       {"title": "x", "amendment_reason": "y"})

    assert response.status_code == 409


def test_it_shows_usps_the_versions_of_a_filed_incident(officer_a, reviewer, api_for):
    filed = make_filed(officer_a)
    response = api_for(reviewer).get(detail(filed, "versions/"))

    assert response.status_code == 200
    assert response.json()["results"][0]["content"]["reference"] == filed.reference
