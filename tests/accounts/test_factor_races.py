"""README, Accounts: "they may remove a factor (the app, a key) only while they keep
another". The key's removal locked the person's factors while it decided; the authenticator
app's deactivation (allauth's page, `can_delete_authenticator` in its form) read them
unlocked. Sent at once, each saw the other factor still there: both went, and a role that
needs a second factor was left on its password alone. Both pages hold the factors now."""

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client

from compliance.models import AuditEvent
from notifications.models import OutboundEmail
from tests import factories
from tests.accounts.conftest import ALL_MFA_ROLES
from tests.concurrency import postgresql, rendezvous, run_together  # noqa: F401

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("postgresql")]


def test_removing_the_key_while_switching_the_app_off_keeps_one_factor(officer_a, settings):
    settings.MFA_REQUIRED_ROLES = ALL_MFA_ROLES
    factories.enrol_totp(officer_a)
    key = Authenticator.objects.create(user=officer_a, type=Authenticator.Type.WEBAUTHN,
                                       data={"name": "YubiKey"})
    tabs = [Client(), Client()]
    for tab in tabs:
        tab.force_login(officer_a)

    with rendezvous("accounts.adapters.mfa_required"):
        results = run_together(
            lambda: tabs[0].post(f"/accounts/2fa/webauthn/keys/{key.pk}/remove/").status_code,
            lambda: tabs[1].post("/accounts/2fa/totp/deactivate/").status_code)

    assert [exc for _, exc in results if exc is not None] == []
    left = set(Authenticator.objects.filter(user=officer_a).values_list("type", flat=True))
    assert left & {"totp", "webauthn"}, (left, results)


def test_switching_the_app_off_twice_at_once_records_one_removal(officer_a, settings):
    """A double click: the second request reads the app again under the lock, finds it
    gone, and records and tells nothing more."""
    settings.MFA_REQUIRED_ROLES = ALL_MFA_ROLES
    factories.enrol_totp(officer_a)
    Authenticator.objects.create(user=officer_a, type=Authenticator.Type.WEBAUTHN,
                                 data={"name": "YubiKey"})
    tabs = [Client(), Client()]
    for tab in tabs:
        tab.force_login(officer_a)
    removed_before = AuditEvent.objects.filter(action="user.factor_removed").count()
    mails_before = OutboundEmail.objects.filter(recipient=officer_a,
                                                template="security_notice").count()

    with rendezvous("accounts.views.security._lock_factors"):
        results = run_together(
            lambda: tabs[0].post("/accounts/2fa/totp/deactivate/").status_code,
            lambda: tabs[1].post("/accounts/2fa/totp/deactivate/").status_code)

    assert [exc for _, exc in results if exc is not None] == []
    assert not Authenticator.objects.filter(user=officer_a, type="totp").exists()
    removed = AuditEvent.objects.filter(action="user.factor_removed").count() - removed_before
    mails = OutboundEmail.objects.filter(recipient=officer_a,
                                         template="security_notice").count() - mails_before
    assert (removed, mails) == (1, 1), (removed, mails, results)
