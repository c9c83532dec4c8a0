"""A report's edit page sent after a colleague changed the report: it posts every field as
it showed them, so filing or saving it would undo the colleague's change unseen. It is
refused (409), nothing filed, what was typed kept; the same page sent twice is not."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from reports import services
from reports.models import Report, ReportState
from tests import factories
from tests.factories import committed
from tests.reports.factories import NOW, WRITTEN, case_under_review, file_report_at

pytestmark = pytest.mark.django_db


def page_of(client, report, at=None):
    """The report's edit page as `client`'s user fills it: what it posts besides the
    fields typed (its submission key and the state it was filled from)."""
    with time_machine.travel(at or timezone.now(), tick=False):
        page = client.get(f"/reports/{report.pk}/edit/").content.decode()
    return {name: re.search(rf'name="{name}" value="([^"]+)"', page)[1]
            for name in ("submission_key", "based_on")}


def sent(client, report, page, button, at=None, **typed):
    """The page sent with the button pressed: the written report's fields as typed."""
    body = {"circumstances": WRITTEN["circumstances"],
            "investigative_procedure": "Replay on the bench, firmware 4.2 and 4.3.",
            "anticipated_completion_date": WRITTEN["anticipated_completion_date"].isoformat(),
            **typed, **page, button: ""}
    with time_machine.travel(at or timezone.now(), tick=False):
        return client.post(f"/reports/{report.pk}/edit/", body)


def test_a_correction_from_a_page_filled_before_a_colleagues_version_is_refused(
        client, officer_a, reviewer):
    colleague = factories.OfficerFactory(username="colleague", provider=officer_a.provider)
    case = case_under_review(officer_a, at=NOW - timedelta(days=3))
    report, _ = file_report_at(officer_a, case, "written", at=NOW - timedelta(days=2))
    with time_machine.travel(NOW - timedelta(days=2, hours=-1), tick=False), \
            factories.committed():
        services.return_report(actor=reviewer, report=report, comment="Name the firmware.")

    client.force_login(colleague)
    page = page_of(client, report, at=NOW - timedelta(days=1))

    # Officer A corrects the circumstances (version 2); USPS returns that too.
    file_report_at(officer_a, case, "written", at=NOW - timedelta(hours=20),
                   circumstances="A forged reset was accepted by Meter M-1, firmware 4.2.")
    with time_machine.travel(NOW - timedelta(hours=10), tick=False), factories.committed():
        services.return_report(actor=reviewer, report=report,
                               comment="Now say how the replay will be run.")

    # The colleague's page, filled from version 1, is sent: it still shows version 1's
    # circumstances, and changes only the procedure.
    response = sent(client, report, page, "file", at=NOW)

    report = Report.objects.get(pk=report.pk)
    # Refused, nothing filed; version 2's correction stands, and what was typed comes back.
    assert response.status_code == 409
    assert "changed since this page was filled" in response.content.decode()
    assert "firmware 4.2 and 4.3" in response.content.decode()
    assert (report.current_version, report.state) == (2, ReportState.RETURNED)
    assert report.circumstances.endswith("firmware 4.2.")


def test_a_draft_filed_from_a_page_filled_before_a_colleagues_save_is_refused(
        client, officer_a):
    """The same with a draft: B's edit page was filled before A saved the draft; B's
    filing posts the draft's old circumstances back and files them as version 1, undoing
    A's saved change unseen (the incident's draft page refuses this with `based_on`)."""
    colleague = factories.OfficerFactory(username="colleague", provider=officer_a.provider)
    case = case_under_review(officer_a, at=NOW - timedelta(days=3))
    draft, _ = file_report_at(officer_a, case, "written", at=NOW - timedelta(days=2),
                              draft=True)
    client.force_login(colleague)
    page = page_of(client, draft, at=NOW - timedelta(days=1))
    with time_machine.travel(NOW - timedelta(hours=5), tick=False), factories.committed():
        services.update_report_draft(
            actor=officer_a, report=draft,
            circumstances="A forged reset was accepted by Meter M-1, firmware 4.2 only.")

    response = sent(client, draft, page, "file", at=NOW)

    report = Report.objects.get(pk=draft.pk)
    assert response.status_code == 409
    assert (report.current_version, report.state) == (0, ReportState.DRAFT)
    assert report.circumstances.endswith("firmware 4.2 only.")


