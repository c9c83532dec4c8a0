"""The pages: report a discovery, the list, an incident, submit, amend, versions, files."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from compliance.models import AuditEvent, Obligation
from incidents.models import Attachment, Incident, IncidentVersion
from tests import factories

from .factories import NOW, make_draft, make_filed

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def at_now():
    with time_machine.travel(NOW, tick=False):
        yield


def report_form(model, **overrides):
    data = {
        "category": "security_weakness", "subtype": "equipment_defect",
        "title": "Meter accepts forged resets", "description": "Details.",
        "discovery_timezone": "America/New_York", "discovered_at": "2026-06-10T07:30",
        "discovered_by_affiliate": "", "discovered_by_name": "Dana",
        "pes_models": [model.pk],
        "risk-TOTAL_FORMS": "1", "risk-INITIAL_FORMS": "0",
        "risk-MIN_NUM_FORMS": "0", "risk-MAX_NUM_FORMS": "1000",
        "risk-0-pes_model": "", "risk-0-nature_of_risk": "", "risk-0-effect_on_pes": "",
    }
    data.update(overrides)
    return data


def test_it_sends_anonymous_visitors_to_sign_in(client, officer_a):
    draft = make_draft(officer_a)
    for path in ("/incidents/", "/incidents/new/", f"/incidents/{draft.pk}/",
                 f"/incidents/{draft.pk}/versions/"):
        response = client.get(path)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_it_offers_the_report_form_with_the_officers_zone_and_models(
        signed_in, officer_a, model_a, provider_b):
    factories.PESModelFactory(provider=provider_b, name="Bravo Secret Meter")
    officer_a.timezone = "Europe/Paris"
    officer_a.save()
    page = signed_in(officer_a).get("/incidents/new/").content.decode()

    assert '<option value="Europe/Paris" selected>' in page
    assert "Alpha Meter 9" in page and "Bravo Secret Meter" not in page
    assert 'data-categories="cyber_attack"' in page
    assert "data-risk-statements" in page and "due-preview" in page
    assert "js/incident_form.js" in page


def test_it_files_a_draft_from_a_local_time_in_the_chosen_zone(signed_in, officer_a, model_a):
    response = signed_in(officer_a).post("/incidents/new/", report_form(model_a))

    incident = Incident.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/incidents/{incident.pk}/"
    assert incident.discovered_at.isoformat() == "2026-06-10T11:30:00+00:00"
    assert incident.notification_due_at.isoformat() == "2026-06-11T11:30:00+00:00"
    assert list(incident.pes_models.all()) == [model_a]
    assert Obligation.objects.filter(incident_id=incident.pk).count() == 1


def test_it_shows_errors_next_to_the_fields_and_stores_nothing(signed_in, officer_a, model_a):
    response = signed_in(officer_a).post("/incidents/new/", report_form(
        model_a, subtype="denial_of_service", discovered_at="2026-06-10T09:00",
        discovery_timezone="America/New_York"))

    assert response.status_code == 400
    page = response.content.decode()
    assert "not a subtype of security_weakness" in page
    assert "in the future" in page
    assert page.count("field-error") >= 2
    assert not Incident.objects.exists()


def test_it_files_a_cyber_attack_with_risk_statement_rows(signed_in, officer_a, model_a):
    client = signed_in(officer_a)
    draft = client.post("/incidents/new/", report_form(
        model_a, category="cyber_attack", subtype="unauthorized_access", pes_models=[]))
    assert draft.status_code == 302  # a draft may wait for its risk statements
    unfinished = Incident.objects.get()
    refused = client.post(f"/incidents/{unfinished.pk}/submit/", {"late_reason": ""})
    assert refused.status_code == 400
    assert "at least one risk statement" in refused.content.decode()
    unfinished.refresh_from_db()
    assert unfinished.is_draft

    response = client.post("/incidents/new/", report_form(
        model_a, category="cyber_attack", subtype="unauthorized_access", pes_models=[],
        **{"risk-0-pes_model": str(model_a.pk), "risk-0-nature_of_risk": "Stolen keys",
           "risk-0-effect_on_pes": "Forged indicia"}))

    assert response.status_code == 302
    incident = Incident.objects.exclude(pk=unfinished.pk).get()
    statement = incident.risk_statements.get()
    assert (statement.pes_model, statement.nature_of_risk) == (model_a, "Stolen keys")


def test_it_asks_which_time_when_the_clocks_went_back(signed_in, officer_a, model_a):
    with time_machine.travel(NOW.replace(month=11, day=2), tick=False):
        client = signed_in(officer_a)
        ambiguous = client.post("/incidents/new/", report_form(
            model_a, discovered_at="2026-11-01T01:30"))
        chosen = client.post("/incidents/new/", report_form(
            model_a, discovered_at="2026-11-01T01:30", discovered_at_fold="later"))

    assert ambiguous.status_code == 400 and "happened twice" in ambiguous.content.decode()
    assert chosen.status_code == 302
    assert Incident.objects.get().discovered_at.isoformat() == "2026-11-01T06:30:00+00:00"


def test_it_lists_the_providers_incidents_with_countdowns_and_late_badges(
        signed_in, officer_a, officer_b):
    draft = make_draft(officer_a, title="Open draft")
    make_filed(officer_a, title="Filed late", discovered_at=NOW - timedelta(days=3),
               late_reason="Holiday")
    make_draft(officer_b, title="Bravo business")
    page = signed_in(officer_a).get("/incidents/").content.decode()

    assert "Open draft" in page and "Filed late" in page and "Bravo business" not in page
    assert draft.notification_due_at.isoformat() == "2026-06-11T10:00:00+00:00"
    assert 'data-deadline="2026-06-11T06:00:00-04:00"' in page  # in the officer's zone
    assert page.count("data-deadline") == 1
    # What the countdown says is served with the page; the script keeps it running.
    assert '-04:00">22\xa0hours left</span>' in page
    detail = signed_in(officer_a).get(f"/incidents/{draft.pk}/").content.decode()
    assert '-04:00">22\xa0hours left</span>' in detail
    assert 'class="badge late"' in page


def test_it_filters_and_searches_the_list(signed_in, officer_a):
    make_draft(officer_a, title="Alpha draft")
    make_filed(officer_a, title="Beta filed")
    client = signed_in(officer_a)

    drafts = client.get("/incidents/?status=draft").content.decode()
    found = client.get("/incidents/?q=beta").content.decode()
    assert "Alpha draft" in drafts and "Beta filed" not in drafts
    assert "Beta filed" in found and "Alpha draft" not in found


def test_it_lists_in_a_pinned_number_of_queries(signed_in, officer_a,
                                                django_assert_max_num_queries):
    client = signed_in(officer_a)
    make_draft(officer_a)
    with django_assert_max_num_queries(8):
        client.get("/incidents/")
    for n in range(8):
        make_filed(officer_a, at=NOW - timedelta(minutes=n))
    with django_assert_max_num_queries(8):
        assert client.get("/incidents/").status_code == 200


def test_it_paginates_the_list_keeping_the_filters(signed_in, officer_a):
    for n in range(26):
        make_draft(officer_a, title=f"Case {n:02d}")
    page = signed_in(officer_a).get("/incidents/?status=draft").content.decode()

    assert "Page 1 of 2" in page and "status=draft&amp;page=2" in page


def test_it_shows_the_receipt_and_timeline_after_submitting(signed_in, officer_a):
    draft = make_draft(officer_a, discovered_at=NOW - timedelta(hours=1))
    client = signed_in(officer_a)
    before = client.get(f"/incidents/{draft.pk}/").content.decode()
    assert "Submit the notification" in before and "Edit the draft" in before

    response = client.post(f"/incidents/{draft.pk}/submit/", {"late_reason": ""})

    assert response.status_code == 302
    page = client.get(f"/incidents/{draft.pk}/").content.decode()
    version = IncidentVersion.objects.get()
    assert "PES-2026-00001" in page and version.sha256 in page
    assert "Incident draft created" in page and "Incident submitted" in page
    assert "Edit the draft" not in page and "Amend" in page


def test_a_draft_changed_since_the_submit_page_was_opened_is_not_filed_unseen(
        signed_in, officer_a, mailoutbox):
    """A colleague's change saved after the page was opened would be filed under the
    officer's name without their having read it: refused, nothing filed, no number used."""
    from incidents.models import ReferenceCounter, ReferenceReservation
    from incidents.services import update_draft

    draft = make_draft(officer_a, discovered_at=NOW - timedelta(hours=1))
    colleague = factories.OfficerFactory(provider=officer_a.provider)
    client = signed_in(officer_a)
    page = client.get(f"/incidents/{draft.pk}/submit/").content.decode()
    based_on = re.search(r'name="based_on" value="([^"]+)"', page).group(1)
    update_draft(actor=colleague, incident=draft, description="The seal was never broken.")
    events = AuditEvent.objects.count()

    refused = client.post(f"/incidents/{draft.pk}/submit/",
                          {"late_reason": "", "based_on": based_on}, follow=True)

    assert "The draft was changed since this page was opened: nothing was filed" in (
        refused.content.decode())
    draft.refresh_from_db()
    assert (draft.status, draft.reference) == ("draft", None)
    assert not IncidentVersion.objects.exists()
    assert AuditEvent.objects.count() == events
    assert not ReferenceCounter.objects.filter(last_number__gt=0).exists()
    assert not ReferenceReservation.objects.exists()
    assert not mailoutbox

    # Opened again, the page shows the draft as it now reads, and files it.
    page = client.get(f"/incidents/{draft.pk}/submit/").content.decode()
    based_on = re.search(r'name="based_on" value="([^"]+)"', page).group(1)
    assert client.post(f"/incidents/{draft.pk}/submit/",
                       {"late_reason": "", "based_on": based_on}).status_code == 302
    assert IncidentVersion.objects.get().content["description"] == (
        "The seal was never broken.")


