"""Attachments: size limit, content allowlist, random stored names, checked downloads."""

import hashlib
import os

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from compliance.models import AuditEvent
from incidents.models import Attachment

from .factories import NOW, make_draft, make_filed

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 40
EML = b"From: soc@example.com\r\nTo: officer@example.com\r\nSubject: Alert\r\n\r\nBody\r\n"


def url(incident, suffix=""):
    return f"/api/v1/incidents/{incident.pk}/attachments/{suffix}"


def upload(client, incident, name, content):
    return client.post(url(incident), {"file": SimpleUploadedFile(name, content)},
                       format="multipart")


@pytest.fixture
def draft(officer_a):
    return make_draft(officer_a)


@pytest.mark.parametrize(("name", "content", "content_type"), [
    ("report.pdf", PDF, "application/pdf"),
    ("screen.png", PNG, "image/png"),
    ("photo.JPG", JPEG, "image/jpeg"),
    ("notes.txt", "Zähler gestört\n".encode(), "text/plain"),
    ("serials.csv", b"serial,firmware\nA1,4.2\n", "text/csv"),
    ("alert.eml", EML, "message/rfc822"),
])
def test_it_accepts_the_allowed_kinds(officer_a, draft, api_for, name, content, content_type):
    response = upload(api_for(officer_a), draft, name, content)

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["name"] == name
    assert body["size"] == len(content)
    assert body["sha256"] == hashlib.sha256(content).hexdigest()
    assert Attachment.objects.get().content_type == content_type


