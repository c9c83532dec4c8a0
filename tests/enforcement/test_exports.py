"""Every list of proceedings and of the compliance record also answers CSV, through the
same door and filters: another provider's rows and USPS's notes never reach it."""

import csv
import io

import pytest

from compliance.enforcement.services import add_proceeding_note

from .helpers import open_sanction

pytestmark = pytest.mark.django_db


def rows(response):
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(body)))


@pytest.fixture
def two(suspension, manager, provider_b, reviewer):
    add_proceeding_note(actor=reviewer, proceeding=suspension, body="Secret deliberation")
    return suspension, open_sanction(manager, provider_b)


def test_the_proceedings_page_exports_what_its_filters_show(signed_in, reviewer, two):
    suspension, sanction = two
    client = signed_in(reviewer)

    every = rows(client.get("/proceedings/?format=csv"))
    only = rows(client.get("/proceedings/?format=csv&kind=sanction"))

    assert {r["reference"] for r in every} == {suspension.reference, sanction.reference}
    assert [r["reference"] for r in only] == [sanction.reference]
    assert 'data-testid="download-csv"' in client.get("/proceedings/").content.decode()


def test_a_provider_exports_its_own_proceedings_only(signed_in, api_for, officer_a, two):
    suspension, _ = two

    page = rows(signed_in(officer_a).get("/proceedings/?format=csv"))
    api = rows(api_for(officer_a).get("/api/v1/proceedings/?format=csv"))

    assert [r["reference"] for r in page] == [r["reference"] for r in api] == [
        suspension.reference]
    assert api[0]["sha256"] == suspension.steps.get().versions.get().sha256


def test_steps_export_and_notes_stay_with_usps(api_for, officer_a, reviewer, two):
    suspension, _ = two
    base = f"/api/v1/proceedings/{suspension.pk}"

    steps = rows(api_for(officer_a).get(f"{base}/steps/?format=csv"))
    assert [r["kind"] for r in steps] == ["proposal"]
    assert api_for(officer_a).get(f"{base}/notes/?format=csv").status_code == 403
    notes = rows(api_for(reviewer).get(f"{base}/notes/?format=csv"))
    assert [r["body"] for r in notes] == ["Secret deliberation"]


def test_the_duties_behind_a_figure_export_as_csv(signed_in, officer_a, officer_b,
                                                  suspension, missed_duty):
    url = (f"/providers/{suspension.provider_id}/compliance-record/duties/"
           "?from=2026-05-01&to=2026-05-31&kind=written_report&figure=missed&format=csv")

    exported = rows(signed_in(officer_a).get(url))

    assert [r["id"] for r in exported] == [str(missed_duty.pk)]
    assert signed_in(officer_b).get(url).status_code == 404


@pytest.mark.parametrize("choice", ["kind=nonsense&figure=missed", "kind=written_report&figure=x"])
def test_the_duties_csv_refuses_a_bad_kind_or_figure_like_the_page(signed_in, reviewer,
                                                                   suspension, missed_duty,
                                                                   choice):
    url = (f"/providers/{suspension.provider_id}/compliance-record/duties/"
           f"?from=2026-05-01&to=2026-05-31&{choice}")
    client = signed_in(reviewer)

    page = client.get(url)
    export = client.get(url + "&format=csv")

    assert (page.status_code, export.status_code) == (400, 400)
    assert export["Content-Type"].startswith("text/plain")
    assert "Choose a clause (notification, written_report," in export.content.decode()
    assert "Choose a clause" in page.content.decode()
