"""Report pages: the section on the incident page, filing, detail, accept and return;
isolation for each and pinned query counts."""

from datetime import timedelta

import pytest
import time_machine
from django.template import Context, Template
from django.test import RequestFactory

from compliance.models import Obligation
from reports.models import Report, ReportState

from .factories import NOW, case_under_review, file_report_at, investigating

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def at_now():
    with time_machine.travel(NOW, tick=False):
        yield


WRITTEN_FORM = {"circumstances": "Forged reset accepted.", "investigative_procedure": "Bench.",
                "anticipated_completion_date": "2026-09-30", "file": ""}


def section(user, incident):
    """The reports section as the case page shows it, with the case's obligations the
    page reads (read here in the section's queries)."""
    request = RequestFactory().get("/")
    request.user = user
    template = Template('{% include "reports/_incident_reports.html" %}')
    obligations = (Obligation.objects.visible_to(user).provider_duties()
                   .filter(incident_id=incident.pk).order_by("due_at", "id"))
    return template.render(Context({"incident": incident, "request": request,
                                    "obligations": obligations}))


def test_the_section_offers_the_written_report_to_officers_only(officer_a, viewer_a, reviewer,
                                                                case):
    assert f"/reports/incident/{case.pk}/written/" in section(officer_a, case)
    assert "/reports/incident/" not in section(viewer_a, case)
    assert "/reports/incident/" not in section(reviewer, case)


def test_the_section_lists_reports_with_receipts_and_offers_what_fits(officer_a, reviewer):
    incident = investigating(officer_a, reviewer)
    html = section(officer_a, incident)
    report = Report.objects.get(incident=incident)
    assert report.reference in html and "Accepted" in html
    assert report.versions.get().sha256[:10] in html
    assert f"/reports/incident/{incident.pk}/status/" in html
    assert f"/reports/incident/{incident.pk}/final/" in html
    assert f"/reports/incident/{incident.pk}/written/" not in html
    assert "status report" in html and "final summary" in html  # the duties owed


def test_the_section_is_hidden_on_a_draft_incident(officer_a):
    from tests.incidents.factories import make_draft
    assert "Reports" not in section(officer_a, make_draft(officer_a))


def test_the_section_hides_drafts_from_usps(officer_a, reviewer, draft):
    assert draft.reference in section(officer_a, draft.incident)
    assert draft.reference not in section(reviewer, draft.incident)


def test_the_section_takes_a_fixed_number_of_queries(officer_a, reviewer,
                                                     django_assert_num_queries):
    incident = investigating(officer_a, reviewer, at=NOW - timedelta(days=5))
    with django_assert_num_queries(3):
        section(officer_a, incident)
    for n in range(4):
        file_report_at(officer_a, incident, "status", at=NOW - timedelta(days=4 - n))
    with django_assert_num_queries(3):
        section(officer_a, incident)


def test_an_officer_files_the_written_report_from_the_page(signed_in, officer_a, case):
    client = signed_in(officer_a)
    assert client.get(f"/reports/incident/{case.pk}/written/").status_code == 200
    response = client.post(f"/reports/incident/{case.pk}/written/", WRITTEN_FORM)
    report = Report.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/reports/{report.pk}/"
    assert report.state == ReportState.SUBMITTED
    page = client.get(response["Location"]).content.decode()
    assert report.versions.get().sha256 in page


def test_an_incomplete_filing_shows_the_errors_next_to_the_fields(signed_in, officer_a, case):
    response = signed_in(officer_a).post(f"/reports/incident/{case.pk}/written/",
                                         {**WRITTEN_FORM, "investigative_procedure": ""})
    assert response.status_code == 400
    assert "Fill in the" in response.content.decode()
    assert not Report.objects.filter(state="submitted").exists()


def test_an_officer_saves_a_draft_then_files_it(signed_in, officer_a, case):
    client = signed_in(officer_a)
    client.post(f"/reports/incident/{case.pk}/written/",
                {"circumstances": "Start.", "save_draft": ""})
    report = Report.objects.get()
    assert report.state == ReportState.DRAFT
    # The "file" link now leads to the open draft.
    assert client.get(f"/reports/incident/{case.pk}/written/")["Location"] == \
        f"/reports/{report.pk}/edit/"
    response = client.post(f"/reports/{report.pk}/edit/", WRITTEN_FORM)
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED


