"""Internal reporting procedures through the pages and the API: checks, e-mails, isolation."""

import re
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from compliance import services
from compliance.models import Obligation, ObligationKind, ProcedureDocument
from compliance.services import ensure_procedures_obligations
from notifications.models import OutboundEmail
from tests import factories
from tests.factories import committed

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
PDF = b"%PDF-1.4 internal reporting procedures"


@pytest.fixture(autouse=True)
def frozen(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with time_machine.travel(NOW, tick=False):
        yield


def pdf(name="procedures.pdf", body=PDF):
    return SimpleUploadedFile(name, body, content_type="application/pdf")


@pytest.fixture
def document(officer_a, reviewer):
    ensure_procedures_obligations()
    return services.upload_procedures(actor=officer_a, provider=officer_a.provider,
                                      uploaded_file=pdf(), effective_date=NOW.date())


def versions(provider, states):
    """Versions 1, 2, ... of `provider`'s procedures in the given review states, made at once."""
    officer = factories.OfficerFactory(provider=provider)
    return ProcedureDocument.objects.bulk_create([
        ProcedureDocument(provider=provider, version=v, file=f"procedures/{provider.pk}-{v}",
                          original_name=f"{provider.name} v{v}.pdf", size=10, sha256="0" * 64,
                          content_type="application/pdf", effective_date=date(2026, 1, 1),
                          uploaded_by=officer, uploaded_at=NOW, review_state=state)
        for v, state in enumerate(states, start=1)])


def recipients(template):
    return sorted(OutboundEmail.objects.filter(template=template)
                  .values_list("recipient__username", flat=True))


def test_an_officer_uploads_on_the_page_and_usps_reviewers_are_emailed(client, officer_a,
                                                                       reviewer):
    client.force_login(officer_a)
    with committed():
        response = client.post("/procedures/", {"file": pdf(), "effective_date": "2026-03-01",
                                                "summary_of_changes": ""})

    assert response.status_code == 302
    document = ProcedureDocument.objects.get()
    assert (document.version, document.content_type) == (1, "application/pdf")
    assert recipients("procedures_uploaded") == ["reviewer"]


def test_it_checks_the_file_on_its_content(client, officer_a):
    client.force_login(officer_a)
    response = client.post("/procedures/", {"file": pdf(body=b"MZ\x00\x01binary"),
                                            "effective_date": "2026-03-01"})

    assert response.status_code == 400 and not ProcedureDocument.objects.exists()


def test_the_api_answers_413_for_a_file_too_large(api_for, officer_a, settings):
    settings.ATTACHMENT_MAX_BYTES = 10
    response = api_for(officer_a).post("/api/v1/procedures/", {
        "file": pdf(), "effective_date": "2026-03-01"}, format="multipart")

    assert response.status_code == 413


def test_the_api_lists_and_creates_versions(api_for, officer_a, officer_b):
    response = api_for(officer_a).post("/api/v1/procedures/", {
        "file": pdf(), "effective_date": "2026-03-01"}, format="multipart")

    assert response.status_code == 201 and response.json()["version"] == 1
    assert api_for(officer_a).get("/api/v1/procedures/").json()["count"] == 1
    assert api_for(officer_b).get("/api/v1/procedures/").json()["count"] == 0


def test_the_api_forbids_viewers_and_usps_to_upload(api_for, viewer_a, reviewer, api):
    for user in (viewer_a, reviewer):
        response = api_for(user).post("/api/v1/procedures/", {
            "file": pdf(), "effective_date": "2026-03-01"}, format="multipart")
        assert response.status_code == 403
    assert api.get("/api/v1/procedures/").status_code == 401


def test_a_reviewer_accepts_and_the_officers_are_emailed(client, reviewer, officer_a,
                                                         provider_a, document):
    client.force_login(reviewer)
    with committed():
        response = client.post(f"/procedures/{document.pk}/", {"decision": "accept"})

    assert response.status_code == 302
    document.refresh_from_db()
    assert document.review_state == "accepted"
    assert Obligation.objects.get(provider=provider_a, kind=ObligationKind.PROCEDURES
                                  ).state == "met"
    assert recipients("procedures_reviewed") == ["officer_a"]


def test_changes_need_a_comment_on_the_review_page(client, reviewer, document):
    client.force_login(reviewer)
    assert client.post(f"/procedures/{document.pk}/",
                       {"decision": "request_changes"}).status_code == 400

    client.post(f"/procedures/{document.pk}/",
                {"decision": "request_changes", "comment": "Name the deputy."})
    document.refresh_from_db()
    assert document.review_state == "changes_requested"


def test_a_second_review_answers_409(client, reviewer, document):
    client.force_login(reviewer)
    client.post(f"/procedures/{document.pk}/", {"decision": "accept"})

    assert client.post(f"/procedures/{document.pk}/",
                       {"decision": "accept"}).status_code == 409


def test_the_download_is_an_attachment_for_those_in_scope(client, officer_a, officer_b,
                                                         viewer_a, reviewer, document):
    url = f"/procedures/{document.pk}/download/"
    for user in (officer_a, viewer_a, reviewer):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment")
        assert b"".join(response.streaming_content) == PDF
    client.force_login(officer_b)
    assert client.get(url).status_code == 404


def test_a_token_client_downloads_the_file_the_api_lists(officer_a, officer_b, reviewer,
                                                        document):
    from rest_framework.test import APIClient

    from compliance.services.users import create_api_token

    def token_client(user):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {create_api_token(user=user)[1]}")
        return client

    officer = token_client(officer_a)
    [listed] = officer.get("/api/v1/procedures/").json()["results"]
    url = listed["download_url"]
    assert url == f"http://testserver/api/v1/procedures/{document.pk}/download/"

    for client in (officer, token_client(reviewer)):
        response = client.get(url, HTTP_ACCEPT="application/pdf")
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content) == PDF
    response = token_client(officer_b).get(url)
    assert response.status_code == 404 and response["Content-Type"] == "application/json"
    assert APIClient().get(url).status_code == 401


