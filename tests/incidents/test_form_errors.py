"""A form that fails comes back at that form, with a summary of its errors at its top; a
form's address opened by GET (a reload) goes back to the page at the form; nothing is
preselected on a review form."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from compliance.models import ExtensionRequest
from incidents import services as incident_services
from incidents.models import Comment, IncidentStatus
from reports.models import ReportState
from tests import factories
from tests.factories import committed
from tests.incidents.factories import make_draft, make_filed
from tests.reports.factories import NOW, waiting_on_usps

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting(settings, tmp_path, officer_a):
    settings.MEDIA_ROOT = tmp_path
    return waiting_on_usps(officer_a, at=NOW)


@pytest.fixture(autouse=True)
def at_now():
    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        yield


def form_html(response, form_id):
    """The <form id=…> of the page, as rendered."""
    html = response.content.decode()
    start = html.index(f'id="{form_id}"')
    return html[html.rindex("<form", 0, start):html.index("</form>", start)]


def assert_comes_back_at(response, form_id, *messages):
    assert response.status_code == 400
    form = form_html(response, form_id)
    assert f'#{form_id}"' in form[:form.index(">")]  # the action names the form's place
    summary = form[form.index('data-testid="error-summary"'):]
    summary = summary[:summary.index("</div>")]
    assert form.index('data-testid="error-summary"') < form.index("<button")
    for message in messages:
        assert message in summary, (message, summary)
    assert re.search(r'<a href="#[\w-]+">', summary)  # each error links to its field


def test_a_failed_triage_comes_back_at_the_triage_form(signed_in, reviewer, waiting):
    filing = waiting["filing"]

    response = signed_in(reviewer).post(f"/incidents/{filing.pk}/triage/",
                                        {"revenue_risk": "", "rationale": ""})

    assert_comes_back_at(response, "triage", "Revenue risk: This field is required.")
    filing.refresh_from_db()
    assert filing.status == IncidentStatus.SUBMITTED and filing.revenue_risk is None


def test_a_failed_comment_comes_back_at_the_comment_form(signed_in, reviewer, waiting):
    case = waiting["case"]

    response = signed_in(reviewer).post(f"/incidents/{case.pk}/comments/",
                                        {"body": "Which firmware?"})

    assert_comes_back_at(response, "comment-form", "Choose who sees it")
    assert not Comment.objects.exists()


def test_a_failed_attachment_comes_back_at_the_attachment_form(signed_in, officer_a, waiting):
    case = waiting["case"]

    response = signed_in(officer_a).post(
        f"/incidents/{case.pk}/attachments/",
        {"file": SimpleUploadedFile("macro.exe", b"MZ\x90\x00", "application/octet-stream")})

    assert_comes_back_at(response, "attach", "File:")
    assert not case.attachments.exists()


def test_a_failed_return_comes_back_at_the_return_form(signed_in, reviewer, waiting):
    report = waiting["report"]

    response = signed_in(reviewer).post(f"/reports/{report.pk}/return/", {"comment": ""})

    assert_comes_back_at(response, "return", "Comment: This field is required.")
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED


def test_failed_extension_forms_come_back_at_their_place(signed_in, reviewer, officer_a,
                                                         waiting):
    extension = waiting["extension"]
    page = f"/obligations/{extension.obligation_id}/"

    denied = signed_in(reviewer).post(page, {"extension": extension.pk, "decision": "deny",
                                             "comment": ""})
    assert_comes_back_at(denied, "decide", "Say why the extension is denied.")
    extension.refresh_from_db()
    assert extension.state == "pending"

    other = waiting["case"]
    from tests.reports.factories import written_duty

    asked = signed_in(officer_a).post(f"/obligations/{written_duty(other).pk}/", {
        "requested_due_at": "", "justification": ""})
    assert_comes_back_at(asked, "ask", "New due time: This field is required.")
    assert ExtensionRequest.objects.count() == 1


def test_usps_grants_an_extension_to_a_time_it_chooses_on_the_page(signed_in, reviewer,
                                                                    waiting):
    extension = waiting["extension"]
    page = f"/obligations/{extension.obligation_id}/"
    form = form_html(signed_in(reviewer).get(page) | _status(200), "decide")
    assert 'name="due_at"' in form and "decide_due_at" in form

    response = signed_in(reviewer).post(page, {
        "extension": extension.pk, "decision": "grant", "due_at": "2026-07-03T17:00",
        "comment": "Until the holiday."})

    assert response.status_code == 302
    extension.refresh_from_db()
    assert extension.state == "granted"
    assert extension.granted_due_at.isoformat() == "2026-07-03T21:00:00+00:00"  # 17:00 EDT


def _status(code):
    class Check:
        def __ror__(self, response):
            assert response.status_code == code
            return response
    return Check()


@pytest.mark.parametrize("path,anchor", [
    ("/incidents/{filing}/triage/", "/incidents/{filing}/#triage"),
    ("/incidents/{filing}/assign/", "/incidents/{filing}/#review"),
    ("/incidents/{filing}/comments/", "/incidents/{filing}/#comment-form"),
    ("/reports/{report}/accept/", "/reports/{report}/#decide"),
    ("/reports/{report}/return/", "/reports/{report}/#decide"),
    ("/incidents/queue/assign/", "/incidents/queue/"),
])
def test_reloading_a_forms_address_goes_back_to_the_page_at_the_form(signed_in, reviewer,
                                                                       waiting, path, anchor):
    ids = {"filing": waiting["filing"].pk, "report": waiting["report"].pk}

    response = signed_in(reviewer).get(path.format(**ids))

    assert response.status_code == 302
    assert response["Location"] == anchor.format(**ids)


def test_the_attachment_form_address_goes_back_to_the_form(signed_in, officer_a, waiting):
    case = waiting["case"]

    response = signed_in(officer_a).get(f"/incidents/{case.pk}/attachments/")

    assert response["Location"] == f"/incidents/{case.pk}/#attach"


def test_no_page_answers_a_bare_405(signed_in, manager):
    response = signed_in(manager).get("/people/lockouts/clear/")  # a form's address

    assert response.status_code == 405
    body = response.content.decode()
    assert 'data-testid="error-page"' in body and 'class="mainnav"' in body
    assert "POST" in response["Allow"]


def test_no_decision_is_preselected_on_a_review_form(signed_in, reviewer, waiting):
    client = signed_in(reviewer)
    procedures = client.get(f"/procedures/{waiting['procedures'].pk}/").content.decode()
    case = client.get(f"/incidents/{waiting['case'].pk}/").content.decode()

    review = procedures[procedures.index('data-testid="procedures-review-form"'):]
    assert 'type="radio"' in review and "checked" not in review[:review.index("</form>")]
    comment = form_html_text(case, "comment-form")
    assert 'type="radio"' in comment and "checked" not in comment


def form_html_text(html, form_id):
    start = html.index(f'id="{form_id}"')
    return html[html.rindex("<form", 0, start):html.index("</form>", start)]


def test_a_review_without_a_decision_changes_nothing(signed_in, reviewer, waiting):
    document = waiting["procedures"]

    response = signed_in(reviewer).post(f"/procedures/{document.pk}/", {"comment": "Fine."})

    assert response.status_code == 400
    assert "Choose: accept this version, or ask for changes." in response.content.decode()
    document.refresh_from_db()
    assert document.review_state == "pending"


def test_a_past_resubmission_day_is_refused_beside_the_day(signed_in, reviewer, waiting):
    report = waiting["report"]

    response = signed_in(reviewer).post(f"/reports/{report.pk}/return/", {
        "comment": "Name the firmware.", "resubmission_due_on": "2026-01-01"})

    assert_comes_back_at(response, "return", "Corrected version due by the end of:")
    form = response.context["return_form"]
    assert list(form.errors) == ["resubmission_due_on"]
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED


def test_a_failed_upload_asks_for_the_chosen_file_again(signed_in, officer_a, settings,
                                                        tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = signed_in(officer_a).post("/procedures/", {
        "file": SimpleUploadedFile("procedures.pdf", b"%PDF-1.4 procedures",
                                   content_type="application/pdf"),
        "effective_date": "not a day"})

    assert response.status_code == 400
    assert "Choose procedures.pdf again" in form_html(response, "upload")


def test_each_error_is_summed_up_once_and_help_is_where_fields_point(signed_in, reviewer,
                                                                     officer_a, waiting):
    extension = waiting["extension"]

    response = signed_in(reviewer).post(f"/obligations/{extension.obligation_id}/", {
        "extension": extension.pk, "decision": "", "comment": ""})

    assert response.status_code == 400
    summary = form_html(response, "decide")
    summary = summary[summary.index('data-testid="error-summary"'):]
    assert summary[:summary.index("</div>")].count("Press Grant or Deny.") == 1
    page = signed_in(officer_a).get("/incidents/new/").content.decode()
    described = {name for value in re.findall(r'aria-describedby="([^"]+)"', page)
                 for name in value.split()}
    assert described and described <= set(re.findall(r'\sid="([^"]+)"', page))


def _discovery_post(model, **overrides):
    data = {"category": "cyber_attack", "subtype": "unauthorized_access", "title": "x" * 250,
            "description": "", "discovery_timezone": "Europe/Paris",
            "discovered_at": "2026-06-10T10:00", "discovered_by_name": "",
            "pes_models": [str(model.pk)],
            "risk-TOTAL_FORMS": "1", "risk-INITIAL_FORMS": "0", "risk-MIN_NUM_FORMS": "0",
            "risk-MAX_NUM_FORMS": "1000", "risk-0-pes_model": str(model.pk),
            "risk-0-nature_of_risk": "Stolen credentials", "risk-0-effect_on_pes": ""}
    data.update(overrides)
    return data


def test_a_failed_report_a_discovery_form_comes_back_with_a_summary_of_its_errors(
        signed_in, officer_a, provider_a):
    """README (Pages): "A form that fails comes back scrolled to that form with a summary of
    its errors". The longest form of the product (title too long, no discoverer, a risk
    statement half filled) comes back with its errors only beside the fields."""
    model = factories.PESModelFactory(provider=provider_a)

    response = signed_in(officer_a).post("/incidents/new/", _discovery_post(model))

    assert response.status_code == 400
    assert 'data-testid="error-summary"' in response.content.decode()


def test_a_failed_edit_of_a_draft_comes_back_with_a_summary_of_its_errors(
        signed_in, officer_a, provider_a):
    model = factories.PESModelFactory(provider=provider_a)
    draft = make_draft(officer_a, pes_models=[model])

    response = signed_in(officer_a).post(f"/incidents/{draft.pk}/edit/",
                                         _discovery_post(model, discovered_at="2026-03-29T02:30",
                                                         title="ok", discovered_by_name="Dana",
                                                         **{"risk-0-effect_on_pes": "E"}))

    assert response.status_code == 400
    assert "does not exist in Europe/Paris" in response.content.decode()
    assert 'data-testid="error-summary"' in response.content.decode()


def test_the_amend_page_shows_no_label_of_a_field_the_officer_cannot_fill(
        signed_in, officer_a, provider_a):
    """The amend form's hidden `based_on` is drawn like a visible field: a required
    "Based on *" label with nothing beside it."""
    incident = make_filed(officer_a, at=NOW - timedelta(hours=1))

    response = signed_in(officer_a).get(f"/incidents/{incident.pk}/amend/")

    assert response.status_code == 200
    assert 'for="id_based_on"' not in response.content.decode()


def test_an_incomplete_draft_refused_at_submission_leads_to_its_edit_page(
        signed_in, officer_a):
    """Submitting a cyber-attack draft with no description and no risk statement is refused
    on the submit page, whose only field is the reason for a delay: the page says what is
    missing and leads to the draft's edit page, where it is added."""
    draft = make_draft(officer_a, category="cyber_attack", subtype="unauthorized_access",
                       description="", pes_models=[])

    response = signed_in(officer_a).post(f"/incidents/{draft.pk}/submit/", {"late_reason": ""})

    assert response.status_code == 400
    page = response.content.decode()
    assert "A cyber attack needs at least one risk statement" in page
    assert f'href="/incidents/{draft.pk}/edit/"' in page
    draft.refresh_from_db()
    assert draft.is_draft


