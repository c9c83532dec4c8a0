"""A small world for contract tests: two providers, each with a draft and a case under
review with reports, an extension request, a comment and procedures on file."""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from compliance.models import Obligation
from incidents import services as incident_services
from reports import services as report_services
from reports.extensions import services as extension_services
from reports.procedures import services as procedure_services
from tests import factories
from tests.incidents.factories import make_draft
from tests.reports.factories import WRITTEN, case_under_review


def _provider_world(officer, reviewer):
    draft = make_draft(officer)
    now = timezone.now()
    case = case_under_review(officer, at=now - timedelta(hours=1))
    duty = Obligation.objects.get(incident_id=case.pk, kind="written_report")
    extension = extension_services.request_extension(
        actor=officer, obligation=duty, requested_due_at=now + timedelta(days=40),
        justification="The lab is booked.")
    report, _ = report_services.file_report(actor=officer, incident=case, kind="written",
                                            **{**WRITTEN, "anticipated_completion_date":
                                               (now + timedelta(days=60)).date()})
    incident_services.add_comment(actor=reviewer, incident=case, body="Which firmware?")
    incident_services.add_attachment(
        actor=officer, incident=case,
        uploaded_file=SimpleUploadedFile("notes.txt", b"Reset log\n", "text/plain"))
    procedures = procedure_services.upload_procedures(
        actor=officer, provider=officer.provider,
        uploaded_file=SimpleUploadedFile("procedures.txt", b"Report within 24 hours.\n",
                                         "text/plain"),
        effective_date=now.date())
    return [draft.pk, case.pk, report.pk, extension.pk, procedures.pk, duty.pk]


def build_world():
    """Both providers' objects; returns the cast and every id worth aiming at."""
    provider_a = factories.ProviderFactory(name="Alpha Postage")
    provider_b = factories.ProviderFactory(name="Bravo Meters")
    officer = factories.OfficerFactory(username="officer_a", provider=provider_a)
    officer_b = factories.OfficerFactory(username="officer_b", provider=provider_b)
    reviewer = factories.ReviewerFactory(username="reviewer")
    factories.AffiliateFactory(provider=provider_a)
    factories.AffiliateFactory(provider=provider_b)
    ids = {provider_a.pk, provider_b.pk, officer.pk, reviewer.pk}
    ids.update(_provider_world(officer, reviewer))
    ids.update(_provider_world(officer_b, reviewer))
    return {"officer": officer, "reviewer": reviewer, "ids": sorted(ids)}