def test_the_pages_are_isolated(client, officer_a, officer_b, viewer_a, document):
    assert client.get("/procedures/").status_code == 302
    assert client.get(f"/procedures/{document.pk}/").status_code == 302
    client.force_login(officer_b)
    assert client.get(f"/procedures/{document.pk}/").status_code == 404
    assert "procedures.pdf" not in client.get("/procedures/").content.decode()
    client.force_login(viewer_a)
    assert client.post("/procedures/", {"effective_date": "2026-03-01"}).status_code == 403
    client.force_login(officer_a)
    assert client.post(f"/procedures/{document.pk}/", {"decision": "accept"}).status_code == 403


def test_home_and_provider_pages_warn_until_a_copy_is_accepted(client, officer_a, reviewer,
                                                               provider_a, document):
    client.force_login(officer_a)
    home = client.get("/").content.decode()
    # The version filed is with USPS: the provider is told so, not asked to file again.
    assert 'data-testid="procedures-with-usps"' in home
    assert 'data-testid="procedures-warning"' not in home
    client.force_login(reviewer)
    provider_page = f"/providers/{provider_a.pk}/"
    assert 'data-testid="procedures-warning"' in client.get(provider_page).content.decode()

    services.accept_procedures(actor=reviewer, document=document)

    assert 'data-testid="procedures-warning"' not in client.get(provider_page).content.decode()
    client.force_login(officer_a)
    home = client.get("/").content.decode()
    assert 'data-testid="procedures-warning"' not in home
    assert 'data-testid="procedures-with-usps"' not in home


def test_home_asks_to_file_when_no_version_is_on_file(client, officer_a):
    ensure_procedures_obligations()
    client.force_login(officer_a)

    assert 'data-testid="procedures-warning"' in client.get("/").content.decode()


