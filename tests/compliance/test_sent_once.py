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
from incidents.models import Attachment
from notifications.models import OutboundEmail
from tests.factories import committed
from tests.incidents.factories import NOW, make_filed

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