def test_a_filed_report_is_not_edited_from_the_page(signed_in, officer_a, filed):
    response = signed_in(officer_a).post(f"/reports/{filed.pk}/edit/",
                                         {**WRITTEN_FORM, "circumstances": "Changed."})
    assert response.status_code == 409 and "has been filed" in response.content.decode()
    filed.refresh_from_db()
    assert filed.circumstances != "Changed." and filed.current_version == 1


def test_the_reviewer_returns_then_accepts_from_the_page(signed_in, officer_a, reviewer,
                                                        case, filed):
    client = signed_in(reviewer)
    page = client.get(f"/reports/{filed.pk}/").content.decode()
    assert 'data-testid="accept-form"' in page and 'data-testid="return-form"' in page
    empty = client.post(f"/reports/{filed.pk}/return/", {"comment": ""})
    assert empty.status_code == 400
    returned = client.post(f"/reports/{filed.pk}/return/", {
        "comment": "Name the firmware.", "resubmission_due_on": "2026-06-12"})
    assert returned.status_code == 302
    filed.refresh_from_db()
    review = filed.reviews.get()
    assert filed.state == ReportState.RETURNED
    # By the end of that day in the provider's zone (America/New_York, UTC-4 in June).
    assert review.resubmission_due_at.isoformat() == "2026-06-13T03:59:59+00:00"

    officer = signed_in(officer_a)
    assert "Name the firmware." in officer.get(f"/reports/{filed.pk}/").content.decode()
    officer.post(f"/reports/{filed.pk}/edit/", {**WRITTEN_FORM, "circumstances": "Fw 4.2."})
    filed.refresh_from_db()
    assert filed.current_version == 2 and filed.state == ReportState.SUBMITTED

    client = signed_in(reviewer)
    assert client.post(f"/reports/{filed.pk}/accept/", {"comment": ""}).status_code == 302
    case.refresh_from_db()
    assert case.status == "investigating"


def test_the_page_refuses_to_return_a_report_on_a_closed_case_and_says_why(
        signed_in, officer_a, reviewer):
    incident = investigating(officer_a, reviewer, at=NOW - timedelta(days=3))
    status, _ = file_report_at(officer_a, incident, "status", at=NOW - timedelta(days=2))
    final, _ = file_report_at(officer_a, incident, "final", at=NOW - timedelta(days=1))
    client = signed_in(reviewer)
    assert client.post(f"/reports/{final.pk}/accept/", {"comment": ""}).status_code == 302
    owed = Obligation.objects.provider_duties().filter(incident_id=incident.pk,
                                                       state__in=["open", "missed"])
    page = client.get(f"/reports/{status.pk}/").content.decode()
    assert 'data-testid="accept-form"' in page and 'data-testid="no-return"' in page
    assert 'data-testid="return-form"' not in page  # not offered on a closed case

    response = client.post(f"/reports/{status.pk}/return/", {"comment": "Say more."},
                           follow=True)

    assert response.redirect_chain == [(f"/reports/{status.pk}/", 302)]
    assert "The case is closed" in response.content.decode()
    status.refresh_from_db()
    assert status.state == ReportState.SUBMITTED and not status.reviews.exists()
    assert not owed.exists()


def test_the_incident_page_includes_the_reports_section(signed_in, officer_a, case, filed):
    page = signed_in(officer_a).get(f"/incidents/{case.pk}/").content.decode()
    assert 'data-testid="reports"' in page and filed.reference in page


def test_the_case_timeline_shows_usps_the_filing_but_not_the_drafting(signed_in, officer_a,
                                                                      reviewer, case):
    from reports import services

    report = services.create_report_draft(actor=officer_a, incident=case, kind="written",
                                          circumstances="First notes.")
    services.update_report_draft(actor=officer_a, report=report,
                                 investigative_procedure="Bench replay.")
    provider_page = signed_in(officer_a).get(f"/incidents/{case.pk}/").content.decode()
    assert "Report draft created" in provider_page and "Report draft updated" in provider_page

    usps_page = signed_in(reviewer).get(f"/incidents/{case.pk}/").content.decode()
    assert "Report draft" not in usps_page and report.reference not in usps_page


# --- isolation ---------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client, case, filed):
    for path in (f"/reports/{filed.pk}/", f"/reports/{filed.pk}/edit/",
                 f"/reports/incident/{case.pk}/written/"):
        response = client.get(path)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    for path in (f"/reports/{filed.pk}/accept/", f"/reports/{filed.pk}/return/"):
        response = client.post(path, {"comment": "x"})
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_another_providers_officer_gets_404_on_every_page(signed_in, officer_b, case, filed,
                                                          draft):
    client = signed_in(officer_b)
    assert client.get(f"/reports/incident/{case.pk}/written/").status_code == 404
    assert client.post(f"/reports/incident/{case.pk}/written/", WRITTEN_FORM).status_code \
        == 404
    for report in (filed, draft):
        assert client.get(f"/reports/{report.pk}/").status_code == 404
        assert client.get(f"/reports/{report.pk}/edit/").status_code == 404
        assert client.post(f"/reports/{report.pk}/accept/", {}).status_code == 404
        assert client.post(f"/reports/{report.pk}/return/", {"comment": "x"}).status_code \
            == 404


