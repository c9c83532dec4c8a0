"""Uploads are refused early: an oversized `Content-Length` before the body is read, a
body that runs past the limit as soon as it does; for attachments and procedures, by API
and by page alike, leaving nothing stored and nothing on disk."""

import io
import os

import pytest
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from compliance.models import ProcedureDocument
from incidents.models import Attachment
from tests.incidents.factories import make_draft

LIMIT = 100_000


class CountingInput(io.BytesIO):
    """A request body that remembers how much of it was read."""

    def __init__(self, data):
        super().__init__(data)
        self.bytes_read = 0

    def read(self, size=-1):
        chunk = super().read(size)
        self.bytes_read += len(chunk)
        return chunk

    def readline(self, size=-1):
        line = super().readline(size)
        self.bytes_read += len(line)
        return line


@pytest.fixture
def small_limit(settings, tmp_path):
    settings.ATTACHMENT_MAX_BYTES = LIMIT
    # Every upload goes to a temporary file, in a folder of the test's own.
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    return tmp_path


@pytest.fixture
def draft(officer_a):
    return make_draft(officer_a)


def _targets(draft):
    """(path, extra form fields) of every upload: attachments and procedures, API and page."""
    return [
        (f"/api/v1/incidents/{draft.pk}/attachments/", {}),
        (f"/incidents/{draft.pk}/attachments/", {}),
        ("/api/v1/procedures/", {"effective_date": "2026-03-01"}),
        ("/procedures/", {"effective_date": "2026-03-01"}),
    ]


def _post(client, path, fields, file_bytes, content_length=None):
    body = encode_multipart(BOUNDARY, {**fields, "file": _named(file_bytes)})
    stream = CountingInput(body)
    response = client.generic("POST", path, **{
        "wsgi.input": stream, "CONTENT_TYPE": MULTIPART_CONTENT,
        "CONTENT_LENGTH": str(content_length or len(body))})
    return response, stream, len(body)


def _named(data):
    file = io.BytesIO(data)
    file.name = "notes.txt"
    return file


def _nothing_stored(tmp_path):
    return (not Attachment.objects.exists() and not ProcedureDocument.objects.exists()
            and not os.listdir(tmp_path))


def test_it_refuses_an_oversized_content_length_before_reading_the_body(
        client, officer_a, draft, small_limit):
    client.force_login(officer_a)
    for path, fields in _targets(draft):
        response, stream, _ = _post(client, path, fields, b"a" * 10,
                                    content_length=300 * 1024 * 1024)

        assert response.status_code == 413, path
        assert stream.bytes_read == 0, path
    assert _nothing_stored(small_limit)


def test_it_answers_the_api_with_the_413_body_the_schema_documents(
        client, officer_a, draft, small_limit):
    client.force_login(officer_a)
    response, _, _ = _post(client, f"/api/v1/incidents/{draft.pk}/attachments/", {},
                           b"a" * 10, content_length=300 * 1024 * 1024)

    assert set(response.json()) == {"detail"}
    assert f"at most {LIMIT:,} bytes" in response.json()["detail"]


def test_it_cuts_off_a_body_as_soon_as_its_files_pass_the_limit(
        client, officer_a, draft, small_limit):
    client.force_login(officer_a)
    for path, fields in _targets(draft):
        response, stream, length = _post(client, path, fields, b"a" * (3 * LIMIT))

        assert response.status_code == 413, path
        # It stopped within a chunk or two of the limit, far from the end of the body.
        assert stream.bytes_read < LIMIT + 64 * 1024 < length, path
    assert _nothing_stored(small_limit)


def test_it_still_takes_a_file_at_the_limit(client, officer_a, draft, small_limit):
    client.force_login(officer_a)

    response, _, _ = _post(client, f"/api/v1/incidents/{draft.pk}/attachments/", {},
                           b"a" * LIMIT)

    assert response.status_code == 201
    assert Attachment.objects.get().size == LIMIT
