"""While an item waits on USPS the provider's pages say so, with the time it went, instead
of prompting to file again; a viewer is never offered an action it cannot take."""

import re

import pytest
import time_machine

from tests.reports.factories import NOW, waiting_on_usps

# NOW is 12:00 UTC, 08:00 in New York (the staff's zone). The filing went at 03:00, the
# report at 05:00, the extension request at 06:00 and the procedures at 07:00, New York time.


def text(html):
    """The page as a reader sees it: tags dropped, spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.fixture
def waiting(settings, tmp_path, officer_a):
    settings.MEDIA_ROOT = tmp_path
    return waiting_on_usps(officer_a, at=NOW)


@pytest.fixture
def provider_page(signed_in):
    def get(user, path):
        with time_machine.travel(NOW, tick=False):
            response = signed_in(user).get(path)
        assert response.status_code == 200
        return response.content.decode()
    return get


def test_an_untriaged_filing_reads_with_usps_since_it_was_filed(provider_page, officer_a,
                                                                viewer_a, waiting):
    for user in (officer_a, viewer_a):
        body = text(provider_page(user, f"/incidents/{waiting['filing'].pk}/"))
        assert "Notification with USPS since 2026-06-10 03:00 EDT" in body


def test_a_triaged_case_no_longer_reads_with_usps(provider_page, officer_a, waiting):
    body = provider_page(officer_a, f"/incidents/{waiting['case'].pk}/")

    assert "Notification with USPS" not in body


def test_a_filed_report_reads_with_usps_and_is_not_offered_for_filing_again(
        provider_page, officer_a, waiting):
    report = waiting["report"]
    case = provider_page(officer_a, f"/incidents/{waiting['case'].pk}/")
    detail = provider_page(officer_a, f"/reports/{report.pk}/")

    assert f"Written report {report.reference} v1 with USPS since" in case
    assert 'data-testid="file-written"' not in case
    assert "Version 1 with USPS since 2026-06-10 05:00 EDT" in text(detail)
    assert 'data-testid="edit-report"' not in detail


def test_a_pending_extension_reads_with_usps_and_no_second_request_is_offered(
        provider_page, officer_a, viewer_a, waiting):
    path = f"/obligations/{waiting['extension'].obligation_id}/"
    for user in (officer_a, viewer_a):
        body = provider_page(user, path)
        assert "with USPS since 2026-06-10 06:00 EDT" in text(body)
        assert 'data-testid="extension-form"' not in body


def test_filed_procedures_read_with_usps_instead_of_asking_to_file_them(
        provider_page, officer_a, viewer_a, waiting):
    for user in (officer_a, viewer_a):
        home = provider_page(user, "/")
        listing = provider_page(user, "/procedures/")
        assert "Internal reporting procedures v1 with USPS since 2026-06-10 07:00 EDT" in text(
            home)
        assert "File them" not in home and 'data-testid="procedures-warning"' not in home
        assert "Version 1 with USPS since" in listing
        assert 'data-testid="procedures-warning"' not in listing


def test_usps_is_not_told_what_waits_on_itself_as_if_it_were_the_provider(
        provider_page, reviewer, waiting):
    body = provider_page(reviewer, f"/incidents/{waiting['filing'].pk}/")

    assert "Notification with USPS since" not in body
    assert "Waiting on USPS" in body and "Triage (USPS target)" in body


def test_a_viewer_is_offered_no_action_it_cannot_take(provider_page, viewer_a, officer_a,
                                                      waiting):
    pages = {
        "/": ("File them",),
        "/procedures/": ("ask for more time", 'data-testid="procedures-upload"'),
        f"/incidents/{waiting['case'].pk}/": ('data-testid="comment-form"', "Amend",
                                              'data-testid="file-'),
        f"/incidents/{waiting['filing'].pk}/": ('type="submit">Attach<',
                                                'data-testid="comment-form"'),
        f"/reports/{waiting['report'].pk}/": ('data-testid="edit-report"',
                                             'data-testid="accept-form"'),
        f"/obligations/{waiting['extension'].obligation_id}/": (
            'data-testid="extension-form"', 'data-testid="decision-form"'),
        "/incidents/": ("Report a discovery",),
    }
    for path, actions in pages.items():
        body = provider_page(viewer_a, path)
        for action in actions:
            assert action not in body, (path, action)


def test_an_amended_filing_reads_with_usps_since_it_was_filed_and_when_its_version_went(
        signed_in, officer_a):
    from datetime import timedelta

    from incidents import services
    from tests.factories import committed
    from tests.incidents.factories import make_filed

    incident = make_filed(officer_a, at=NOW)  # 08:00 in New York
    with time_machine.travel(NOW + timedelta(hours=5), tick=False), committed():
        services.amend_incident(actor=officer_a, incident=incident, based_on=1,
                                amendment_reason="Typo.", title="Corrected title")
    with time_machine.travel(NOW + timedelta(hours=6), tick=False):
        body = text(signed_in(officer_a).get(f"/incidents/{incident.pk}/").content.decode())

    assert ("Notification with USPS since 2026-06-10 08:00 EDT (version 2 filed "
            "2026-06-10 13:00 EDT") in body
