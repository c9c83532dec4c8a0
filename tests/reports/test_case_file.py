"""The PDF case file, read back with pdftotext: the provider's edition holds nothing
internal to USPS, the USPS edition marks internal items; another provider gets 404."""

import logging
import shutil
import subprocess
from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from compliance.models import AuditEvent, Obligation
from incidents import services as incidents
from reports import services as reports
from tests import factories
from tests.conftest import require_service
from tests.factories import committed
from tests.incidents.factories import NOW, make_draft, make_filed
from tests.reports.factories import FINAL, WRITTEN, file_report_at, investigating

RATIONALE = "Rationale: reaches the postage funds of every Alpha meter."
INTERNAL = "Internal: Alpha was late twice before."


def pdf_text(response):
    """The text of a PDF answer, as pdftotext reads it."""
    exe = shutil.which("pdftotext")
    if exe is None:
        require_service("pdftotext (poppler-utils) is not installed")
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    result = subprocess.run([exe, "-", "-"], input=response.content,
                            capture_output=True, check=True)
    return " ".join(result.stdout.decode().split())  # table cells wrap: one flat line


def squashed(text):
    """The text without any white space: table cells wrap long hashes and times."""
    return "".join(text.split())


def url(incident):
    return f"/api/v1/incidents/{incident.pk}/case-file.pdf"


@pytest.fixture
def case(settings, tmp_path, officer_a, reviewer):
    """A's case: amended once, triaged with an internal rationale, an attachment, an
    internal and a shared comment, a written report filed and returned."""
    settings.MEDIA_ROOT = tmp_path
    incident = make_filed(officer_a, at=NOW, title="Forged resets")
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        incidents.amend_incident(actor=officer_a, incident=incident,
                                 amendment_reason="Second meter affected",
                                 description="Both meters accept forged resets.")
        incidents.triage_incident(actor=reviewer, incident=incident, revenue_risk="high",
                                  rationale=RATIONALE)
        incidents.add_attachment(actor=officer_a, incident=incident, uploaded_file=(
            SimpleUploadedFile("reset_log.txt", b"reset accepted", content_type="text/plain")))
        incidents.add_comment(actor=reviewer, incident=incident, body=INTERNAL,
                              visibility="internal")
        incidents.add_comment(actor=reviewer, incident=incident, body="Please send the logs.",
                              visibility="shared")
    with time_machine.travel(NOW + timedelta(hours=2), tick=False):
        report, _ = reports.file_report(actor=officer_a, incident=incident, kind="written",
                                        **WRITTEN)
    with time_machine.travel(NOW + timedelta(hours=3), tick=False):
        reports.return_report(actor=reviewer, report=report, comment="Name the firmware.")
    incident.refresh_from_db()
    return incident


def test_it_gives_the_provider_the_whole_shared_record(api_for, officer_a, case):
    text = pdf_text(api_for(officer_a).get(url(case)))

    assert "Provider edition" in text
    assert case.reference in text and "Forged resets" in text
    for version in case.versions.all():
        assert version.sha256 in squashed(text)
    assert "Second meter affected" in text
    assert f"{case.reference}-WR1" in text and "Name the firmware." in text
    assert "reset_log.txt" in text
    attachment = case.attachments.get()
    assert attachment.sha256 in squashed(text)
    assert "Written report" in text and "Original due" in text
    assert "Please send the logs." in text


def test_it_never_puts_anything_internal_in_the_providers_edition(api_for, officer_a, case):
    text = pdf_text(api_for(officer_a).get(url(case)))

    assert INTERNAL not in text
    assert "Rationale: reaches" not in text
    assert "USPS target" not in text
    assert "INTERNAL TO USPS" not in text and "USPS edition" not in text


def test_it_marks_internal_items_in_the_usps_edition(api_for, reviewer, case):
    text = pdf_text(api_for(reviewer).get(url(case)))

    assert "USPS edition" in text
    assert INTERNAL in text and RATIONALE in text
    internal_events = (AuditEvent.objects.visible_to(reviewer).for_case(case.pk)
                       .filter(usps_only=True).count())
    assert internal_events >= 2  # the triage rationale and the internal comment at least
    targets = Obligation.objects.filter(incident_id=case.pk).usps_targets().count()
    assert targets >= 1  # triage at least
    # The legend, the internal comment, each internal event and each USPS target carry it.
    assert text.count("INTERNAL TO USPS") == 1 + 1 + internal_events + targets
    assert "Triage (USPS target)" in text


