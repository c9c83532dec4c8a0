"""Every URL that names an object, walked with provider A's objects as someone who must not
see them: the answer is the same as for an object that does not exist, so nothing leaks.

The table below must name every such URL: a new one fails `test_the_table_covers...`
until its isolation is declared here.
"""

from datetime import timedelta

import pytest
from allauth.mfa.models import Authenticator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLResolver, get_resolver
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.services import invite_user
from compliance import services as core
from compliance.enforcement.services import add_proceeding_note, open_proceeding
from compliance.models import Obligation, ObligationKind
from compliance.services import ensure_procedures_obligations, request_extension
from incidents import services as incidents
from reports import services as reports
from tests import factories
from tests.incidents.factories import make_draft, make_filed

pytestmark = pytest.mark.django_db

MISSING = 987654

URLS = {  # url name (api: where a page shares its name) -> path with A's objects
    "provider-detail": "/providers/{provider}/",
    "affiliate-create": "/providers/{provider}/affiliates/new/",
    "affiliate-edit": "/providers/{provider}/affiliates/{affiliate}/edit/",
    "incident-detail": "/incidents/{incident}/",
    "incident-edit": "/incidents/{draft}/edit/",
    "incident-submit": "/incidents/{draft}/submit/",
    "incident-amend": "/incidents/{incident}/amend/",
    "incident-versions": "/incidents/{incident}/versions/",
    "incident-timeline-csv": "/incidents/{incident}/timeline.csv",
    "incident-triage": "/incidents/{incident}/triage/",
    "incident-assign": "/incidents/{incident}/assign/",
    "incident-close": "/incidents/{incident}/close/",
    "incident-comment": "/incidents/{incident}/comments/",
    "incident-attachment-upload": "/incidents/{incident}/attachments/",
    "incident-attachment-download":
        "/incidents/{incident}/attachments/{attachment}/download/",
    "report-detail": "/reports/{report}/",
    "report-edit": "/reports/{report}/edit/",
    "report-accept": "/reports/{report}/accept/",
    "report-return": "/reports/{report}/return/",
    "report-create": "/reports/incident/{incident}/status/",
    "obligation-detail": "/obligations/{obligation}/",
    "procedures-review": "/procedures/{procedures}/",
    "procedures-download": "/procedures/{procedures}/download/",
    "calendar-feed": "/notifications/calendar/{secret}.ics",
    "metrics-csv": "/metrics/on-time.csv?provider={provider}",
    "api:provider-detail": "/api/v1/providers/{provider}/",
    "affiliate-detail": "/api/v1/affiliates/{affiliate}/",
    "pesmodel-detail": "/api/v1/pes-models/{pes_model}/",
    "api:obligation-detail": "/api/v1/obligations/{obligation}/",
    "obligation-waive": "/api/v1/obligations/{obligation}/waive/",
    "obligation-extension-requests": "/api/v1/obligations/{obligation}/extension-requests/",
    "extensionrequest-detail": "/api/v1/extension-requests/{extension}/",
    "extensionrequest-grant": "/api/v1/extension-requests/{extension}/grant/",
    "extensionrequest-deny": "/api/v1/extension-requests/{extension}/deny/",
    "api-incident-detail": "/api/v1/incidents/{incident}/",
    "api-incident-submit": "/api/v1/incidents/{draft}/submit/",
    "api-incident-amend": "/api/v1/incidents/{incident}/amend/",
    "api-incident-versions": "/api/v1/incidents/{incident}/versions/",
    "api-incident-attachments": "/api/v1/incidents/{incident}/attachments/",
    "api-incident-attachment-download":
        "/api/v1/incidents/{incident}/attachments/{attachment}/download/",
    "api-procedures-download": "/api/v1/procedures/{procedures}/download/",
    "api-incident-triage": "/api/v1/incidents/{incident}/triage/",
    "api-incident-assign": "/api/v1/incidents/{incident}/assign/",
    "api-incident-close": "/api/v1/incidents/{incident}/close/",
    "api-incident-comments": "/api/v1/incidents/{incident}/comments/",
    "api-incident-reports": "/api/v1/incidents/{incident}/reports/",
    "api-incident-case-file": "/api/v1/incidents/{incident}/case-file.pdf",
    "api-incident-timeline": "/api/v1/incidents/{incident}/timeline/",
    "api-report-detail": "/api/v1/reports/{report}/",
    "api-report-accept": "/api/v1/reports/{report}/accept/",
    "api-report-return": "/api/v1/reports/{report}/return/",
    "api-report-submit": "/api/v1/reports/{report}/submit/",
    "api-report-versions": "/api/v1/reports/{report}/versions/",
    "person-detail": "/people/{person}/",
    "person-role": "/people/{person}/role/",
    "person-deactivate": "/people/{person}/deactivate/",
    "person-reactivate": "/people/{person}/reactivate/",
    "person-reset-factor": "/people/{person}/reset-factor/",
    "invitation-revoke": "/people/invitations/{invitation}/revoke/",
    "invitation-accept": "/accounts/invitation/{invitation}-{secret}/",
    "mfa_remove_webauthn": "/accounts/2fa/webauthn/keys/{key}/remove/",
    "compliance-record": "/providers/{provider}/compliance-record/",
    "compliance-record-duties": "/providers/{provider}/compliance-record/duties/",
    "proceeding-detail": "/proceedings/{proceeding}/",
    "proceeding-step": "/proceedings/{proceeding}/steps/",
    "proceeding-step-amend": "/proceedings/{proceeding}/steps/{step}/amend/",
    "proceeding-note": "/proceedings/{proceeding}/notes/",
    "api-compliance-record": "/api/v1/providers/{provider}/compliance-record/",
    "api-proceeding-detail": "/api/v1/proceedings/{proceeding}/",
    "api-proceeding-steps": "/api/v1/proceedings/{proceeding}/steps/",
    "api-proceeding-step-amend": "/api/v1/proceedings/{proceeding}/steps/{step}/amend/",
    "api-proceeding-notes": "/api/v1/proceedings/{proceeding}/notes/",
}
# URLs whose secret is the credential: without it, everyone learns the same "not valid".
SECRET_URLS = {"calendar-feed", "invitation-accept"}


