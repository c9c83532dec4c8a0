"""The second factor: who must enrol, enrolment, sign-in with a code, replacing it."""

import re

import pytest
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.conf import settings

from compliance.models import AuditEvent
from notifications.models import OutboundEmail
from tests import factories
from tests.conftest import setting_from_environment, sign_in_with_password

pytestmark = pytest.mark.django_db

ACTIVATE = "/accounts/2fa/totp/activate/"


@pytest.mark.parametrize("path", ["/", "/incidents/", "/profile/", "/admin/"])
def test_it_sends_someone_without_a_factor_to_enrol_before_anything_else(path, signed_in,
                                                                         officer_a, mfa_on):
    response = signed_in(officer_a).get(path)

    assert response.status_code == 302
    assert response["Location"] == ACTIVATE


def test_it_refuses_the_api_to_a_session_without_a_factor(signed_in, reviewer, mfa_on):
    response = signed_in(reviewer).get("/api/v1/me/")

    assert response.status_code == 403
    assert "second factor" in response.json()["detail"]


def token_client(user):
    from rest_framework.test import APIClient

    from compliance import services

    _, key = services.create_api_token(user=user, name="tooling")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_it_refuses_the_api_to_a_token_of_a_viewer_made_officer_without_a_factor(
        viewer_a, manager, mfa_on):
    from accounts.services import change_role
    from incidents.models import Incident
    from tests.incidents.factories import draft_values

    client = token_client(viewer_a)
    assert client.get("/api/v1/me/").status_code == 200  # a viewer needs no factor
    change_role(actor=manager, user=viewer_a, role="provider_officer",
                provider_id=viewer_a.provider_id)
    values = draft_values(viewer_a.provider)
    body = {**values, "discovered_at": values["discovered_at"].isoformat(),
            "pes_models": [m.pk for m in values["pes_models"]]}

    me = client.get("/api/v1/me/")
    create = client.post("/api/v1/incidents/", body, format="json")

    assert me.status_code == create.status_code == 403
    assert "second factor" in me.json()["detail"]
    assert not Incident.objects.exists()


def test_it_refuses_the_api_to_a_token_once_a_manager_reset_the_factor(officer_a, manager,
                                                                      mfa_on):
    from accounts.services import reset_user_factor

    factories.enrol_totp(officer_a)
    client = token_client(officer_a)
    assert client.get("/api/v1/me/").status_code == 200

    reset_user_factor(actor=manager, user=officer_a, reason="Lost phone")

    assert client.get("/api/v1/me/").status_code == 403


def test_a_calendar_feed_answers_only_while_its_holder_holds_the_factor_their_role_needs(
        client, officer_a, manager, mfa_on):
    """As their API tokens: after a manager's reset the feed is refused (nothing of it
    shown) until they enrol a factor again; the feed itself is kept."""
    from accounts.services import reset_user_factor
    from notifications.calendar import feed_url, make_calendar_feed
    from notifications.models import CalendarFeed

    factories.enrol_totp(officer_a)
    factories.ObligationFactory(provider=officer_a.provider, subject="PES-2026-00007 Meter")
    _, secret = make_calendar_feed(actor=officer_a)
    path = feed_url(secret).removeprefix(settings.SITE_URL)
    assert "PES-2026-00007" in client.get(path).content.decode()

    reset_user_factor(actor=manager, user=officer_a, reason="Lost phone")

    refused = client.get(path)
    assert refused.status_code == 403 and "second factor" in refused.content.decode()
    assert "PES-2026-00007" not in refused.content.decode()
    assert CalendarFeed.objects.get(user=officer_a).is_active
    factories.enrol_totp(officer_a)
    assert client.get(path).status_code == 200


def test_it_lets_roles_outside_the_list_in_without_a_factor(signed_in, viewer_a, mfa_on):
    assert signed_in(viewer_a).get("/").status_code == 200


def test_it_turns_the_requirement_off_with_an_empty_list(signed_in, officer_a, settings):
    settings.MFA_REQUIRED_ROLES = []

    assert signed_in(officer_a).get("/").status_code == 200


def test_it_reads_the_roles_from_the_environment(tmp_path):
    assert setting_from_environment("MFA_REQUIRED_ROLES", tmp_path,
                                    MFA_REQUIRED_ROLES="usps_manager") == "['usps_manager']"
    assert setting_from_environment("MFA_REQUIRED_ROLES", tmp_path) == (
        "['usps_manager', 'usps_reviewer', 'provider_officer']")