def test_the_list_reads_in_a_fixed_number_of_queries(client, officer_a, reviewer, document,
                                                     django_assert_max_num_queries):
    client.force_login(reviewer)
    # 9: the pager counts the versions, and the provider's standing (accepted copy, version
    # with USPS) is read from its whole list, not from the page shown.
    with django_assert_max_num_queries(9) as few:
        client.get(f"/procedures/?provider={officer_a.provider_id}")
    for n in range(6):
        services.upload_procedures(actor=officer_a, provider=officer_a.provider,
                                   uploaded_file=pdf(), effective_date=NOW.date(),
                                   summary_of_changes=f"Change {n}")
    factories.ProviderFactory.create_batch(3)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(f"/procedures/?provider={officer_a.provider_id}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/procedures/")


def test_the_duty_is_due_thirty_days_after_registration(manager):
    from compliance.services import create_provider

    provider = create_provider(actor=manager, name="Delta", authorization_number="D-1")
    duty = Obligation.objects.get(provider=provider, kind=ObligationKind.PROCEDURES)
    # 30 days later, by the end of that day in the provider's zone (New York).
    assert duty.due_at == datetime(2026, 4, 2, 3, 59, 59, tzinfo=UTC)


def test_the_usps_list_pages_to_every_providers_versions(client, reviewer):
    for p in range(21):  # 210 versions, the last provider's after the 200th
        versions(factories.ProviderFactory(name=f"Provider {p:02d}"), ["accepted"] * 10)
    client.force_login(reviewer)

    shown, number = [], 1
    while True:
        page = client.get("/procedures/", {"page": number}).content.decode()
        shown += [name for name in ProcedureDocument.objects.values_list(
            "original_name", flat=True) if f">{name}</a>" in page]
        if f"page={number + 1}" not in page:
            break
        number += 1

    assert number == 5  # 50 a page
    assert sorted(shown) == sorted(ProcedureDocument.objects.values_list("original_name",
                                                                          flat=True))


def test_a_providers_standing_is_read_from_its_whole_list(client, officer_a, reviewer,
                                                          provider_a):
    # v1 accepted, far down the list (newest first); v205 with USPS.
    versions(provider_a, ["accepted"] + ["changes_requested"] * 203 + ["pending"])

    client.force_login(officer_a)
    page = client.get("/procedures/").content.decode()
    assert f">{provider_a.name} v1.pdf</a>" not in page  # the page shows v205 to v156
    assert 'data-testid="procedures-with-usps"' in page and "Version 205 with USPS" in page
    assert "until it is accepted no copy is on file" not in page
    client.force_login(reviewer)
    page = client.get("/procedures/", {"provider": provider_a.pk}).content.decode()
    assert 'data-testid="procedures-warning"' not in page


@pytest.mark.parametrize("value", ["abc", "0", "-1", "1.5", "\u00b2"])  # "²": isdigit()
def test_the_page_refuses_a_provider_filter_that_names_no_provider(client, reviewer,
                                                                   provider_a, provider_b,
                                                                   value):
    """As the API and every other list: 400 saying so, never every provider's procedures
    under a filter the reviewer typed."""
    versions(provider_a, ["pending"])
    versions(provider_b, ["accepted"])
    client.force_login(reviewer)

    response = client.get("/procedures/", {"provider": value})

    page = response.content.decode()
    assert response.status_code == 400
    assert "The provider filter names no provider" in page
    assert provider_a.name not in page and provider_b.name not in page


@pytest.mark.parametrize("value", ["abc", "0", "-1", "1.5", "99999999999999999999"])
def test_the_api_refuses_a_provider_filter_that_names_no_provider(api_for, reviewer, document,
                                                                  value):
    """As every list's filter: 400 naming it, never the unfiltered list (its CSV too)."""
    for suffix in ("", "&format=csv"):
        response = api_for(reviewer).get(f"/api/v1/procedures/?provider={value}{suffix}")
        assert response.status_code == 400, (value, suffix)
        assert "provider" in response.json()