def test_the_reviewer_gets_404_on_drafts(signed_in, reviewer, draft):
    client = signed_in(reviewer)
    assert client.get(f"/reports/{draft.pk}/").status_code == 404
    assert client.post(f"/reports/{draft.pk}/accept/", {}).status_code == 404


def test_viewers_and_usps_get_403_on_the_wrong_writes(signed_in, viewer_a, officer_a,
                                                      reviewer, case, filed, draft):
    viewer = signed_in(viewer_a)
    assert viewer.get(f"/reports/{draft.pk}/").status_code == 200
    assert viewer.get(f"/reports/incident/{case.pk}/written/").status_code == 403
    assert viewer.post(f"/reports/{draft.pk}/edit/", WRITTEN_FORM).status_code == 403
    assert viewer.post(f"/reports/{filed.pk}/accept/", {}).status_code == 403
    officer = signed_in(officer_a)
    assert officer.post(f"/reports/{filed.pk}/accept/", {}).status_code == 403
    assert officer.post(f"/reports/{filed.pk}/return/", {"comment": "x"}).status_code == 403
    usps = signed_in(reviewer)
    assert usps.get(f"/reports/incident/{case.pk}/written/").status_code == 403
    assert usps.get(f"/reports/{filed.pk}/edit/").status_code == 403
    filed.refresh_from_db()
    assert filed.state == ReportState.SUBMITTED


def test_the_detail_page_takes_a_fixed_number_of_queries(signed_in, officer_a, reviewer,
                                                         django_assert_max_num_queries):
    incident = case_under_review(officer_a, at=NOW - timedelta(days=3))
    report, _ = file_report_at(officer_a, incident, "written", at=NOW - timedelta(days=2))
    client = signed_in(reviewer)
    with django_assert_max_num_queries(12) as one:
        client.get(f"/reports/{report.pk}/")
    for n in range(3):
        with time_machine.travel(NOW - timedelta(days=2) + timedelta(hours=n + 1), tick=False):
            from reports import services
            services.return_report(actor=reviewer, report=report, comment=f"Fix {n}.")
        file_report_at(officer_a, incident, "written", at=NOW - timedelta(days=1, hours=-n),
                       circumstances=f"Version {n + 2}.")
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert client.get(f"/reports/{report.pk}/").status_code == 200


def test_the_same_report_page_sent_twice_files_one_report(signed_in, officer_a, reviewer):
    import re
    from datetime import timedelta as span

    from notifications.models import OutboundEmail
    from tests.reports.factories import STATUS

    incident = investigating(officer_a, reviewer)
    client = signed_in(officer_a)
    url = f"/reports/incident/{incident.pk}/status/"
    with time_machine.travel(NOW + span(days=2), tick=False):
        page = client.get(url).content.decode()
    key = re.search(r'name="submission_key" value="([^"]+)"', page).group(1)
    body = {"progress": STATUS["progress"], "submission_key": key,
            "anticipated_completion_date": STATUS["anticipated_completion_date"].isoformat()}

    with time_machine.travel(NOW + span(days=2), tick=False):
        first = client.post(url, body)
        emails = OutboundEmail.objects.count()
    with time_machine.travel(NOW + span(days=2, seconds=1), tick=False):
        second = client.post(url, body)  # a double click, or the browser's retry

    [report] = Report.objects.filter(incident=incident, kind="status")
    assert first["Location"] == second["Location"] == f"/reports/{report.pk}/"
    duties = Obligation.objects.filter(incident_id=incident.pk, kind="status_report")
    assert [d.state for d in duties.order_by("id")] == ["met", "open"]
    assert OutboundEmail.objects.count() == emails


