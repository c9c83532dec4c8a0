"""A provider's writes sent by a request read before its officer's account was closed, or
before they moved to another provider, are refused: each reads its author again, locked
(`hold_actor`). The filings themselves are raced in test_filing_against_account_changes."""

from datetime import date, timedelta

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts import services
from accounts.models import Invitation
from accounts.services.people import deactivate_user
from compliance import services as register
from compliance.models import Affiliate, ApiToken, AuditEvent, PESModel, ProviderStatusChange, User
from compliance.services import create_api_token
from incidents import services as incidents
from incidents.models import Incident
from notifications.models import OutboundEmail
from tests import factories
from tests.conftest import sign_in_with_password
from tests.enforcement.conftest import missed_case, missed_duty, suspension  # noqa: F401
from tests.enforcement.helpers import DAY, T0
from tests.incidents.factories import draft_values
from tests.reports.factories import NOW, case_under_review, written_duty

pytestmark = pytest.mark.django_db


def _closed(person, provider=None):
    """The request's user, read while signed in; then the account closed by a colleague
    (an officer of `provider` for provider staff, else a USPS manager)."""
    read_by_request = User.objects.get(pk=person.pk)
    colleague = (factories.OfficerFactory(username="colleague", provider=provider)
                 if provider is not None else factories.ManagerFactory(username="colleague"))
    with factories.committed():
        deactivate_user(actor=colleague, user=person, reason="Left.")
    assert not User.objects.get(pk=person.pk).is_active
    return read_by_request


def test_an_extension_request_from_a_closed_account_is_refused(officer_a, provider_a):
    from compliance.services import request_extension

    case = case_under_review(officer_a, at=NOW - timedelta(hours=1))
    duty = written_duty(case)
    stale = _closed(officer_a, provider_a)
    with time_machine.travel(NOW, tick=False), pytest.raises(PermissionDenied):
        extension = request_extension(actor=stale, obligation=duty,
                                      requested_due_at=duty.due_at + timedelta(days=7),
                                      justification="The lab is booked.")
        pytest.fail(f"extension request {extension.pk} filed by a closed account")
    assert not duty.extension_requests.exists()


def test_procedures_from_a_closed_account_are_refused(officer_a, provider_a, settings,
                                                      tmp_path):
    from compliance.services import upload_procedures

    settings.MEDIA_ROOT = tmp_path
    stale = _closed(officer_a, provider_a)
    with pytest.raises(PermissionDenied):
        document = upload_procedures(
            actor=stale, provider=provider_a, effective_date=date(2026, 3, 1),
            uploaded_file=SimpleUploadedFile("p.pdf", b"%PDF-1.4 procedures",
                                             content_type="application/pdf"))
        pytest.fail(f"procedures v{document.version} filed by a closed account")
    assert not provider_a.procedure_documents.exists()


def test_a_proceeding_response_from_a_closed_account_is_refused(officer_a, provider_a,
                                                                suspension):  # noqa: F811
    from compliance.enforcement import services

    stale = _closed(officer_a, provider_a)
    with time_machine.travel(T0 + DAY, tick=False), pytest.raises(PermissionDenied):
        step = services.issue_step(actor=stale, proceeding=suspension, kind="correction",
                                   body="We corrected it.")
        pytest.fail(f"step {step.number} ({step.kind}) filed by a closed account")
    assert list(suspension.steps.values_list("kind", flat=True)) == ["proposal"]


def test_a_discovery_sent_by_a_request_read_before_its_officer_moved_is_refused(
        officer_a, provider_b):
    """A request read while they were provider A's officer would file its text as a draft
    of provider B, where they were moved meanwhile."""
    stale = User.objects.get(pk=officer_a.pk)  # the request's user, read before the move
    User.objects.filter(pk=officer_a.pk).update(provider=provider_b)
    values = draft_values(provider_b, title="Alpha: meter accepts forged resets",
                          pes_models=[])
    values["category"] = "cyber_attack"
    values["subtype"] = "unauthorized_access"
    values["risk_statements"] = []
    with pytest.raises(PermissionDenied):
        incident = incidents.create_draft(actor=stale, **values)
        pytest.fail(f"drafted as a case of provider {incident.provider.name} "
                    f"(was {officer_a.provider.name})")
    assert not Incident.objects.exists()