def test_a_draft_page_saved_twice_is_saved_once_and_not_refused(client, officer_a):
    case = case_under_review(officer_a, at=NOW - timedelta(days=3))
    draft, _ = file_report_at(officer_a, case, "written", at=NOW - timedelta(days=2),
                              draft=True)
    client.force_login(officer_a)
    page = page_of(client, draft)

    first = sent(client, draft, page, "save_draft", circumstances="Seen on Meter M-1 and M-2.")
    again = sent(client, draft, page, "save_draft", circumstances="Seen on Meter M-1 and M-2.")

    assert (first.status_code, again.status_code) == (302, 302)
    assert Report.objects.get(pk=draft.pk).circumstances == "Seen on Meter M-1 and M-2."


def test_the_new_report_page_does_not_correct_a_return_its_author_never_read(
        signed_in, officer_a, reviewer):
    """Opened while no written report existed; a colleague filed one and USPS returned it
    before the page was sent."""
    typed = "My own account of the circumstances, typed before anything was filed."
    with time_machine.travel(NOW, tick=False):
        case = case_under_review(officer_a, at=NOW - timedelta(hours=3))
        client = signed_in(officer_a)
        # The page is opened while no written report exists.
        assert client.get(f"/reports/incident/{case.pk}/written/").status_code == 200
    # Meanwhile a colleague files the written report, and USPS returns it.
    filed, _ = file_report_at(officer_a, case, "written", at=NOW + timedelta(minutes=5))
    with time_machine.travel(NOW + timedelta(minutes=10), tick=False), committed():
        services.return_report(actor=reviewer, report=filed,
                               comment="Name the firmware versions affected.")

    with time_machine.travel(NOW + timedelta(minutes=20), tick=False):
        response = client.post(f"/reports/incident/{case.pk}/written/", {
            "circumstances": typed, "investigative_procedure": "Replay the reset.",
            "anticipated_completion_date": "2026-09-30", "file": "",
            "submission_key": "page-opened-before-the-filing"})

    report = Report.objects.get(pk=filed.pk)
    # Refused with what was typed: the return waits for a correction by someone who read it.
    assert (response.status_code, report.state, report.current_version) == (
        409, ReportState.RETURNED, 1)
    page = response.content.decode()
    assert f"USPS returned {report.reference} since this page was opened" in page
    assert typed in page
    assert Report.objects.filter(incident=case).count() == 1


def test_the_new_status_report_page_does_not_become_the_correction_of_another(
        signed_in, officer_a, reviewer):
    """The officer opens "File the status report" for the period's report; meanwhile USPS
    returns the previous one. Sent, the page's new report is filed as the previous one's
    version 2: it meets the correction duty, and the period's status report stays owed."""
    from compliance.models import Obligation, ObligationKind
    from tests.reports.factories import investigating

    incident = investigating(officer_a, reviewer)
    first, _ = file_report_at(officer_a, incident, "status", at=NOW + timedelta(days=1))
    client = signed_in(officer_a)
    with time_machine.travel(NOW + timedelta(days=3), tick=False):
        assert client.get(f"/reports/incident/{incident.pk}/status/").status_code == 200
    with time_machine.travel(NOW + timedelta(days=3, hours=1), tick=False), committed():
        services.return_report(actor=reviewer, report=first, comment="Say what was replayed.")
    with time_machine.travel(NOW + timedelta(days=3, hours=2), tick=False):
        response = client.post(f"/reports/incident/{incident.pk}/status/", {
            "progress": "This period: the firmware fix is in test.",
            "anticipated_completion_date": "2026-09-30", "file": "",
            "submission_key": "new-status-page"})

    first.refresh_from_db()
    regular = Obligation.objects.filter(incident_id=incident.pk,
                                        kind=ObligationKind.STATUS_REPORT).order_by("id")
    # Refused: SR1 still returned at version 1, and the period's own duty still owed to
    # a filing of its own.
    assert (response.status_code, first.current_version) == (409, 1), (
        response.status_code, first.current_version, [(o.subject, o.state) for o in regular])