def test_it_shows_the_chain_position_and_hash_of_the_cases_last_event(api_for, officer_a,
                                                                      reviewer, case):
    provider_text = pdf_text(api_for(officer_a).get(url(case)))
    usps_text = pdf_text(api_for(reviewer).get(url(case)))

    for user, text in ((officer_a, provider_text), (reviewer, usps_text)):
        last = (AuditEvent.objects.visible_to(user).for_case(case.pk)
                .order_by("-sequence").first())
        assert f"position {last.sequence} of the audit chain" in text
        assert last.sha256 in squashed(text)
    # The case's very last event is USPS's own (a target met): not in the provider's file.
    very_last = AuditEvent.objects.for_case(case.pk).order_by("-sequence").first()
    assert very_last.usps_only and very_last.sha256 not in squashed(provider_text)


def test_it_lists_obligations_with_due_original_due_and_met_times(api_for, officer_a, case):
    text = squashed(pdf_text(api_for(officer_a).get(url(case))))

    returned = Obligation.objects.filter(incident_id=case.pk).order_by("id").last()
    notification = Obligation.objects.get(incident_id=case.pk, kind="notification")
    assert (f"24-hournotification§501.11(b){notification.due_at:%Y-%m-%d%H:%M:%S}"
            f"{notification.original_due_at:%Y-%m-%d%H:%M:%S}Met"
            f"{notification.met_at:%Y-%m-%d%H:%M:%S}") in text
    assert (f"Writtenreport§501.11(c){returned.due_at:%Y-%m-%d%H:%M:%S}"
            f"{returned.original_due_at:%Y-%m-%d%H:%M:%S}Open") in text


def test_it_answers_404_to_another_provider(api_for, officer_b, case):
    response = api_for(officer_b).get(url(case))

    assert response.status_code == 404
    assert case.reference.encode() not in response.content


def test_it_answers_404_to_usps_for_a_draft(api_for, officer_a, reviewer):
    draft = make_draft(officer_a)

    assert api_for(reviewer).get(url(draft)).status_code == 404
    assert pdf_text(api_for(officer_a).get(url(draft))).count("Draft: not filed") == 1


def test_it_answers_401_to_anonymous_callers(client, case):
    assert client.get(url(case)).status_code == 401


def test_it_refuses_a_format_not_offered(api_for, officer_a, case):
    response = api_for(officer_a).get(url(case) + "?format=csv")

    assert response.status_code == 406


def test_it_describes_itself_in_json_to_options(api_for, officer_a, reviewer, case):
    for user in (officer_a, reviewer):
        response = api_for(user).options(url(case))

        assert response.status_code == 200
        assert response["Content-Type"] == "application/json"
        assert response.json()["name"] == "Case File"


def test_it_links_the_case_file_from_the_case_page(signed_in, officer_a, case):
    response = signed_in(officer_a).get(f"/incidents/{case.pk}/")

    assert url(case).encode() in response.content


def test_it_documents_the_pdf_in_the_schema(api_for, officer_a):
    schema = api_for(officer_a).get("/api/schema/?format=json").json()

    responses = schema["paths"]["/api/v1/incidents/{incident_pk}/case-file.pdf"]["get"][
        "responses"]
    assert responses["200"]["content"] == {"application/pdf": {"schema": {
        "type": "string", "format": "binary"}}}
    assert {"401", "404", "406"} <= set(responses)


def test_it_answers_a_reports_versions_as_csv(api_for, officer_a, officer_b, case):
    report = case.reports.get()
    path = f"/api/v1/reports/{report.pk}/versions/?format=csv"

    response = api_for(officer_a).get(path)

    body = b"".join(response.streaming_content).decode()
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert report.versions.get().sha256 in body
    assert api_for(officer_b).get(path).status_code == 404
    assert api_for(officer_a).get("/api/v1/reports/").status_code == 404


# A link to a log bundle: 160 characters without a space.
LINK = "https://evidence.alpha.example/bundles/" + "3f9a1c" * 20 + "/reset.log"