@pytest.mark.parametrize(("name", "content"), [
    ("invoice.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 50),  # a Windows binary
    ("report.pdf", b"just text pretending\n"),  # named PDF, is text
    ("screen.png", PDF),  # PDF content, PNG name
    ("page.html", b"<html><script>alert(1)</script></html>"),
    ("message.eml", b"hello there, not a message\n"),
    ("archive.zip", b"PK\x03\x04" + b"\x00" * 40),
])
def test_it_refuses_other_kinds_on_their_content(officer_a, draft, api_for, name, content):
    response = upload(api_for(officer_a), draft, name, content)

    assert response.status_code == 400
    assert "file" in response.json()
    assert not Attachment.objects.exists()


@override_settings(ATTACHMENT_MAX_BYTES=1000)
def test_it_answers_413_above_the_size_limit(officer_a, draft, api_for):
    too_big = upload(api_for(officer_a), draft, "big.txt", b"a" * 1001)
    just_right = upload(api_for(officer_a), draft, "ok.txt", b"a" * 1000)

    assert too_big.status_code == 413
    assert "at most 1,000 bytes" in too_big.json()["detail"]
    assert just_right.status_code == 201
    assert Attachment.objects.count() == 1


def test_it_defaults_the_limit_to_25_megabytes(settings):
    from compliance.uploads import max_upload_bytes

    assert settings.ATTACHMENT_MAX_BYTES == 25 * 1024 * 1024
    del settings.ATTACHMENT_MAX_BYTES
    assert max_upload_bytes() == 25 * 1024 * 1024


def test_it_stores_the_file_under_a_random_name(officer_a, draft, api_for):
    upload(api_for(officer_a), draft, "../../etc/passwd.txt", b"root\n")
    attachment = Attachment.objects.get()

    assert attachment.name == "passwd.txt"
    stored = os.path.basename(attachment.file.name)
    assert "passwd" not in attachment.file.name and len(stored) == 32
    assert "media" not in upload(api_for(officer_a), draft, "b.txt", b"x\n").json()[
        "download_url"].split("/api/")[0]


def test_it_serves_downloads_as_attachments_to_those_who_may_see_them(
        officer_a, viewer_a, officer_b, reviewer, draft, api_for):
    body = upload(api_for(officer_a), draft, "report.pdf", PDF).json()
    download = body["download_url"]

    response = api_for(viewer_a).get(download)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="report.pdf"' in response["Content-Disposition"]
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF
    assert api_for(officer_b).get(download).status_code == 404
    assert api_for(reviewer).get(download).status_code == 404  # still a draft


def test_it_hides_attachments_from_other_providers(officer_a, officer_b, draft, api_for):
    upload(api_for(officer_a), draft, "a.txt", b"x\n")
    client = api_for(officer_b)

    assert client.get(url(draft)).status_code == 404
    assert upload(client, draft, "b.txt", b"y\n").status_code == 404
    assert Attachment.objects.count() == 1


def test_it_lets_viewers_list_but_not_upload(officer_a, viewer_a, draft, api_for):
    upload(api_for(officer_a), draft, "a.txt", b"x\n")

    assert api_for(viewer_a).get(url(draft)).json()["count"] == 1
    assert upload(api_for(viewer_a), draft, "b.txt", b"y\n").status_code == 403


def test_it_adds_files_after_filing_and_shows_them_in_the_timeline(officer_a, reviewer,
                                                                   api_for):
    filed = make_filed(officer_a)
    with time_machine.travel(NOW, tick=False):
        response = upload(api_for(officer_a), filed, "later.csv", b"a,b\n1,2\n")

    assert response.status_code == 201
    event = AuditEvent.objects.get(action="incident.attachment_added")
    assert event.object_id == str(filed.pk) and event.changes["attachment"][1] == "later.csv"
    assert api_for(reviewer).get(url(filed)).json()["count"] == 1
    page = api_for(reviewer).get(response.json()["download_url"])
    assert page.status_code == 200


@pytest.mark.parametrize("prefix", [b"\r\n", b"\xef\xbb\xbf", b"\xef\xbb\xbf \n"],
                         ids=["newline", "utf8-bom", "bom-and-space"])
def test_a_pdf_after_white_space_or_a_byte_order_mark_is_a_pdf(officer_a, api_for, draft,
                                                             prefix):
    """Readers open a PDF whose header follows a stray newline or a byte-order mark (a
    generating script's); so does the product, whole, as a PDF."""
    content = prefix + PDF
    response = upload(api_for(officer_a), draft, "report.pdf", content)

    assert response.status_code == 201, response.json()
    assert Attachment.objects.get().content_type == "application/pdf"
    assert response.json()["sha256"] == hashlib.sha256(content).hexdigest()


def test_text_before_a_pdf_header_is_not_a_pdf(officer_a, api_for, draft):
    response = upload(api_for(officer_a), draft, "report.pdf", b"hello\n" + PDF)

    assert response.status_code == 400 and "file" in response.json()
    assert not Attachment.objects.exists()


@pytest.mark.parametrize(("name", "text", "content_type"), [
    ("events.txt", "TimeCreated\tId\tMessage\r\n2026-06-10 08:00\t4625\tLogon failure\r\n",
     "text/plain"),
    ("serials.csv", "serial,firmware\r\nA1,4.2\r\n", "text/csv"),
    ("alert.eml", "From: soc@example.com\r\nSubject: Alert\r\n\r\nBody\r\n",
     "message/rfc822"),
], ids=["txt", "csv", "eml"])
def test_utf16_text_as_windows_writes_it_is_text(officer_a, api_for, draft, name, text,
                                                 content_type):
    """PowerShell's `>` and Out-File, Excel's "Unicode Text" and Notepad's "Unicode" write
    UTF-16 with a byte-order mark: text, kept byte for byte."""
    content = text.encode("utf-16")
    response = upload(api_for(officer_a), draft, name, content)

    assert response.status_code == 201, response.json()
    assert Attachment.objects.get().content_type == content_type
    assert response.json()["sha256"] == hashlib.sha256(content).hexdigest()


def test_binary_behind_a_utf16_byte_order_mark_is_not_text(officer_a, api_for, draft):
    """A zip behind those two bytes: its runs of zero bytes read as NUL characters."""
    content = b"\xff\xfe" + b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"\x00" * 40
    response = upload(api_for(officer_a), draft, "events.txt", content)

    assert response.status_code == 400 and "file" in response.json()
    assert not Attachment.objects.exists()
