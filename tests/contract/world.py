"""A small world for contract tests: two providers, each with a draft and a case under
review with reports, an extension request, a comment, procedures on file and a sanction
proceeding with an internal note."""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from compliance import services as core
from compliance.enforcement.services import add_proceeding_note, open_proceeding
from compliance.models import Obligation, PESModel
from incidents import services as incident_services
from reports import services as report_services
from tests import factories
from tests.incidents.factories import make_draft
from tests.reports.factories import WRITTEN, case_under_review


def _provider_world(officer, reviewer):
    draft = make_draft(officer)
    now = timezone.now()
    case = case_under_review(officer, at=now - timedelta(hours=1))
    duty = Obligation.objects.get(incident_id=case.pk, kind="written_report")
    extension = core.request_extension(
        actor=officer, obligation=duty, requested_due_at=now + timedelta(days=40),
        justification="The lab is booked.")
    report, _ = report_services.file_report(actor=officer, incident=case, kind="written",
                                            **{**WRITTEN, "anticipated_completion_date":
                                               (now + timedelta(days=60)).date()})
    incident_services.add_comment(actor=reviewer, incident=case, body="Which firmware?",
                                  visibility="shared")
    incident_services.add_attachment(
        actor=officer, incident=case,
        uploaded_file=SimpleUploadedFile("notes.txt", b"Reset log\n", "text/plain"))
    procedures = core.upload_procedures(
        actor=officer, provider=officer.provider,
        uploaded_file=SimpleUploadedFile("procedures.txt", b"Report within 24 hours.\n",
                                         "text/plain"),
        effective_date=now.date())
    attachment = case.attachments.get()
    manager = factories.ManagerFactory()
    proceeding = open_proceeding(actor=manager, provider=officer.provider, kind="sanction",
                                 grounds="Unpaid postage.", incidents=[case.pk])
    add_proceeding_note(actor=reviewer, proceeding=proceeding, body="Internal.")
    return {"incidents": [draft.pk, case.pk], "reports": [report.pk],
            "extension-requests": [extension.pk], "procedures": [procedures.pk],
            "obligations": [duty.pk], "attachments": [attachment.pk],
            "proceedings": [proceeding.pk], "steps": [proceeding.steps.get().pk]}


def build_world():
    """Both providers' objects; returns the cast and, by collection (`incidents`,
    `reports`, ...), the ids worth aiming at: the caller's own and the other provider's."""
    provider_a = factories.ProviderFactory(name="Alpha Postage")
    provider_b = factories.ProviderFactory(name="Bravo Meters")
    officer = factories.OfficerFactory(username="officer_a", provider=provider_a)
    officer_b = factories.OfficerFactory(username="officer_b", provider=provider_b)
    reviewer = factories.ReviewerFactory(username="reviewer")
    ids = {"providers": [provider_a.pk, provider_b.pk],
           "affiliates": [factories.AffiliateFactory(provider=p).pk
                          for p in (provider_a, provider_b)]}
    for officer_of_provider in (officer, officer_b):
        for resource, pks in _provider_world(officer_of_provider, reviewer).items():
            ids.setdefault(resource, []).extend(pks)
    ids["pes-models"] = list(PESModel.objects.values_list("pk", flat=True))
    return {"officer": officer, "reviewer": reviewer, "ids": ids}