def test_it_enrols_an_authenticator_app_with_recovery_codes(client, officer_a, mfa_on,
                                                           django_capture_on_commit_callbacks):
    sign_in_with_password(client, "officer_a")
    page = client.get(ACTIVATE).content.decode()
    secret = re.search(r'id="authenticator_secret"[^>]*value="([A-Z2-7]+)"', page)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(ACTIVATE, {"code": factories.totp_code(secret.group(1))})

    assert response.status_code == 302
    assert set(Authenticator.objects.filter(user=officer_a).values_list("type", flat=True)) == {
        "totp", "recovery_codes"}
    assert client.get("/").status_code == 200
    assert AuditEvent.objects.filter(action="user.factor_enrolled", actor=officer_a).exists()


def test_switching_off_an_authenticator_app_is_recorded(client, viewer_a, mfa_on):
    """A viewer's role needs no second factor: they may switch theirs off, and the change
    is recorded as its enrolment was."""
    secret = factories.enrol_totp(viewer_a)
    sign_in_with_password(client, "viewer_a", secret=secret)

    response = client.post("/accounts/2fa/totp/deactivate/")

    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=viewer_a).exists()
    removed = AuditEvent.objects.filter(action="user.factor_removed", actor=viewer_a)
    assert [e.changes["second_factor"] for e in removed] == [["totp", None]]


def test_it_refuses_a_wrong_code_at_enrolment(client, officer_a, mfa_on):
    sign_in_with_password(client, "officer_a")
    client.get(ACTIVATE)

    response = client.post(ACTIVATE, {"code": "000000"})

    assert response.status_code == 200
    assert "Incorrect code" in response.content.decode()
    assert not Authenticator.objects.exists()


def test_it_asks_an_enrolled_user_for_a_code_after_the_password(client, officer_a, mfa_on):
    secret = factories.enrol_totp(officer_a)

    first = sign_in_with_password(client, "officer_a")
    assert first["Location"] == "/accounts/2fa/authenticate/"
    assert client.get("/").status_code == 302  # not signed in yet

    response = client.post("/accounts/2fa/authenticate/", {"code": factories.totp_code(secret)})

    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_it_refuses_a_wrong_code_and_records_it(client, officer_a, mfa_on):
    factories.enrol_totp(officer_a)
    sign_in_with_password(client, "officer_a")

    response = client.post("/accounts/2fa/authenticate/", {"code": "123456"})

    assert "Incorrect code" in response.content.decode()
    assert client.get("/").status_code == 302
    event = AuditEvent.objects.get(action="user.mfa_code_rejected")
    assert event.object_id == str(officer_a.pk) and "sign-in" in event.reason


def test_it_limits_wrong_codes_per_account_from_however_many_addresses(client, officer_a,
                                                                      mfa_on):
    secret = factories.enrol_totp(officer_a)
    assert sign_in_with_password(client, "officer_a")["Location"] == "/accounts/2fa/authenticate/"

    answers = [client.post("/accounts/2fa/authenticate/", {"code": "000000"},
                           REMOTE_ADDR=f"198.51.100.{n + 1}").content.decode()
               for n in range(11)]
    client.post("/accounts/2fa/authenticate/", {"code": factories.totp_code(secret)},
                REMOTE_ADDR="198.51.100.200")

    assert not any("Too many" in page for page in answers[:10])
    assert "Too many" in answers[10]
    assert client.get("/").status_code == 302  # not signed in, even with the right code


def test_it_refuses_a_replayed_code(client, officer_a, mfa_on):
    secret = factories.enrol_totp(officer_a)
    code = factories.totp_code(secret)
    sign_in_with_password(client, "officer_a", code=code)
    client.post("/accounts/logout/")

    sign_in_with_password(client, "officer_a")
    response = client.post("/accounts/2fa/authenticate/", {"code": code})

    assert "Incorrect code, or one already used" in response.content.decode()
    assert "wait for the next one" in response.content.decode()
    assert client.get("/").status_code == 302
    assert AuditEvent.objects.filter(action="user.mfa_code_rejected").count() == 1


def test_it_signs_in_with_a_recovery_code_once(client, officer_a, mfa_on):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    factories.enrol_totp(officer_a)
    code = RecoveryCodes.activate(officer_a).get_unused_codes()[0]

    sign_in_with_password(client, "officer_a", code=code)
    assert client.get("/").status_code == 200
    client.post("/accounts/logout/")
    sign_in_with_password(client, "officer_a", code=code)
    assert client.get("/").status_code == 302