def test_a_proceeding_opened_by_a_closed_managers_request_is_refused(
        manager, provider_a, missed_case, missed_duty):  # noqa: F811
    """Opening issues the first step (the notice, the demand), as a manager's steps are."""
    from compliance.enforcement import services as enforcement
    from compliance.models import AuditEvent, Proceeding

    stale = _closed(manager)
    with time_machine.travel(T0, tick=False), pytest.raises(PermissionDenied):
        proceeding = enforcement.open_proceeding(
            actor=stale, provider=provider_a, kind="suspension",
            grounds="The written report was not filed.", obligations=[missed_duty],
            incidents=[missed_case.pk])
        pytest.fail(f"{proceeding.reference} opened by a closed account")
    assert not Proceeding.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="proceeding.").exists()


def test_an_internal_note_from_a_closed_account_is_refused(manager, suspension):  # noqa: F811
    from compliance.enforcement import services as enforcement

    stale = _closed(manager)
    with pytest.raises(PermissionDenied):
        enforcement.add_proceeding_note(actor=stale, proceeding=suspension, body="Noted.")
    assert not suspension.notes.exists()


def _usps_write(what, officer, provider, settings, tmp_path):
    """(the write as a function of its actor, what to read before and after it)."""
    from compliance import services as core
    from compliance.models import ExtensionRequest, Obligation, ProcedureDocument
    from compliance.services.waivers import waive_obligation
    from incidents.models import Incident
    from reports import services as reports
    from reports.models import Report
    from tests.incidents.factories import make_filed
    from tests.reports.factories import file_report_at

    if what in ("triage", "assign"):
        case = make_filed(officer)
        act = {"triage": lambda actor: incidents.triage_incident(
                   actor=actor, incident=case, revenue_risk="high", rationale="Fast."),
               "assign": lambda actor: incidents.assign_reviewer(
                   actor=actor, incident=case, reviewer=actor)}[what]
        return act, lambda: Incident.objects.filter(pk=case.pk).values().get()
    if what in ("accept", "return"):
        case = case_under_review(officer, at=NOW - timedelta(hours=2))
        report, _ = file_report_at(officer, case, "written", at=NOW - timedelta(hours=1))
        act = {"accept": lambda actor: reports.accept_report(actor=actor, report=report),
               "return": lambda actor: reports.return_report(actor=actor, report=report,
                                                             comment="Fix it.")}[what]
        return act, lambda: Report.objects.filter(pk=report.pk).values().get()
    if what in ("grant", "deny", "waive"):
        duty = written_duty(case_under_review(officer, at=NOW - timedelta(hours=1)))
        if what == "waive":
            return (lambda actor: waive_obligation(actor=actor, obligation=duty,
                                                   reason="Not needed."),
                    lambda: Obligation.objects.filter(pk=duty.pk).values().get())
        with time_machine.travel(NOW, tick=False):
            extension = core.request_extension(
                actor=officer, obligation=duty, requested_due_at=duty.due_at + DAY,
                justification="Lab.")
        act = {"grant": lambda actor: core.grant_extension(actor=actor, extension=extension),
               "deny": lambda actor: core.deny_extension(actor=actor, extension=extension,
                                                         comment="No.")}[what]
        return act, lambda: (ExtensionRequest.objects.filter(pk=extension.pk).values().get(),
                             Obligation.objects.filter(pk=duty.pk).values().get())
    settings.MEDIA_ROOT = tmp_path
    document = core.upload_procedures(
        actor=officer, provider=provider, effective_date=date(2026, 3, 1),
        uploaded_file=SimpleUploadedFile("p.pdf", b"%PDF-1.4 procedures",
                                         content_type="application/pdf"))
    act = {"accept_procedures": lambda actor: core.accept_procedures(actor=actor,
                                                                     document=document),
           "request_changes": lambda actor: core.request_procedure_changes(
               actor=actor, document=document, comment="Name a contact.")}[what]
    return act, lambda: ProcedureDocument.objects.filter(pk=document.pk).values().get()