def test_it_asks_for_the_reason_of_a_late_submission(signed_in, officer_a):
    draft = make_draft(officer_a, discovered_at=NOW - timedelta(hours=30))
    client = signed_in(officer_a)

    assert "This notification is late" in client.get(
        f"/incidents/{draft.pk}/submit/").content.decode()
    refused = client.post(f"/incidents/{draft.pk}/submit/", {"late_reason": ""})
    assert refused.status_code == 400 and "Give the reason" in refused.content.decode()
    accepted = client.post(f"/incidents/{draft.pk}/submit/", {"late_reason": "Weekend"})
    assert accepted.status_code == 302
    assert Incident.objects.get().is_late


def test_it_edits_drafts_but_never_a_filing(signed_in, officer_a, model_a):
    draft = make_draft(officer_a, pes_models=[model_a])
    filed = make_filed(officer_a)
    client = signed_in(officer_a)

    form = client.get(f"/incidents/{draft.pk}/edit/").content.decode()
    assert 'value="2026-06-10T06:00"' in form  # 10:00 UTC is 06:00 in New York
    saved = client.post(f"/incidents/{draft.pk}/edit/", report_form(model_a, title="New"))
    assert saved.status_code == 302 and Incident.objects.get(pk=draft.pk).title == "New"
    assert client.get(f"/incidents/{filed.pk}/edit/").status_code == 302
    client.post(f"/incidents/{filed.pk}/edit/", report_form(model_a, title="Sneaky"))
    assert Incident.objects.get(pk=filed.pk).title != "Sneaky"