def object_url_names():
    """Names of every URL (outside the admin) that takes an object's id or secret."""
    def walk(patterns, api=False):
        for p in patterns:
            if isinstance(p, URLResolver):
                # allauth's keyed links (password reset) name a credential, not an object;
                # tests/accounts show they answer the same whoever asks.
                if "admin" in str(p.pattern) or getattr(p.urlconf_name, "__name__", "").startswith(
                        "allauth."):
                    continue
                yield from walk(p.url_patterns, api or str(p.pattern).startswith("api/"))
            elif "<" in str(p.pattern) or "(?P<" in str(p.pattern):
                name = p.name
                yield f"api:{name}" if api and name in ("provider-detail",
                                                        "obligation-detail") else name
    return set(walk(get_resolver().url_patterns))


def test_the_table_covers_every_url_that_names_an_object():
    assert object_url_names() == set(URLS)


@pytest.fixture
def case_of_a(settings, tmp_path, provider_a, officer_a, reviewer):
    """Provider A with one object of every kind a URL can name."""
    settings.MEDIA_ROOT = tmp_path
    affiliate = factories.AffiliateFactory(provider=provider_a)
    pes_model = factories.PESModelFactory(provider=provider_a)
    incident = make_filed(officer_a, discovered_at=timezone.now() - timedelta(hours=3))
    incidents.triage_incident(actor=reviewer, incident=incident, revenue_risk="high",
                              rationale="Internal: reaches postage funds.")
    attachment = incidents.add_attachment(
        actor=officer_a, incident=incident,
        uploaded_file=SimpleUploadedFile("log.txt", b"sign-in log", content_type="text/plain"))
    incidents.add_comment(actor=reviewer, incident=incident, body="Internal note",
                          visibility="internal")
    obligation = Obligation.objects.get(incident_id=incident.pk,
                                        kind=ObligationKind.NOTIFICATION)
    written = Obligation.objects.filter(incident_id=incident.pk,
                                        kind=ObligationKind.WRITTEN_REPORT).first()
    extension = request_extension(actor=officer_a, obligation=written,
                                  requested_due_at=written.due_at + timedelta(days=7),
                                  justification="Lab time")
    report, _ = reports.file_report(
        actor=officer_a, incident=incident, kind="written", circumstances="C",
        investigative_procedure="P",
        anticipated_completion_date=(timezone.now() + timedelta(days=30)).date())
    ensure_procedures_obligations()
    document = core.upload_procedures(
        actor=officer_a, provider=provider_a, effective_date=timezone.now().date(),
        uploaded_file=SimpleUploadedFile("p.pdf", b"%PDF-1.4 p", content_type="application/pdf"))
    draft = make_draft(officer_a)
    manager = factories.ManagerFactory(username="manager_of_the_walk")
    proceeding = open_proceeding(actor=manager, provider=provider_a, kind="sanction",
                                 grounds="Unpaid postage.", incidents=[incident.pk])
    add_proceeding_note(actor=reviewer, proceeding=proceeding, body="Internal deliberation")
    person = factories.ViewerFactory(provider=provider_a)
    invitation, _ = invite_user(actor=officer_a, email="new@alpha.example",
                                role="provider_viewer", provider_id=provider_a.pk)
    key = Authenticator.objects.create(user=officer_a, type=Authenticator.Type.WEBAUTHN,
                                       data={"name": "Officer A's key"})
    return {
        "person": person.pk, "invitation": invitation.pk,
        "provider": provider_a.pk, "affiliate": affiliate.pk, "pes_model": pes_model.pk,
        "incident": incident.pk, "draft": draft.pk, "attachment": attachment.pk,
        "report": report.pk, "obligation": obligation.pk,
        "extension": extension.pk,
        "procedures": document.pk, "secret": "not-a-feed-secret",
        "proceeding": proceeding.pk, "step": proceeding.steps.get().pk, "key": key.pk,
    }