@pytest.mark.parametrize("what", ["triage", "assign", "accept", "return", "grant", "deny",
                                  "waive", "accept_procedures", "request_changes"])
def test_a_usps_write_from_a_closed_reviewers_request_is_refused(what, officer_a, provider_a,
                                                                 reviewer, settings, tmp_path):
    from compliance.models import AuditEvent

    act, state = _usps_write(what, officer_a, provider_a, settings, tmp_path)
    before, events = state(), AuditEvent.objects.count()
    stale = _closed(reviewer)

    with time_machine.travel(NOW, tick=False), pytest.raises(PermissionDenied):
        act(stale)
    assert state() == before
    assert AuditEvent.objects.exclude(action="user.deactivated").count() == events


# The people services that act on another person's sign-in judge their author as they
# are now, too.

def test_a_factor_reset_sent_by_a_closed_managers_request_is_refused(manager, officer_a):
    secret = factories.enrol_totp(officer_a)
    officers = Client()
    sign_in_with_password(officers, "officer_a", secret=secret)  # a session that must survive
    assert UserSession.objects.filter(user=officer_a).count() == 1
    stale = _closed(manager)

    with pytest.raises(PermissionDenied):
        services.reset_user_factor(actor=stale, user=officer_a,
                                   reason="Lost phone; called back.")

    # Nothing changed: the officer keeps their factor and their session, and no one was told
    # their factor was removed.
    assert Authenticator.objects.filter(user=officer_a, type="totp").exists()
    assert UserSession.objects.filter(user=officer_a).count() == 1
    assert not AuditEvent.objects.filter(action="user.factor_reset").exists()
    assert not OutboundEmail.objects.filter(template="security_notice",
                                            recipient=officer_a).exists()


def test_a_factor_reset_sent_by_a_manager_made_reviewer_since_is_refused(manager, officer_a):
    factories.enrol_totp(officer_a)
    stale = User.objects.get(pk=manager.pk)
    colleague = factories.ManagerFactory(username="colleague_manager")
    with factories.committed():
        services.change_role(actor=colleague, user=manager, role="usps_reviewer",
                             provider_id=None, reason="Back to reviewing.")

    with pytest.raises(PermissionDenied):
        services.reset_user_factor(actor=stale, user=officer_a,
                                   reason="Lost phone; called back.")
    assert Authenticator.objects.filter(user=officer_a, type="totp").exists()


def test_a_lockout_cleared_by_a_closed_managers_request_stays(client, manager, officer_a):
    for _ in range(5):
        client.post("/accounts/login/", {"login": "officer_a", "password": "guess"},
                    REMOTE_ADDR="203.0.113.7")
    assert [lock.username for lock in services.current_lockouts()] == ["officer_a"]
    stale = _closed(manager)

    with pytest.raises(PermissionDenied):
        services.clear_lockout(actor=stale, username="officer_a")

    assert [lock.username for lock in services.current_lockouts()] == ["officer_a"]
    assert not AuditEvent.objects.filter(action="user.lockout_cleared").exists()


def test_an_invitation_sent_by_a_closed_officers_request_is_refused(officer_a, provider_a):
    stale = _closed(officer_a, provider_a)

    with pytest.raises(PermissionDenied):
        services.invite_user(actor=stale, email="nina@alpha.example",
                             role="provider_viewer", provider_id=provider_a.pk)

    # No invitation is left listed as open, and no e-mail goes to the address.
    assert not Invitation.objects.exists()
    assert not OutboundEmail.objects.filter(template="invitation").exists()