def test_report_pages_sent_without_a_key_each_file_their_report(signed_in, officer_a,
                                                                reviewer):
    """A page served before the key existed sends none: each files, as before."""
    from datetime import timedelta as span

    from tests.reports.factories import STATUS

    incident = investigating(officer_a, reviewer)
    client = signed_in(officer_a)
    url = f"/reports/incident/{incident.pk}/status/"
    body = {"progress": STATUS["progress"],
            "anticipated_completion_date": STATUS["anticipated_completion_date"].isoformat()}

    with time_machine.travel(NOW + span(days=2), tick=False):
        first = client.post(url, body)
    with time_machine.travel(NOW + span(days=2, hours=1), tick=False):
        second = client.post(url, {**body, "progress": "More progress."})

    assert (first.status_code, second.status_code) == (302, 302)
    assert first["Location"] != second["Location"]
    assert Report.objects.filter(incident=incident, kind="status").count() == 2


@pytest.mark.parametrize("decision", ["accept", "return"])
def test_a_decision_from_a_page_showing_an_older_version_is_refused(client, officer_a,
                                                                   reviewer, decision):
    """The reviewer reads version 1; meanwhile a colleague returns it and the provider
    files version 2. Accept (or return) sent from the page still showing version 1 does
    not decide version 2, unread: refused, nothing decided."""
    import re

    from reports import services
    from tests import factories

    colleague = factories.ReviewerFactory(username="colleague")
    case = case_under_review(officer_a, at=NOW - timedelta(days=2))
    report, _ = file_report_at(officer_a, case, "written", at=NOW - timedelta(days=1))
    with time_machine.travel(NOW, tick=False):
        client.force_login(reviewer)
        page = client.get(f"/reports/{report.pk}/").content.decode()
        form = page[page.index(f'data-testid="{decision}-form"'):]
        read = re.search(r'name="version" value="(\d+)"', form).group(1)
        assert read == "1"
        services.return_report(actor=colleague, report=report, comment="Name the firmware.")
        services.submit_report(actor=officer_a, report=report,
                               circumstances="Something else, unseen by the reviewer.")
        reviews = report.reviews.count()

        response = client.post(f"/reports/{report.pk}/{decision}/",
                               {"comment": "Looks complete.", "version": read}, follow=True)

    report.refresh_from_db()
    assert (report.state, report.current_version) == (ReportState.SUBMITTED, 2)
    assert report.reviews.count() == reviews
    assert "Version 2 of" in response.content.decode()


def test_the_api_refuses_a_decision_on_a_version_other_than_the_one_read(
        api_for, officer_a, reviewer):
    case = case_under_review(officer_a, at=NOW - timedelta(days=2))
    report, _ = file_report_at(officer_a, case, "written", at=NOW - timedelta(days=1))

    stale = api_for(reviewer).post(f"/api/v1/reports/{report.pk}/accept/", {"version": 2},
                                   format="json")
    report.refresh_from_db()
    assert stale.status_code == 409 and report.state == ReportState.SUBMITTED
    assert api_for(reviewer).post(f"/api/v1/reports/{report.pk}/accept/", {"version": 1},
                                  format="json").status_code == 200


def test_a_draft_a_colleague_filed_meanwhile_comes_back_with_what_was_typed(client,
                                                                             officer_a):
    from tests import factories

    colleague = factories.OfficerFactory(username="colleague", provider=officer_a.provider)
    with time_machine.travel(NOW, tick=False):
        case = case_under_review(officer_a, at=NOW - timedelta(hours=2))
        draft, _ = file_report_at(officer_a, case, "written", at=NOW - timedelta(hours=1),
                                  draft=True)
        client.force_login(colleague)
        assert client.get(f"/reports/{draft.pk}/edit/").status_code == 200
        file_report_at(officer_a, case, "written", at=NOW)  # files the draft
        filed = Report.objects.get(pk=draft.pk)

        response = client.post(f"/reports/{draft.pk}/edit/", {
            "circumstances": "My own account of the circumstances, typed for an hour.",
            "investigative_procedure": "My procedure.",
            "anticipated_completion_date": "2026-09-30", "file": ""})

    page = response.content.decode()
    assert response.status_code == 409
    assert "typed for an hour" in page and "has been filed" in page
    assert 'data-testid="file-report"' not in page
    after = Report.objects.get(pk=draft.pk)
    assert (after.current_version, after.circumstances) == (filed.current_version,
                                                            filed.circumstances)


