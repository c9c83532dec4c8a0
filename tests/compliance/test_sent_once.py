"""Forms that act once: each page gives its form a key; the same form sent again (a
double click, a retry after a lost answer) is told it was sent and nothing is done twice,
while a form edited before it is sent again is another sending."""

import re
from datetime import date, timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.models import Invitation
from compliance.models import ProcedureDocument, SentForm, User
from compliance.tasks import forget_sent_forms_task
from incidents.models import Attachment, Incident
from notifications.models import OutboundEmail
from tests.factories import committed
from tests.incidents.factories import NOW, make_filed
from tests.reports.factories import NOW as REPORTS_NOW

pytestmark = pytest.mark.django_db

ALREADY = "This form was already sent"


def key_of(page_html):
    """The key the page gave its form (the first form with one)."""
    return re.search(r'name="submission_key" value="([^"]+)"', page_html).group(1)


def send_twice(client, url, data):
    with committed():
        first = client.post(url, data)
    with committed():
        again = client.post(url, data, follow=True)
    return first, again


def test_an_attachment_sent_twice_is_attached_once(client, settings, tmp_path, officer_a):
    settings.MEDIA_ROOT = tmp_path
    with time_machine.travel(NOW, tick=False):
        incident = make_filed(officer_a)
        client.force_login(officer_a)
        key = key_of(client.get(f"/incidents/{incident.pk}/").content.decode())

        def upload():
            return {"file": SimpleUploadedFile("log.txt", b"sign-in log",
                                               content_type="text/plain"),
                    "submission_key": key}
        with committed():
            first = client.post(f"/incidents/{incident.pk}/attachments/", upload())
        with committed():
            again = client.post(f"/incidents/{incident.pk}/attachments/", upload(), follow=True)

    assert first.status_code == 302 and ALREADY in again.content.decode()
    assert Attachment.objects.filter(incident=incident).count() == 1


def test_procedures_sent_twice_file_one_version(client, settings, tmp_path, officer_a):
    from compliance.services import upload_procedures

    settings.MEDIA_ROOT = tmp_path
    upload_procedures(actor=officer_a, provider=officer_a.provider,
                      uploaded_file=SimpleUploadedFile("p.pdf", b"%PDF-1.4 v1"),
                      effective_date=date(2026, 3, 1))
    client.force_login(officer_a)
    key = key_of(client.get("/procedures/").content.decode())
    for _ in range(2):
        with committed():
            client.post("/procedures/", {
                "file": SimpleUploadedFile("p.pdf", b"%PDF-1.4 procedures v2",
                                           content_type="application/pdf"),
                "effective_date": "2026-03-01", "summary_of_changes": "Named the deputy.",
                "submission_key": key})

    assert ProcedureDocument.objects.filter(provider=officer_a.provider).count() == 2


def test_an_invitation_sent_twice_sends_one_link(client, officer_a):
    client.force_login(officer_a)
    data = {"email": "nina@alpha.example", "first_name": "Nina", "last_name": "New",
            "role": "provider_officer",
            "submission_key": key_of(client.get("/people/invite/").content.decode())}

    first, again = send_twice(client, "/people/invite/", data)

    assert first.status_code == 302 and ALREADY in again.content.decode()
    assert Invitation.objects.filter(email="nina@alpha.example").count() == 1
    assert OutboundEmail.objects.filter(template="invitation").count() == 1


STRONG = "violet-harbour-lantern-42"


def accept(path, username):
    return Client().post(path, {"username": username, "first_name": "Nina",
                                "last_name": "New", "timezone": "America/Chicago",
                                "password1": STRONG, "password2": STRONG})


def test_inviting_an_address_again_replaces_its_link_and_one_address_makes_one_account(
        client, officer_a):
    """An invitation sent again on purpose (the first e-mail lost) withdraws the first
    link; and once one link made the account, any other is spent with it."""
    from accounts import services

    _, first = services.invite_user(actor=officer_a, email="Nina@alpha.example",
                                    role="provider_viewer", provider_id=officer_a.provider_id)
    _, second = services.invite_user(actor=officer_a, email="nina@alpha.example",
                                     role="provider_officer",
                                     provider_id=officer_a.provider_id)
    path = lambda link: link.split("://", 1)[1].split("/", 1)[1]  # noqa: E731

    spent = accept("/" + path(first), "nina")
    made = accept("/" + path(second), "nina")

    assert spent.status_code == 410 and made.status_code == 302
    assert list(User.objects.filter(email="nina@alpha.example")
                .values_list("username", "role")) == [("nina", "provider_officer")]
    assert Invitation.objects.filter(email="nina@alpha.example",
                                     revoked_at__isnull=False).count() == 1