def missing_ids(ids):
    return {key: (value if key == "secret" else MISSING) for key, value in ids.items()}


def client_for(user):
    client = APIClient()
    client.force_login(user)
    return client


OUTSIDERS = ["officer_b", "viewer_b"]


@pytest.fixture
def viewer_b(provider_b):
    return factories.ViewerFactory(username="viewer_b", provider=provider_b)


@pytest.mark.parametrize("outsider", OUTSIDERS)
@pytest.mark.parametrize("name", sorted(URLS))
@pytest.mark.parametrize("method", ["get", "post"])
def test_another_providers_staff_learn_nothing_from_any_url(request, case_of_a, outsider, name,
                                                            method):
    user = request.getfixturevalue(outsider)
    client = client_for(user)
    template = URLS[name]
    real = getattr(client, method)(template.format(**case_of_a), {})
    fake = getattr(client, method)(template.format(**missing_ids(case_of_a)), {})

    assert real.status_code == fake.status_code, (name, real.status_code, fake.status_code)
    assert real.status_code in (401, 403, 404, 405), (name, real.status_code)


DRAFT_URLS = ["incident-detail", "incident-versions", "incident-timeline-csv", "incident-comment",
              "incident-attachment-upload", "incident-triage", "api-incident-detail",
              "api-incident-versions", "api-incident-comments", "api-incident-triage",
              "api-incident-attachments", "api-incident-reports",
              "api-incident-case-file", "api-incident-timeline"]


@pytest.mark.parametrize("name", DRAFT_URLS)
@pytest.mark.parametrize("method", ["get", "post"])
def test_usps_learns_nothing_of_a_draft(case_of_a, reviewer, name, method):
    client = client_for(reviewer)
    template = URLS[name].replace("{incident}", "{draft}")
    real = getattr(client, method)(template.format(**case_of_a), {})
    fake = getattr(client, method)(template.format(**missing_ids(case_of_a)), {})

    assert real.status_code == fake.status_code, (name, real.status_code, fake.status_code)
    assert real.status_code in (404, 405), (name, real.status_code)


@pytest.mark.parametrize("name", sorted(URLS))
def test_anonymous_callers_are_sent_to_sign_in_or_get_401(client, case_of_a, name):
    path = URLS[name].format(**case_of_a)

    response = client.get(path)

    if path.startswith("/api/"):
        assert response.status_code == 401
    elif name in SECRET_URLS:
        assert response.status_code == 404  # the secret is the credential
    else:
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