def test_a_report_a_colleague_filed_while_the_new_report_page_was_open_keeps_what_was_typed(
        signed_in, officer_a):
    typed = "Meter M-7 accepted a forged reset; the officer typed this for twenty minutes."
    with time_machine.travel(NOW, tick=False):
        case = case_under_review(officer_a, at=NOW - timedelta(hours=3))
        client = signed_in(officer_a)
        assert client.get(f"/reports/incident/{case.pk}/written/").status_code == 200
        filed, _ = file_report_at(officer_a, case, "written", at=NOW - timedelta(minutes=5))

        response = client.post(f"/reports/incident/{case.pk}/written/", {
            "circumstances": typed, "investigative_procedure": "Replay the reset.",
            "anticipated_completion_date": "2026-09-30", "file": "",
            "submission_key": "page-key-stale"})
        again = client.get(f"/reports/incident/{case.pk}/written/")

    page = response.content.decode()
    assert response.status_code == 409 and typed in page and "awaits USPS review" in page
    assert 'data-testid="file-report"' not in page
    assert Report.objects.filter(incident=case, kind="written").count() == 1
    # Opened again, the page says the report is filed rather than offer a blank one.
    assert again.status_code == 302 and again["Location"] == f"/reports/{filed.pk}/"


@pytest.mark.parametrize("returned", [False, True], ids=["a draft", "a correction"])
def test_filing_from_the_edit_page_pressed_twice_files_once_and_says_so(
        signed_in, officer_a, reviewer, returned):
    import re

    from reports import services
    from tests.factories import committed

    with time_machine.travel(NOW, tick=False):
        case = case_under_review(officer_a, at=NOW - timedelta(hours=3))
        if returned:
            report, _ = file_report_at(officer_a, case, "written",
                                       at=NOW - timedelta(hours=2), circumstances="First.")
            with committed():
                services.return_report(actor=reviewer, report=report, comment="Say more.")
        else:
            report, _ = file_report_at(officer_a, case, "written", at=NOW - timedelta(hours=1),
                                       draft=True, circumstances="Half done.",
                                       investigative_procedure="",
                                       anticipated_completion_date=None)
        client = signed_in(officer_a)
        url = f"/reports/{report.pk}/edit/"
        key = re.search(r'name="submission_key" value="([^"]+)"',
                        client.get(url).content.decode()).group(1)
        form = {"circumstances": "Meter M-1 accepted a forged reset on 2026-06-09.",
                "investigative_procedure": "Replay the reset on the bench.",
                "anticipated_completion_date": "2026-09-30", "file": "",
                "submission_key": key}

        first = client.post(url, form)
        versions = report.versions.count()
        again = client.post(url, form, follow=True)

    assert first.status_code == 302 and report.versions.count() == versions
    page = again.content.decode()
    assert "This form was already sent" in page and "not filed" not in page


def correction_line(client, report, at):
    """What the report's page says of the correction its return asked for."""
    import re

    with time_machine.travel(at, tick=False):
        page = client.get(f"/reports/{report.pk}/").content.decode()
    return re.search(r'<p data-testid="resubmission-due">(.*?)</p>', page, re.S)[1]


def test_a_correction_usps_no_longer_asks_for_is_not_said_to_be_due(client, officer_a,
                                                                    reviewer):
    """The case closed by USPS (or the correction waived): no due time is named, as the
    e-mail about the same return says."""
    from reports import services
    from tests.factories import committed

    day = timedelta(days=1)
    incident = case_under_review(officer_a, at=NOW - 3 * day)
    report, _ = file_report_at(officer_a, incident, "written", at=NOW - 2 * day)
    with time_machine.travel(NOW - day, tick=False), committed():
        services.return_report(actor=reviewer, report=report, comment="Name the firmware.",
                               resubmission_due_at=NOW + 5 * day)
    client.force_login(officer_a)
    assert correction_line(client, report, NOW).startswith("Corrected version due")

    with time_machine.travel(NOW, tick=False), committed():
        services.close_case(actor=reviewer, incident=incident,
                            reason="A duplicate of PES-2026-00009.")

    line = correction_line(client, report, NOW + day)
    assert line.startswith("USPS no longer asks for a corrected version: USPS closed the "
                           "case: A duplicate of PES-2026-00009."), line
    assert "Corrected version due" not in line


def test_a_correction_filed_is_said_to_be_filed(client, officer_a, reviewer):
    from reports import services
    from tests.factories import committed

    day = timedelta(days=1)
    incident = investigating(officer_a, reviewer, interval=7)
    status, _ = file_report_at(officer_a, incident, "status", at=NOW + day)
    with time_machine.travel(NOW + 2 * day, tick=False), committed():
        services.return_report(actor=reviewer, report=status, comment="More detail.")
    file_report_at(officer_a, incident, "status", at=NOW + 3 * day,
                   progress="Replayed on both firmware versions; the check is skipped.")
    client.force_login(officer_a)

    assert correction_line(client, status, NOW + 4 * day).startswith(
        "A corrected version was filed")