def test_a_draft_filed_meanwhile_by_a_colleague_keeps_what_the_officer_typed(
        signed_in, officer_a, provider_a):
    """Two officers: one files the draft while the other edits it. The edit is refused (a
    filed notification is amended, not edited) on the form, with every field as typed and
    a way to the amendment; nothing changes."""
    colleague = factories.OfficerFactory(provider=provider_a)
    model = factories.PESModelFactory(provider=provider_a)
    draft = make_draft(officer_a, pes_models=[model])
    client = signed_in(officer_a)
    client.get(f"/incidents/{draft.pk}/edit/")
    with committed():
        incident_services.submit_incident(actor=colleague, incident=draft, late_reason="")

    typed = "Seal lifts on every M-1 sold since March: a long explanation typed here"
    response = client.post(f"/incidents/{draft.pk}/edit/", {
        "category": "security_weakness", "subtype": "equipment_defect", "title": "Seal lifts",
        "description": typed, "discovery_timezone": "America/New_York",
        "discovered_at": "2026-06-10T10:00", "discovered_by_name": "Dana",
        "pes_models": [str(model.pk)], "risk-TOTAL_FORMS": "1", "risk-INITIAL_FORMS": "0",
        "risk-MIN_NUM_FORMS": "0", "risk-MAX_NUM_FORMS": "1000"})

    assert response.status_code == 409, response.get("Location")
    page = response.content.decode()
    assert typed in page and f'href="/incidents/{draft.pk}/amend/"' in page
    draft.refresh_from_db()
    assert typed not in draft.description