def test_it_regenerates_recovery_codes_and_records_it(client, officer_a, mfa_on,
                                                     django_capture_on_commit_callbacks):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    secret = factories.enrol_totp(officer_a)
    old = RecoveryCodes.activate(officer_a).get_unused_codes()
    sign_in_with_password(client, "officer_a", secret=secret)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/2fa/recovery-codes/generate/")

    assert response.status_code == 302
    new = RecoveryCodes(Authenticator.objects.get(user=officer_a, type="recovery_codes"))
    assert set(new.get_unused_codes()).isdisjoint(old)
    assert AuditEvent.objects.filter(action="user.recovery_codes_regenerated").exists()


def test_it_does_not_let_a_required_role_simply_switch_its_factor_off(client, officer_a,
                                                                      mfa_on):
    secret = factories.enrol_totp(officer_a)
    sign_in_with_password(client, "officer_a", secret=secret)

    client.post("/accounts/2fa/totp/deactivate/")

    assert Authenticator.objects.filter(user=officer_a, type="totp").exists()


def security_key(user, name):
    return Authenticator.objects.create(user=user, type=Authenticator.Type.WEBAUTHN,
                                        data={"name": name})


def test_it_does_not_let_a_required_role_remove_its_only_security_key(signed_in, officer_a,
                                                                      mfa_on):
    """allauth's key removal asks nothing of the adapter: the project's page does."""
    key = security_key(officer_a, "YubiKey")
    client = signed_in(officer_a)

    response = client.post(f"/accounts/2fa/webauthn/keys/{key.pk}/remove/", follow=True)

    assert Authenticator.objects.filter(pk=key.pk).exists()
    assert "this key is your only one" in response.content.decode()
    assert client.get("/").status_code == 200  # still holds the factor its role needs


def test_it_lets_a_required_role_remove_a_key_while_it_keeps_another(signed_in, officer_a,
                                                                     viewer_a, mfa_on):
    lost, kept = security_key(officer_a, "Lost"), security_key(officer_a, "Spare")
    client = signed_in(officer_a)

    client.post(f"/accounts/2fa/webauthn/keys/{lost.pk}/remove/")

    assert list(Authenticator.objects.filter(user=officer_a)) == [kept]
    # A role that needs no second factor removes its only key.
    own = security_key(viewer_a, "Own")
    signed_in(viewer_a).post(f"/accounts/2fa/webauthn/keys/{own.pk}/remove/")
    assert not Authenticator.objects.filter(user=viewer_a).exists()


def test_it_replaces_ones_factor_with_password_and_current_code(client, officer_a, mfa_on):
    secret = factories.enrol_totp(officer_a, secret="GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
    sign_in_with_password(client, "officer_a", secret=secret)
    client.post("/accounts/2fa/recovery-codes/generate/")
    cache_clear()  # the sign-in code may be shown again within its 30 s: not a replay here

    response = client.post("/accounts/2fa/reset/", {"password": factories.PASSWORD,
                                                    "code": factories.totp_code(secret)})

    assert response["Location"] == ACTIVATE
    assert not Authenticator.objects.filter(user=officer_a).exists()
    event = AuditEvent.objects.get(action="user.factor_reset")
    assert event.actor == officer_a
    assert client.get("/").url == ACTIVATE


@pytest.mark.parametrize("field", ["password", "code"])
def test_it_keeps_the_factor_when_the_password_or_code_is_wrong(field, client, officer_a,
                                                               mfa_on):
    secret = factories.enrol_totp(officer_a)
    sign_in_with_password(client, "officer_a", secret=secret)
    data = {"password": factories.PASSWORD, "code": "999999"} if field == "code" else {
        "password": "wrong-password", "code": factories.totp_code(secret)}

    response = client.post("/accounts/2fa/reset/", data)

    assert response.status_code == 200
    assert Authenticator.objects.filter(user=officer_a, type="totp").exists()
    assert not AuditEvent.objects.filter(action="user.factor_reset").exists()
    assert AuditEvent.objects.filter(action="user.mfa_code_rejected").exists() == (
        field == "code")


def test_it_lets_a_manager_reset_a_lost_factor_ending_the_persons_sessions(client, signed_in,
                                                                           manager, officer_a,
                                                                           mfa_on):
    secret = factories.enrol_totp(officer_a)
    sign_in_with_password(client, "officer_a", secret=secret)
    assert UserSession.objects.filter(user=officer_a).count() == 1
    factories.enrol_totp(manager)
    from django.test import Client

    managers = Client()
    managers.force_login(manager)

    response = managers.post(f"/people/{officer_a.pk}/reset-factor/",
                             {"reason": "Lost phone; called back on the number on file."})

    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=officer_a).exists()
    assert not UserSession.objects.filter(user=officer_a).exists()
    assert client.get("/").status_code == 302  # the officer's session ended
    event = AuditEvent.objects.get(action="user.factor_reset")
    assert event.actor == manager and "Lost phone" in event.reason
    # The person is told, as of every change to how they sign in.
    notice = OutboundEmail.objects.get(template="security_notice", recipient=officer_a)
    assert "A USPS manager removed your second factor" in notice.rendered.body_text