def test_a_word_wider_than_the_page_is_kept_whole(api_for, officer_a, reviewer):
    """The case file is the record: a link, a log line or a hash typed without spaces
    breaks across lines, where it ran off the page's edge and was lost."""
    incident = make_filed(officer_a, at=NOW, description=f"The log is at {LINK} for review.")
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        incidents.add_comment(actor=officer_a, incident=incident, body=f"Mirror: {LINK}",
                              visibility="shared")
        incidents.amend_incident(actor=officer_a, incident=incident,
                                 amendment_reason=f"Moved to {LINK}", title="Meter reset")

    text = squashed(pdf_text(api_for(officer_a).get(url(incident))))

    # The description, the comment, the version's reason and the timeline's.
    assert text.count(squashed(LINK)) == 4, text


@pytest.mark.parametrize("who", ["officer_a", "reviewer"])
def test_the_case_file_holds_what_the_reports_say(request, api_for, officer_a, reviewer,
                                                 who):
    incident = investigating(officer_a, reviewer)
    report, _ = file_report_at(officer_a, incident, "final", at=NOW + timedelta(days=1))
    with time_machine.travel(NOW + timedelta(days=2), tick=False), committed():
        reports.accept_report(actor=reviewer, report=report)

    text = pdf_text(api_for(request.getfixturevalue(who)).get(
        f"/api/v1/incidents/{incident.pk}/case-file.pdf"))

    assert f"{incident.reference}-FS1" in text  # the reference is there ...
    missing = [value for value in (WRITTEN["circumstances"], WRITTEN["investigative_procedure"],
                                   FINAL["findings"], FINAL["root_cause"],
                                   FINAL["corrective_actions"]) if value not in text]
    assert not missing, f"the case file leaves out what the reports say: {missing}"


def test_the_case_file_draws_chinese_and_japanese_text_as_filed(api_for, officer_a, caplog):
    """A foreign affiliate's or a person's name in Chinese or Japanese is drawn, never as
    empty boxes (a glyph no font has: WeasyPrint's `.notdef` warning)."""
    incident = make_filed(officer_a, title="Meter seal lifts (東京支社)",
                          discovered_by_name="山田 太郎",
                          description="Reported by our Tokyo affiliate: 封印が外れる.")
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        response = api_for(officer_a).get(f"/api/v1/incidents/{incident.pk}/case-file.pdf")

    assert response.status_code == 200
    missing = [r.getMessage() for r in caplog.records if ".notdef" in r.getMessage()]
    assert missing == []


def test_the_case_file_names_amended_fields_as_the_product_labels_them(api_for, officer_a):
    """The case file's versions table names each amended field through the reports' label
    table, which knows no incident field: 'Pes models', 'Discovered by name' instead of
    'Affected PES models' and 'Discoverer' as the versions page and timeline say."""
    second = factories.PESModelFactory(provider=officer_a.provider, name="Second Meter")
    incident = make_filed(officer_a, at=NOW)
    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        incidents.amend_incident(actor=officer_a, incident=incident,
                                amendment_reason="Another meter and the right discoverer",
                                pes_models=[*incident.pes_models.all(), second],
                                discovered_by_name="Sam Discoverer")
        text = pdf_text(api_for(officer_a).get(
            f"/api/v1/incidents/{incident.pk}/case-file.pdf"))

    versions = text[text.index("Versions"):text.index("Reports and their reviews")]
    assert "Pes models" not in versions
    assert "Affected PES models" in versions and "Discoverer" in versions


def test_the_case_file_does_not_say_a_correction_owed_no_more_is_due(officer_a, reviewer):
    """As the report's page and the return's e-mail: the case closed by USPS, the return's
    correction is not said to be due."""
    from django.template.loader import render_to_string

    from reports.casefile.build import load_case_file
    from tests.reports.factories import case_under_review

    day = timedelta(days=1)
    incident = case_under_review(officer_a)
    report, _ = file_report_at(officer_a, incident, "written", at=NOW + day)
    with time_machine.travel(NOW + 2 * day, tick=False), committed():
        reports.return_report(actor=reviewer, report=report, comment="Name the firmware.",
                              resubmission_due_at=NOW + 20 * day)
    with time_machine.travel(NOW + 3 * day, tick=False), committed():
        reports.close_case(actor=reviewer, incident=incident,
                           reason="A duplicate of PES-2026-00001.")

    with time_machine.travel(NOW + 4 * day, tick=False):
        html = render_to_string("reports/case_file.html",
                                {"case": load_case_file(officer_a, incident.pk),
                                 "site_url": ""})

    line = next(line for line in html.splitlines() if "Name the firmware." in line)
    assert "Resubmission due" not in line
    assert ("USPS no longer asks for a corrected version: USPS closed the case: A duplicate "
            "of PES-2026-00001.") in line
