"""Oversight in Chromium: the metrics page with its charts, a figure's CSV, an incident
list's CSV and a case file PDF, downloaded as a person would."""

import csv
import io

import pytest

from tests.incidents.factories import make_filed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_reviewer_reads_the_metrics_and_downloads_a_csv_and_a_pdf(page, sign_in, officer_a,
                                                                     reviewer, tmp_path):
    incident = make_filed(officer_a, title="Reset replay on Meter M-1")
    sign_in(reviewer)

    page.click("[data-testid=nav-metrics]")
    page.wait_for_url("**/metrics/")
    for slug in ("on-time", "notification-time", "open-by-risk", "backlog"):
        assert page.locator(f"#{slug} svg[role=img]").count() == 1
        assert page.locator(f"#{slug} table").count() == 1

    with page.expect_download() as download:
        page.click("[data-testid=csv-notification-time]")
    path = tmp_path / "figure.csv"
    download.value.save_as(path)
    rows = list(csv.DictReader(io.StringIO(path.read_text())))
    assert download.value.suggested_filename.startswith("metrics-notification-time-")
    assert {"label": "incidents filed", "value": "1"} == {
        "label": rows[-1]["hours from discovery to notification"],
        "value": rows[-1]["incidents"]}

    page.goto(f"/incidents/{incident.pk}/")
    with page.expect_download() as download:
        page.click("[data-testid=case-file-pdf]")
    pdf = tmp_path / "case.pdf"
    download.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert download.value.suggested_filename == f"case-file-{incident.reference}-usps.pdf"


def test_an_officer_downloads_the_incident_list_as_csv(page, sign_in, officer_a, tmp_path):
    make_filed(officer_a, title="Reset replay on Meter M-1")
    sign_in(officer_a)

    page.goto("/incidents/?status=submitted")
    with page.expect_download() as download:
        page.click("[data-testid=download-csv]")
    path = tmp_path / "incidents.csv"
    download.value.save_as(path)

    rows = list(csv.DictReader(io.StringIO(path.read_text())))
    assert [row["title"] for row in rows] == ["Reset replay on Meter M-1"]