def test_a_refused_form_leaves_its_key_for_the_corrected_one(client, officer_a):
    client.force_login(officer_a)
    data = {"email": "nina@alpha.example", "first_name": "Nina", "last_name": "New",
            "role": "usps_manager",
            "submission_key": key_of(client.get("/people/invite/").content.decode())}

    refused = client.post("/people/invite/", data)
    assert refused.status_code == 200 and not Invitation.objects.exists()
    assert not SentForm.objects.exists()


def test_the_keys_of_forms_sent_a_week_ago_are_forgotten(officer_a):
    with time_machine.travel(NOW - timedelta(days=8), tick=False):
        SentForm.objects.create(user=officer_a, key="old:1", sent_at=NOW - timedelta(days=8))
    SentForm.objects.create(user=officer_a, key="new:1", sent_at=NOW)

    with time_machine.travel(NOW, tick=False):
        assert forget_sent_forms_task() == 1
    assert list(SentForm.objects.values_list("key", flat=True)) == ["new:1"]


# A form edited after going back (another text) is another sending.

@time_machine.travel(REPORTS_NOW, tick=False)
def test_a_report_page_sent_again_with_other_text_is_not_told_it_was_sent(signed_in,
                                                                        officer_a):
    from tests.reports.factories import case_under_review

    NOW = REPORTS_NOW

    case = case_under_review(officer_a, at=NOW - timedelta(hours=3))
    client = signed_in(officer_a)
    create = f"/reports/incident/{case.pk}/written/"
    with committed():
        client.post(create, {"circumstances": "Half done.", "investigative_procedure": "",
                             "anticipated_completion_date": "", "save_draft": ""})
    report = case.reports.get()
    url = f"/reports/{report.pk}/edit/"
    key = re.search(r'name="submission_key" value="([^"]+)"',
                    client.get(url).content.decode()).group(1)
    form = {"circumstances": "Meter M-1 accepted a forged reset on 2026-06-09.",
            "investigative_procedure": "Replay the reset on the bench.",
            "anticipated_completion_date": "2026-09-30", "file": "", "submission_key": key}
    with committed():
        first = client.post(url, form)
    assert first.status_code == 302 and report.versions.count() == 1

    # Back, a typo fixed, pressed again.
    edited = {**form, "investigative_procedure": "Replay the reset on the CMRS bench."}
    with committed():
        again = client.post(url, edited, follow=True)

    page = again.content.decode()
    # Filed meanwhile, by the first press: the edited text comes back, not filed.
    assert "This form was already sent" not in page
    assert "Replay the reset on the CMRS bench." in page


def test_a_discovery_sent_again_with_other_text_is_not_led_to_the_first_draft(signed_in,
                                                                            officer_a):
    from tests import factories
    from tests.incidents.test_draft_edit_form import form_values

    model = factories.PESModelFactory(provider=officer_a.provider)
    client = signed_in(officer_a)
    data = {**form_values(client.get("/incidents/new/").content.decode()),
            "category": "security_weakness", "subtype": "equipment_defect",
            "title": "Meter accepts forged resets", "description": "Details.",
            "discovery_timezone": "America/New_York", "discovered_at": "2026-06-10T07:30",
            "discovered_by_name": "Dana", "pes_models": [model.pk]}
    with committed():
        client.post("/incidents/new/", data)
    # Back: it was another meter, another weakness; the title and text changed.
    with committed():
        again = client.post("/incidents/new/", {
            **data, "title": "PC Postage accepts replayed tokens",
            "description": "Another weakness altogether."}, follow=True)

    page = again.content.decode()
    assert "This form was already sent" not in page
    assert sorted(Incident.objects.values_list("title", flat=True)) == [
        "Meter accepts forged resets", "PC Postage accepts replayed tokens"]


def test_api_draft_keys_claimed_before_keys_were_kept_are_kept(officer_a):
    """The migration that keeps API keys keeps those already claimed, and no page's."""
    import importlib

    from django.apps import apps

    from compliance.sent_once import first_sending

    migration = importlib.import_module("compliance.migrations.0023_keep_api_draft_keys")
    first_sending(officer_a, "ticket-1", "api:draft")
    first_sending(officer_a, "page-key", "discovery", {"title": "x"})

    migration.keep_api_draft_keys(apps, None)

    kept = {key.split(":")[0]: kept for key, kept in SentForm.objects.values_list("key",
                                                                             "kept")}
    assert kept == {"ticket-1": True, "page-key": False}