def test_every_link_of_the_incident_forms_summary_lands_on_the_page(signed_in, officer_a,
                                                                    provider_a, provider_b):
    """A PES model not offered (another provider's), a bad discovery time and a risk row
    half filled: each line of the summary links to an id the page has."""
    model = factories.PESModelFactory(provider=provider_a)
    other = factories.PESModelFactory(provider=provider_b)

    response = signed_in(officer_a).post("/incidents/new/", _discovery_post(
        model, pes_models=[str(other.pk)], discovered_at="2026-03-29T02:30"))

    assert response.status_code == 400
    page = response.content.decode()
    summary = page[page.index('data-testid="error-summary"'):]
    summary = summary[:summary.index("</div>")]
    targets = set(re.findall(r'<a href="#([\w-]+)">', summary))
    assert {"id_pes_models_group", "id_discovered_at"} <= targets, targets
    assert targets <= set(re.findall(r'\sid="([^"]+)"', page))


def test_pes_model_checkboxes_are_described_by_their_error(signed_in, officer_a, provider_a):
    """Laid out by hand, the PES models' checkboxes are each described by the group's
    error, as every other choice group's inputs are."""
    import re

    from tests.reports.factories import NOW as REPORTS_NOW

    model = factories.PESModelFactory(provider=provider_a)
    with time_machine.travel(REPORTS_NOW + timedelta(minutes=5), tick=False):
        response = signed_in(officer_a).post("/incidents/new/", _discovery_post(
            model, category="security_weakness", subtype="equipment_defect", title="ok",
            discovered_by_name="Dana", pes_models=[],
            **{"risk-TOTAL_FORMS": "0"}))
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_pes_models_error"' in html, "no error on the PES models"
    box = re.search(r'<input type="checkbox" name="pes_models"[^>]*>', html).group(0)
    assert "id_pes_models_error" in box, box