def test_the_person_is_told_of_a_factor_reset_though_moved_before_it_went_out(
        manager, officer_a, provider_b, mailoutbox):
    """What waits for someone moved to another side is held back, but not the news of a
    change to their own account."""
    from accounts.services import change_role, reset_user_factor
    from notifications.services import send_due_emails

    factories.enrol_totp(officer_a)
    with factories.committed():
        reset_user_factor(actor=manager, user=officer_a, reason="Lost phone.")
        change_role(actor=manager, user=officer_a, role="provider_officer",
                    provider_id=provider_b.pk, reason="Joined Beta.")
    send_due_emails()

    told = [m for m in mailoutbox if officer_a.email in m.to]
    assert [m.subject for m in told] and "second factor" in told[0].body


def test_a_factor_reset_sent_twice_removes_and_records_once(signed_in, manager, officer_a):
    factories.enrol_totp(officer_a)
    managers = signed_in(manager)
    data = {"reason": "Lost phone; called back on the number on file."}

    managers.post(f"/people/{officer_a.pk}/reset-factor/", data)
    again = managers.post(f"/people/{officer_a.pk}/reset-factor/", data, follow=True)

    assert "has no second factor to reset" in again.content.decode()
    assert AuditEvent.objects.filter(action="user.factor_reset").count() == 1
    assert OutboundEmail.objects.filter(template="security_notice",
                                        recipient=officer_a).count() == 1


def test_it_refuses_a_factor_reset_by_an_officer_and_changes_nothing(signed_in, officer_a,
                                                                     viewer_a):
    factories.enrol_totp(viewer_a)

    response = signed_in(officer_a).post(f"/people/{viewer_a.pk}/reset-factor/",
                                         {"reason": "please"})

    assert response.status_code == 403
    assert Authenticator.objects.filter(user=viewer_a).exists()
    assert not AuditEvent.objects.filter(action="user.factor_reset").exists()


def test_it_needs_a_reason_for_a_managers_reset(signed_in, manager, officer_a):
    factories.enrol_totp(officer_a)

    response = signed_in(manager).post(f"/people/{officer_a.pk}/reset-factor/", {"reason": ""})

    assert response.status_code == 200
    assert Authenticator.objects.filter(user=officer_a).exists()


def cache_clear():
    from django.core.cache import cache

    cache.clear()


def test_it_counts_a_security_key_as_a_second_factor(signed_in, officer_a, mfa_on):
    Authenticator.objects.create(user=officer_a, type=Authenticator.Type.WEBAUTHN,
                                 data={"name": "YubiKey"})

    assert signed_in(officer_a).get("/").status_code == 200


def test_it_does_not_count_recovery_codes_alone_as_a_factor(signed_in, officer_a, mfa_on):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    RecoveryCodes.activate(officer_a)

    assert signed_in(officer_a).get("/")["Location"] == ACTIVATE


def test_the_factor_reset_limits_wrong_codes_as_the_sign_in_does(client, officer_a, mfa_on,
                                                                 settings):
    """Wrong codes count against the account's limit (2 x LOGIN_FAILURE_LIMIT in the
    window, as at sign-in), from any address: past it, even the right code is refused and
    the factor stays."""
    secret = factories.enrol_totp(officer_a)
    sign_in_with_password(client, "officer_a", secret=secret)
    cache_clear()
    limit = 2 * settings.LOGIN_FAILURE_LIMIT
    for n in range(limit):
        client.post("/accounts/2fa/reset/", {"password": factories.PASSWORD,
                                             "code": f"{n:06d}"},
                    REMOTE_ADDR=f"198.51.100.{n + 1}")
    assert AuditEvent.objects.filter(action="user.mfa_code_rejected").count() == limit

    response = client.post("/accounts/2fa/reset/", {"password": factories.PASSWORD,
                                                    "code": factories.totp_code(secret)},
                           REMOTE_ADDR="198.51.100.200")

    assert response.status_code == 200 and "Too many" in response.content.decode()
    assert Authenticator.objects.filter(user=officer_a, type="totp").exists()
    assert not AuditEvent.objects.filter(action="user.factor_reset").exists()