def test_it_amends_and_shows_the_differences(signed_in, officer_a, model_a):
    filed = make_filed(officer_a, pes_models=[model_a])
    client = signed_in(officer_a)
    data = report_form(model_a, title="Sharper title", description=filed.description,
                       amendment_reason="Precision", based_on=1)
    for key in ("discovery_timezone", "discovered_at"):
        data.pop(key)
    assert 'name="based_on" value="1"' in client.get(
        f"/incidents/{filed.pk}/amend/").content.decode()

    response = client.post(f"/incidents/{filed.pk}/amend/", data)

    assert response.status_code == 302, response.content.decode()[:3000]
    page = client.get(f"/incidents/{filed.pk}/versions/").content.decode()
    assert "Version 2" in page and "Sharper title" in page and "Precision" in page
    assert filed.title in page


def test_an_amendment_from_a_page_filled_before_another_is_refused(signed_in, officer_a,
                                                                   model_a):
    filed = make_filed(officer_a, pes_models=[model_a])
    client = signed_in(officer_a)
    page = report_form(model_a, title=filed.title, description=filed.description, based_on=1)
    for key in ("discovery_timezone", "discovered_at"):
        page.pop(key)
    first = {**page, "title": "Sharper title", "amendment_reason": "Firmware found."}
    assert client.post(f"/incidents/{filed.pk}/amend/", first).status_code == 302
    events = AuditEvent.objects.count()

    # Another tab, filled from version 1, changes the description only.
    stale = {**page, "description": "Also on 4.1.", "amendment_reason": "Earlier firmware."}
    response = client.post(f"/incidents/{filed.pk}/amend/", stale)

    assert response.status_code == 409
    assert "Version 2 was filed since this page was filled from version 1" in (
        response.content.decode())
    filed.refresh_from_db()
    assert (filed.current_version, filed.title) == (2, "Sharper title")
    assert AuditEvent.objects.count() == events