def test_an_invitation_withdrawn_by_a_closed_officers_request_stays_open(officer_a,
                                                                         provider_a,
                                                                         manager):
    invitation, _ = services.invite_user(actor=manager, email="nina@alpha.example",
                                         role="provider_viewer", provider_id=provider_a.pk)
    stale = _closed(officer_a, provider_a)

    with pytest.raises(PermissionDenied):
        services.revoke_invitation(actor=stale, invitation=invitation)

    invitation.refresh_from_db()
    assert invitation.revoked_at is None


def test_a_token_made_by_a_request_read_before_a_move_to_usps_is_refused(officer_a, manager):
    """A move to the other side revokes the tokens made on the side left; one made by a
    page of that side, sent after the move, must not survive it."""
    stale = User.objects.get(pk=officer_a.pk)
    with factories.committed():
        services.change_role(actor=manager, user=officer_a, role="usps_reviewer",
                             provider_id=None, reason="Joined USPS.")

    with pytest.raises((PermissionDenied, ValidationError)):
        create_api_token(user=stale, name="SIEM at Alpha")
    assert not ApiToken.objects.active().filter(user=officer_a).exists()


# The register's writes too.

def test_an_affiliate_added_by_a_closed_officers_request_is_refused(officer_a, provider_a):
    stale = _closed(officer_a, provider_a)
    with pytest.raises(PermissionDenied):
        register.create_affiliate(actor=stale, provider=provider_a, name="Ghost GmbH",
                                  relationship="subsidiary", country="DE")
    assert not Affiliate.objects.filter(name="Ghost GmbH").exists()


def test_an_affiliate_renamed_by_a_closed_officers_request_stays(officer_a, provider_a):
    affiliate = factories.AffiliateFactory(provider=provider_a, name="Alpha GmbH")
    stale = _closed(officer_a, provider_a)
    with pytest.raises(PermissionDenied):
        register.update_affiliate(actor=stale, affiliate=affiliate, name="Renamed GmbH")
    affiliate.refresh_from_db()
    assert affiliate.name == "Alpha GmbH"


def test_a_status_set_by_a_closed_managers_request_is_refused(manager, provider_a):
    stale = _closed(manager)
    with pytest.raises(PermissionDenied):
        register.update_provider(actor=stale, provider=provider_a,
                                 authorization_status="revoked", reason="Fraud.")
    provider_a.refresh_from_db()
    assert provider_a.authorization_status == "authorized"
    assert not ProviderStatusChange.objects.filter(provider=provider_a,
                                                   to_status="revoked").exists()


def test_a_pes_model_added_by_a_closed_managers_request_is_refused(manager, provider_a):
    stale = _closed(manager)
    with pytest.raises(PermissionDenied):
        register.create_pes_model(actor=stale, provider=provider_a, name="Ghost meter",
                                  kind="postage_meter", approval_status="approved")
    assert not PESModel.objects.filter(name="Ghost meter").exists()


def test_an_affiliate_added_by_an_officer_demoted_to_viewer_since_is_refused(officer_a,
                                                                             provider_a):
    read_by_request = User.objects.get(pk=officer_a.pk)
    colleague = factories.OfficerFactory(username="colleague", provider=provider_a)
    with factories.committed():
        services.change_role(actor=colleague, user=officer_a, role="provider_viewer",
                    provider_id=provider_a.pk)
    with pytest.raises(PermissionDenied):
        register.create_affiliate(actor=read_by_request, provider=provider_a,
                                  name="Ghost GmbH", relationship="subsidiary", country="DE")
    assert not Affiliate.objects.filter(name="Ghost GmbH").exists()


def test_a_deadline_policy_saved_by_a_closed_managers_request_is_refused(manager):
    from compliance.models import DeadlinePolicy
    from tests.notifications.test_policy import save

    stale = _closed(manager)
    with pytest.raises(PermissionDenied):
        save(stale, note="Shorter windows.")
    assert not DeadlinePolicy.objects.exists()
    assert not AuditEvent.objects.filter(action="deadline_policy.saved").exists()