def test_the_api_filters_by_provider_within_the_callers_scope(api_for, reviewer, officer_a,
                                                              officer_b, document):
    usps = api_for(reviewer)
    own = usps.get(f"/api/v1/procedures/?provider={officer_a.provider_id}").json()
    other = usps.get(f"/api/v1/procedures/?provider={officer_b.provider_id}").json()
    assert [row["provider"] for row in own["results"]] == [officer_a.provider_id]
    assert other["count"] == 0
    # Another provider is no choice of an officer's: refused, as on every list.
    refused = api_for(officer_b).get(f"/api/v1/procedures/?provider={officer_a.provider_id}")
    assert refused.status_code == 400


def test_a_version_a_later_accepted_one_superseded_does_not_say_it_awaits_usps(
        client, officer_a, reviewer):
    first, second, third = versions(officer_a.provider, ["pending", "accepted", "pending"])
    client.force_login(officer_a)

    listing = client.get("/procedures/").content.decode()
    own_page = client.get(f"/procedures/{first.pk}/").content.decode()

    assert listing.count("Awaiting USPS review") == 1  # version 3's
    assert "Superseded by version 2" in listing and "Superseded by version 2" in own_page
    assert "Awaiting USPS review" not in own_page


def _upload_key(page):
    form = page[page.index('data-testid="procedures-upload"'):]
    return re.search(r'name="submission_key" value="([^"]+)"', form).group(1)


def test_a_different_file_of_the_same_name_and_size_sent_from_the_page_is_filed(client,
                                                                               officer_a):
    """The officer files v1, goes Back to the page (same form, same key), fixes a typo in
    the document (same name, same size) and files it again: it is another version, not
    "already sent" (the form is keyed on the file's content, as the API's key is)."""
    client.force_login(officer_a)
    key = _upload_key(client.get("/procedures/").content.decode())

    first = client.post("/procedures/", {
        "submission_key": key, "effective_date": "2026-03-01",
        "summary_of_changes": "Names the deputy.",
        "file": SimpleUploadedFile("procedures.pdf", b"%PDF-1.4 deputy: J. Smith")})
    second = client.post("/procedures/", {
        "submission_key": key, "effective_date": "2026-03-01",
        "summary_of_changes": "Names the deputy.",
        "file": SimpleUploadedFile("procedures.pdf", b"%PDF-1.4 deputy: J. Smyth")})

    assert first.status_code == 302
    stored = list(ProcedureDocument.objects.order_by("version").values_list("sha256", flat=True))
    assert len(stored) == 2, (
        f"the corrected file was dropped as 'already sent' ({second.status_code}); "
        f"{len(stored)} version(s) on file")
    # The same file sent once more from that page is still filed once.
    client.post("/procedures/", {
        "submission_key": key, "effective_date": "2026-03-01",
        "summary_of_changes": "Names the deputy.",
        "file": SimpleUploadedFile("procedures.pdf", b"%PDF-1.4 deputy: J. Smyth")})
    assert ProcedureDocument.objects.count() == 2


def test_the_api_says_which_accepted_version_supersedes_one_still_pending(api_for, officer_a,
                                                                          reviewer, client):
    """The page says "Superseded by version 2"; the API and its CSV say so too, so that a
    `pending` version no longer reads as waiting on USPS."""
    versions(officer_a.provider, ["pending", "accepted", "pending"])

    rows = {row["version"]: row["superseded_by"] for row in
            api_for(officer_a).get("/api/v1/procedures/").json()["results"]}
    csv = b"".join(api_for(reviewer).get("/api/v1/procedures/?format=csv")
                   .streaming_content).decode()

    assert rows == {1: 2, 2: None, 3: None}
    assert "superseded_by" in csv.splitlines()[0]