def test_it_uploads_and_downloads_a_file_from_the_page(signed_in, officer_a, officer_b):
    draft = make_draft(officer_a)
    client = signed_in(officer_a)
    response = client.post(f"/incidents/{draft.pk}/attachments/",
                           {"file": SimpleUploadedFile("log.txt", b"line\n")})
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    download = f"/incidents/{draft.pk}/attachments/{attachment.pk}/download/"

    got = client.get(download)
    assert got.status_code == 200 and got["Content-Disposition"].startswith("attachment")
    refused = client.post(f"/incidents/{draft.pk}/attachments/",
                          {"file": SimpleUploadedFile("x.exe", b"MZ\x00\x00")})
    assert refused.status_code == 400 and "not accepted" in refused.content.decode()
    assert signed_in(officer_b).get(download).status_code == 404


def test_it_answers_404_for_other_providers_and_usps_on_drafts(signed_in, officer_a,
                                                                officer_b, reviewer):
    draft = make_draft(officer_a)
    filed = make_filed(officer_a)
    for path in (f"/incidents/{draft.pk}/", f"/incidents/{draft.pk}/versions/",
                 f"/incidents/{draft.pk}/edit/", f"/incidents/{draft.pk}/submit/"):
        assert signed_in(officer_b).get(path).status_code == 404
        assert signed_in(reviewer).get(path).status_code == 404
    assert signed_in(officer_b).get(f"/incidents/{filed.pk}/").status_code == 404
    assert signed_in(reviewer).get(f"/incidents/{filed.pk}/").status_code == 200


def test_it_keeps_viewers_and_usps_to_reading(signed_in, officer_a, viewer_a, reviewer):
    draft = make_draft(officer_a)
    filed = make_filed(officer_a)
    viewer = signed_in(viewer_a)
    assert viewer.get(f"/incidents/{draft.pk}/").status_code == 200
    assert "Edit the draft" not in viewer.get(f"/incidents/{draft.pk}/").content.decode()
    for path in ("/incidents/new/", f"/incidents/{draft.pk}/edit/",
                 f"/incidents/{draft.pk}/submit/"):
        assert viewer.get(path).status_code == 403
    assert signed_in(reviewer).get(f"/incidents/{filed.pk}/amend/").status_code == 403


def test_it_hides_draft_edits_from_usps_in_the_timeline(signed_in, officer_a, reviewer):
    from incidents import services

    draft = make_draft(officer_a)
    services.update_draft(actor=officer_a, incident=draft, title="Second thoughts")
    services.submit_incident(actor=officer_a, incident=draft)
    page = signed_in(reviewer).get(f"/incidents/{draft.pk}/").content.decode()

    assert "Incident submitted" in page and "Incident draft updated" not in page


def test_it_links_incidents_from_the_navigation(signed_in, officer_a, viewer_a):
    assert "Report a discovery" in signed_in(officer_a).get("/").content.decode()
    viewer_page = signed_in(viewer_a).get("/").content.decode()
    assert 'href="/incidents/"' in viewer_page and "Report a discovery" not in viewer_page


