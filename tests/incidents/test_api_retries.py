"""A provider's tooling retries a POST after a lost answer, with its Idempotency-Key: a
draft (never removed, its 24-hour duty reminding) and a comment (never removed) are made
once; the key sent with another draft answers 409 and makes nothing."""

from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from compliance.models import AuditEvent, Obligation, ProcedureDocument, User
from compliance.tasks import forget_sent_forms_task
from incidents.models import Comment, Incident
from tests import factories
from tests.incidents.factories import make_filed
from tests.incidents.test_concurrent_filing import draft_body

pytestmark = pytest.mark.django_db

URL = "/api/v1/incidents/"


def test_a_draft_sent_again_with_its_key_is_made_once(api_for, officer_a):
    model = factories.PESModelFactory(provider=officer_a.provider)
    api = api_for(officer_a)
    body = draft_body(officer_a, model)

    first = api.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="ticket-4711")
    again = api.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="ticket-4711")
    other = api.post(URL, {**body, "title": "Another discovery"}, format="json",
                     HTTP_IDEMPOTENCY_KEY="ticket-4711")
    fresh = api.post(URL, {**body, "title": "Another discovery"}, format="json",
                     HTTP_IDEMPOTENCY_KEY="ticket-4712")

    assert (first.status_code, again.status_code, other.status_code,
            fresh.status_code) == (201, 201, 409, 201)
    assert again.json() == first.json()
    assert Incident.objects.count() == 2
    assert Obligation.objects.filter(kind="notification").count() == 2


def test_a_comment_sent_again_with_its_key_is_added_once(api_for, officer_a):
    case = make_filed(officer_a)
    api = api_for(officer_a)
    url = f"{URL}{case.pk}/comments/"

    first = api.post(url, {"body": "Logs attached."}, format="json",
                     HTTP_IDEMPOTENCY_KEY="c-1")
    again = api.post(url, {"body": "Logs attached."}, format="json",
                     HTTP_IDEMPOTENCY_KEY="c-1")

    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert Comment.objects.filter(incident=case).count() == 1


def test_a_key_no_server_could_keep_is_refused(api_for, officer_a):
    model = factories.PESModelFactory(provider=officer_a.provider)

    response = api_for(officer_a).post(URL, draft_body(officer_a, model), format="json",
                                       HTTP_IDEMPOTENCY_KEY="k" * 65)

    assert response.status_code == 400 and "Idempotency-Key" in response.json()
    assert not Incident.objects.exists()


def test_a_draft_retried_with_its_key_after_a_week_is_not_made_again(api_for, officer_a):
    """A page's form key is forgotten after a week (the daily task); an API key answers a
    retry however late."""
    model = factories.PESModelFactory(provider=officer_a.provider)
    api = api_for(officer_a)
    body = draft_body(officer_a, model)

    first = api.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="ticket-4711")
    with time_machine.travel(timezone.now() + timedelta(days=8), tick=False):
        forget_sent_forms_task()
        again = api.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="ticket-4711")

    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert Incident.objects.count() == 1


def test_a_retry_by_an_officer_moved_since_is_refused_and_shows_nothing(api_for, officer_a,
                                                                        provider_b):
    model = factories.PESModelFactory(provider=officer_a.provider)
    # A cyber attack names no PES model: nothing in it is A's alone.
    body = {**draft_body(officer_a, model), "category": "cyber_attack",
            "subtype": "unauthorized_access", "pes_models": []}
    first = api_for(officer_a).post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    User.objects.filter(pk=officer_a.pk).update(provider=provider_b)
    officer_a.refresh_from_db()

    again = api_for(officer_a).post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")

    assert first.status_code == 201, first.json()
    assert again.status_code == 409
    assert "no longer see" in again.json()["detail"]
    assert body["title"] not in again.content.decode()
    assert Incident.objects.count() == 1


def pdf(body=b"%PDF-1.4 meter logs", name="logs.pdf"):
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def test_a_file_sent_again_with_its_key_is_added_once(api_for, officer_a):
    case = make_filed(officer_a)
    api = api_for(officer_a)
    url = f"{URL}{case.pk}/attachments/"

    first = api.post(url, {"file": pdf()}, format="multipart", HTTP_IDEMPOTENCY_KEY="f-1")
    again = api.post(url, {"file": pdf()}, format="multipart", HTTP_IDEMPOTENCY_KEY="f-1")
    other = api.post(url, {"file": pdf(b"%PDF-1.4 other logs")}, format="multipart",
                     HTTP_IDEMPOTENCY_KEY="f-1")
    without = api.post(url, {"file": pdf()}, format="multipart")

    assert (first.status_code, again.status_code, other.status_code,
            without.status_code) == (201, 201, 409, 201)
    assert again.json() == first.json()
    assert "sent with another file" in other.json()["detail"]
    assert case.attachments.count() == 2
    assert AuditEvent.objects.filter(action="incident.attachment_added").count() == 2


def test_a_procedures_version_sent_again_with_its_key_is_filed_once(api_for, officer_a):
    api = api_for(officer_a)
    sent = {"file": pdf(name="procedures.pdf"), "effective_date": "2026-03-01"}

    first = api.post("/api/v1/procedures/", sent, format="multipart",
                     HTTP_IDEMPOTENCY_KEY="p-1")
    again = api.post("/api/v1/procedures/", {**sent, "file": pdf(name="procedures.pdf")},
                     format="multipart", HTTP_IDEMPOTENCY_KEY="p-1")
    other = api.post("/api/v1/procedures/", {**sent, "file": pdf(name="procedures.pdf"),
                                             "effective_date": "2026-04-01"},
                     format="multipart", HTTP_IDEMPOTENCY_KEY="p-1")

    assert (first.status_code, again.status_code, other.status_code) == (201, 201, 409)
    assert again.json()["id"] == first.json()["id"]
    assert ProcedureDocument.objects.filter(provider=officer_a.provider).count() == 1