# Browsers send a text box's line breaks as CR LF, the API's clients as LF: the same words
# sent back by the amendment page are no change.
def amend_page(model, incident, **overrides):
    """What the amendment page sends as a browser sends it: every field as shown, the
    textareas' line breaks as CR LF."""
    data = {
        "category": incident.category, "subtype": incident.subtype,
        "title": incident.title,
        "description": incident.description.replace("\n", "\r\n"),
        "discovered_by_affiliate": "", "discovered_by_name": incident.discovered_by_name,
        "pes_models": [model.pk], "based_on": incident.current_version,
        "risk-TOTAL_FORMS": "1", "risk-INITIAL_FORMS": "0",
        "risk-MIN_NUM_FORMS": "0", "risk-MAX_NUM_FORMS": "1000",
        "risk-0-pes_model": "", "risk-0-nature_of_risk": "", "risk-0-effect_on_pes": "",
    }
    data.update(overrides)
    return data


def test_an_amendment_from_the_page_lists_only_the_fields_the_officer_changed(
        signed_in, officer_a, provider_a):
    model = factories.PESModelFactory(provider=provider_a)
    # Filed from the provider's tooling through the API: the description has LF breaks.
    filed = make_filed(officer_a, pes_models=[model],
                       description="Resets are accepted.\nSeen on firmware 4.2.")

    response = signed_in(officer_a).post(f"/incidents/{filed.pk}/amend/", amend_page(
        model, filed, title="Meter accepts forged resets on 4.2",
        amendment_reason="Firmware confirmed."))

    assert response.status_code == 302
    version = IncidentVersion.objects.get(incident=filed, number=2)
    assert set(version.changes) == {"title"}, (
        f"the version's differences name fields the officer did not touch: "
        f"{version.changes}")


def test_the_amendment_page_sent_back_untouched_changes_nothing(signed_in, officer_a,
                                                                provider_a):
    model = factories.PESModelFactory(provider=provider_a)
    filed = make_filed(officer_a, pes_models=[model],
                       description="Resets are accepted.\nSeen on firmware 4.2.")

    response = signed_in(officer_a).post(f"/incidents/{filed.pk}/amend/", amend_page(
        model, filed, amendment_reason="Pressed by mistake."))

    assert response.status_code == 400, (
        "an amendment changing nothing was filed as version 2: "
        f"{IncidentVersion.objects.filter(incident=filed, number=2).first().changes}")
    assert not IncidentVersion.objects.filter(incident=filed, number=2).exists()


def _attach_key(page):
    form = page[page.index('id="attach"'):]
    return re.search(r'name="submission_key" value="([^"]+)"', form).group(1)


def test_a_different_file_of_the_same_name_and_size_sent_from_the_page_is_not_dropped(
        signed_in, officer_a):
    """The page's attachment form takes its key with the file's name and size only: a
    second, different file that happens to have the same name and size (a corrected log,
    sent from the page reached with Back) is answered "already sent" and never stored.
    The API keys the same thing on the file's SHA-256; comments on what they say."""
    incident = make_filed(officer_a)
    client = signed_in(officer_a)
    key = _attach_key(client.get(f"/incidents/{incident.pk}/").content.decode())

    first = client.post(f"/incidents/{incident.pk}/attachments/",
                        {"submission_key": key,
                         "file": SimpleUploadedFile("log.txt", b"reset at 04:10\n")})
    second = client.post(f"/incidents/{incident.pk}/attachments/",
                         {"submission_key": key,
                          "file": SimpleUploadedFile("log.txt", b"reset at 04:17\n")})

    assert first.status_code == second.status_code == 302
    assert Attachment.objects.filter(incident=incident).count() == 2, (
        "the second, different file was dropped as 'already sent'")


def test_a_page_upload_refused_because_the_case_closed_says_why(signed_in, officer_a):
    """The officer's case page was open; USPS accepted the final summary (the case
    closed); the officer attaches a file. The answer is a 409 case page that hides the
    attachment form, and with it the only place the refusal was written: nothing says
    why the file is not there."""
    incident = make_filed(officer_a)
    client = signed_in(officer_a)
    key = _attach_key(client.get(f"/incidents/{incident.pk}/").content.decode())
    Incident.objects.filter(pk=incident.pk).update(status="closed", closed_at=NOW)

    response = client.post(f"/incidents/{incident.pk}/attachments/",
                           {"submission_key": key,
                            "file": SimpleUploadedFile("log.txt", b"reset at 04:10\n")})

    assert response.status_code == 409
    assert not Attachment.objects.filter(incident=incident).exists()
    assert "The case is closed" in response.content.decode(), (
        "the refusal is not shown anywhere on the page")
