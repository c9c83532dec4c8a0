"""Invitations: who may invite whom, the single-use expiring link, and accepting it."""

import io
import logging
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from accounts.models import Invitation
from accounts.services import invite_user, revoke_invitation
from compliance.models import AuditEvent, User
from config.access_log import MaskedSecrets
from notifications.models import OutboundEmail
from notifications.services import send_due_emails

pytestmark = pytest.mark.django_db

STRONG = "violet-harbour-lantern-42"


def invite_form(**overrides):
    data = {"email": "nina@alpha.example", "first_name": "Nina", "last_name": "New",
            "role": "provider_viewer"}
    data.update(overrides)
    return data


def accept_form(**overrides):
    data = {"username": "nina", "first_name": "Nina", "last_name": "New",
            "timezone": "America/Chicago", "password1": STRONG, "password2": STRONG}
    data.update(overrides)
    return data


def link_path(link):
    return link.removeprefix("http://127.0.0.1:8000")


def secret_of(link):
    """The secret of link `…/invitation/<pk>-<secret>/` (a secret may hold "-" itself)."""
    return link.rstrip("/").rsplit("/", 1)[1].split("-", 1)[1]


@pytest.fixture
def invitation(officer_a, provider_a):
    return invite_user(actor=officer_a, email="nina@alpha.example", role="provider_officer",
                       provider_id=provider_a.pk, first_name="Nina")


def test_it_lets_an_officer_invite_a_viewer_of_their_provider_by_e_mail(signed_in, officer_a,
                                                                         provider_a):
    response = signed_in(officer_a).post("/people/invite/", invite_form())

    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.role, invitation.provider, invitation.invited_by) == (
        "provider_viewer", provider_a, officer_a)
    assert invitation.expires_at - invitation.created_at == timedelta(days=7)
    email = OutboundEmail.objects.get(template="invitation")
    assert email.to_address == "nina@alpha.example" and email.recipient is None
    sent = email.rendered
    assert f"/accounts/invitation/{invitation.pk}-" in sent.body_text
    assert "Alpha Postage" in sent.subject
    event = AuditEvent.objects.get(action="invitation.sent")
    assert (event.actor, event.provider_id) == (officer_a, provider_a.pk)


def test_it_lets_a_manager_invite_usps_staff_and_any_providers_staff(signed_in, manager,
                                                                      provider_b):
    client = signed_in(manager)
    client.post("/people/invite/", invite_form(email="rex@usps.example", role="usps_reviewer"))
    client.post("/people/invite/", invite_form(role="provider_officer", provider=provider_b.pk))

    assert set(Invitation.objects.values_list("role", "provider")) == {
        ("usps_reviewer", None), ("provider_officer", provider_b.pk)}


def test_it_refuses_to_invite_again_an_account_usps_closed(signed_in, client, manager,
                                                           officer_a, viewer_a):
    """A USPS manager alone opens again an account USPS closed: a fresh invitation of its
    address by the provider's officer would make the person a new one."""
    from accounts.services import deactivate_user

    deactivate_user(actor=manager, user=viewer_a, reason="Misuse.")

    response = signed_in(officer_a).post("/people/invite/", invite_form(
        email=viewer_a.email.upper()))

    assert response.status_code == 200  # the form again, saying why
    assert "that USPS closed: only a USPS manager opens it again" in response.content.decode()
    assert not Invitation.objects.exists()
    assert not OutboundEmail.objects.filter(template="invitation").exists()
    assert User.objects.filter(email__iexact=viewer_a.email).count() == 1


def test_it_sends_an_account_of_the_provider_to_its_page_not_a_new_invitation(
        signed_in, officer_a, viewer_a, officer_b):
    officer = signed_in(officer_a)
    active = officer.post("/people/invite/", invite_form(email=viewer_a.email,
                                                         role="provider_officer"))
    assert "already has an account here (viewer_a)" in active.content.decode()
    from accounts.services import deactivate_user

    deactivate_user(actor=officer_a, user=viewer_a, reason="Left the company.")
    closed = officer.post("/people/invite/", invite_form(email=viewer_a.email))
    assert "open it again from its page" in closed.content.decode()
    assert not Invitation.objects.exists()
    # An account at another provider is not the officer's to know of: invited as anyone.
    officer.post("/people/invite/", invite_form(email=officer_b.email))
    assert Invitation.objects.get().email == officer_b.email.lower()


def test_it_confirms_the_expiry_in_the_inviters_own_zone(signed_in, officer_a):
    officer_a.timezone = "Asia/Tokyo"
    officer_a.save(update_fields=["timezone"])

    response = signed_in(officer_a).post("/people/invite/", invite_form(), follow=True)

    expires = Invitation.objects.get().expires_at.astimezone(ZoneInfo("Asia/Tokyo"))
    message = next(iter(response.context["messages"])).message
    assert message == ("Invitation sent to nina@alpha.example. The link works once, until "
                       f"{expires:%Y-%m-%d %H:%M} JST.")


def test_it_invites_an_address_as_long_as_addresses_go(signed_in, officer_a):
    """187 characters, a valid address: its outbox key carries a digest of it instead."""
    address = ("n" * 64) + "@" + ".".join(["a" * 40, "b" * 40, "c" * 40]) + ".example"

    response = signed_in(officer_a).post("/people/invite/", invite_form(email=address))

    assert response.status_code == 302
    email = OutboundEmail.objects.get(template="invitation")
    assert email.to_address == address and len(email.key) <= 200
    assert Invitation.objects.get().email == address


def test_it_keeps_the_expiry_configurable(signed_in, officer_a, settings):
    settings.INVITATION_EXPIRY_DAYS = 2

    signed_in(officer_a).post("/people/invite/", invite_form())

    invitation = Invitation.objects.get()
    assert invitation.expires_at - invitation.created_at == timedelta(days=2)


@pytest.mark.parametrize("forged", [{"role": "usps_manager"}, {"role": "usps_reviewer"}])
def test_it_refuses_an_officer_inviting_to_a_usps_role_and_records_it(signed_in, officer_a,
                                                                      forged):
    response = signed_in(officer_a).post("/people/invite/", invite_form(**forged))

    assert response.status_code == 200
    assert "your own provider" in response.content.decode()
    assert not Invitation.objects.exists()
    assert not OutboundEmail.objects.exists()
    event = AuditEvent.objects.get(action="invitation.refused")
    assert event.actor == officer_a and event.changes["role"] == [None, forged["role"]]


def test_it_refuses_an_officer_inviting_to_another_provider_and_records_it(signed_in, officer_a,
                                                                           provider_b):
    response = signed_in(officer_a).post("/people/invite/",
                                         invite_form(provider=provider_b.pk))

    assert "your own provider" in response.content.decode()
    assert not Invitation.objects.exists()
    assert AuditEvent.objects.get(action="invitation.refused").changes["provider"] == [
        None, provider_b.pk]


@pytest.mark.parametrize("who", ["viewer_a", "reviewer"])
def test_it_refuses_the_invitation_pages_to_viewers_and_reviewers(who, request, signed_in):
    client = signed_in(request.getfixturevalue(who))

    assert client.get("/people/invite/").status_code == 403
    assert client.post("/people/invite/", invite_form()).status_code == 403
    assert not Invitation.objects.exists()


def test_it_makes_the_account_from_the_link_with_the_chosen_password(client, invitation,
                                                                     officer_a, provider_a):
    invite, link = invitation

    page = client.get(link_path(link))
    response = client.post(link_path(link), accept_form())

    assert "Alpha Postage" in page.content.decode()
    assert response.status_code == 302
    user = User.objects.get(username="nina")
    assert (user.role, user.provider, user.email, user.timezone) == (
        "provider_officer", provider_a, "nina@alpha.example", "America/Chicago")
    assert user.check_password(STRONG)
    invite.refresh_from_db()
    assert invite.accepted_user == user and invite.accepted_at
    accepted = AuditEvent.objects.get(action="invitation.accepted")
    assert accepted.actor == user
    assert AuditEvent.objects.get(action="user.created").actor == officer_a
    assert client.get("/").status_code == 200  # signed in


def test_a_refused_use_of_the_link_leaves_its_secret_out_of_the_log(invitation):
    """A form sent without its CSRF cookie (an expired session, a blocked cookie) is refused,
    and Django logs the path it was sent to: the log keeps the link's secret masked."""
    invite, link = invitation
    secret = secret_of(link)
    console = next(handler for handler in logging.getLogger().handlers
                   if any(isinstance(f, MaskedSecrets) for f in handler.filters))
    written = io.StringIO()
    before = console.setStream(written)
    try:
        response = Client(enforce_csrf_checks=True).post(link_path(link), accept_form())
    finally:
        console.setStream(before)

    assert response.status_code == 403
    assert f"/accounts/invitation/{invite.pk}-[secret]" in written.getvalue()
    assert secret not in written.getvalue()
    assert not User.objects.filter(username="nina").exists()


def test_it_sends_the_new_officer_to_enrol_a_second_factor_before_anything_else(client,
                                                                                invitation,
                                                                                mfa_on):
    response = client.post(link_path(invitation[1]), accept_form(), follow=True)

    assert response.redirect_chain[-1][0] == "/accounts/2fa/totp/activate/"
    assert client.get("/incidents/").url == "/accounts/2fa/totp/activate/"


def test_it_refuses_a_weak_password_and_makes_nothing(client, invitation):
    response = client.post(link_path(invitation[1]),
                           accept_form(password1="password", password2="password"))

    assert response.status_code == 200
    assert "too common" in response.content.decode()
    assert not User.objects.filter(username="nina").exists()
    assert Invitation.objects.get().accepted_at is None


def test_it_refuses_a_taken_username(client, invitation, officer_a):
    response = client.post(link_path(invitation[1]), accept_form(username="officer_a"))

    assert "already exists" in response.content.decode()
    assert Invitation.objects.get().accepted_at is None


@pytest.mark.parametrize("twin", ["OFFICER_A", "Officer_A"])
def test_it_refuses_a_username_taken_in_another_case(client, invitation, officer_a, twin):
    response = client.post(link_path(invitation[1]), accept_form(username=twin))

    assert "already exists" in response.content.decode()
    assert User.objects.filter(username__iexact="officer_a").count() == 1
    assert Invitation.objects.get().accepted_at is None


@pytest.mark.parametrize("change", ["deactivated", "made a viewer"])
def test_an_invitation_dies_with_its_inviters_right_to_send_it(client, invitation, officer_a,
                                                              manager, change):
    from accounts.services import change_role, deactivate_user

    if change == "deactivated":
        deactivate_user(actor=manager, user=officer_a, reason="Left the company")
    else:
        change_role(actor=manager, user=officer_a, role="provider_viewer",
                    provider_id=officer_a.provider_id)

    shown = client.get(link_path(invitation[1]))
    response = client.post(link_path(invitation[1]), accept_form())

    assert shown.status_code == response.status_code == 410
    assert "withdrawn" in response.content.decode()
    assert not User.objects.filter(username="nina").exists()
    invitation = Invitation.objects.get()
    assert invitation.accepted_at is None
    # Withdrawn with the change, so no list shows it as waiting.
    assert invitation.revoked_at is not None
    assert not Invitation.objects.pending().exists()


def test_it_refuses_a_used_link_and_records_it(client, invitation):
    client.post(link_path(invitation[1]), accept_form())
    client.post("/accounts/logout/")

    response = client.post(link_path(invitation[1]), accept_form(username="again"))

    assert response.status_code == 410
    assert "already used" in response.content.decode()
    assert not User.objects.filter(username="again").exists()
    assert AuditEvent.objects.filter(action="invitation.link_rejected").count() == 1


def test_it_refuses_an_expired_link(client, invitation):
    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=1)):
        response = client.post(link_path(invitation[1]), accept_form())

    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert not User.objects.filter(username="nina").exists()


def test_it_refuses_an_altered_link_and_records_the_attempt(client, invitation):
    invite, link = invitation
    altered = link_path(link)[:-3] + "xyz/"

    response = client.post(altered, accept_form())

    assert response.status_code == 404
    assert "not valid" in response.content.decode()
    assert not User.objects.filter(username="nina").exists()
    event = AuditEvent.objects.get(action="invitation.link_rejected")
    assert event.object_id == str(invite.pk) and "altered" in event.reason


def test_it_lets_the_inviter_withdraw_an_invitation_and_the_link_dies(signed_in, client,
                                                                      invitation, officer_a):
    invite, link = invitation
    signed_in(officer_a).post(f"/people/invitations/{invite.pk}/revoke/")
    client.logout()

    response = client.get(link_path(link))

    assert response.status_code == 410
    assert "withdrawn" in response.content.decode()
    assert AuditEvent.objects.filter(action="invitation.revoked", actor=officer_a).exists()


def test_it_keeps_other_providers_invitations_out_of_reach(signed_in, invitation, officer_b):
    invite, _ = invitation

    response = signed_in(officer_b).post(f"/people/invitations/{invite.pk}/revoke/")

    assert response.status_code == 404
    invite.refresh_from_db()
    assert invite.revoked_at is None


def test_it_lists_only_the_officers_own_providers_open_invitations(signed_in, invitation,
                                                                   officer_b, provider_b):
    invite_user(actor=officer_b, email="bo@bravo.example", role="provider_viewer",
                provider_id=provider_b.pk)

    page = signed_in(officer_b).get("/people/").content.decode()

    assert "bo@bravo.example" in page
    assert "nina@alpha.example" not in page


def test_it_keeps_create_user_working_for_operators(provider_a, monkeypatch):
    from django.core.management import call_command

    monkeypatch.setenv("NEW_USER_PASSWORD", STRONG)
    call_command("create_user", "ops", "--role", "provider_viewer", "--provider",
                 str(provider_a.pk))

    assert User.objects.get(username="ops").check_password(STRONG)


def test_it_stores_only_the_hash_of_the_links_secret(invitation):
    invite, link = invitation
    secret = secret_of(link)
    assert secret not in invite.secret_hash


def test_it_sends_the_invitation_to_its_address_in_the_inviters_zone(invitation, mailoutbox):
    send_due_emails()

    [message] = mailoutbox
    assert message.to == ["nina@alpha.example"]
    assert "Make your account" in message.body
    row = OutboundEmail.objects.get(template="invitation")
    assert (row.state, row.recipient) == ("sent", None)


def test_it_does_not_send_an_invitation_revoked_before_its_turn(invitation, officer_a,
                                                               mailoutbox):
    revoke_invitation(actor=officer_a, invitation=invitation[0])

    send_due_emails()

    assert mailoutbox == []
    assert OutboundEmail.objects.get(template="invitation").state == "skipped"


def test_it_pages_the_open_invitations_so_each_can_be_withdrawn(signed_in, manager,
                                                               provider_a):
    now = timezone.now()
    Invitation.objects.bulk_create([
        Invitation(email=f"invitee{n:02d}@example.com", role="provider_viewer",
                   provider=provider_a, secret_hash=f"{n:064d}", invited_by=manager,
                   created_at=now - timedelta(minutes=n), expires_at=now + timedelta(days=6))
        for n in range(60)])
    client = signed_in(manager)

    first = client.get("/people/", {"q": "manager"}).content.decode()
    second = client.get("/people/", {"q": "manager", "invitations_page": 2}).content.decode()

    # Newest first, 50 a page; the pager keeps the people filter.
    assert [n for n in range(60) if f"invitee{n:02d}@" in first] == list(range(50))
    assert [n for n in range(60) if f"invitee{n:02d}@" in second] == list(range(50, 60))
    assert "q=manager&amp;invitations_page=2" in first
    oldest = Invitation.objects.get(email="invitee59@example.com")
    assert f"/people/invitations/{oldest.pk}/revoke/" in second

    client.post(f"/people/invitations/{oldest.pk}/revoke/")

    oldest.refresh_from_db()
    assert oldest.revoked_at is not None


def test_the_outbox_keeps_the_invitation_link_sealed(manager, mailoutbox, client):
    """The invitation keeps only its secret's hash; its e-mail waits in the outbox (and
    stays there once sent) with the link sealed, so a copy of the database alone makes no
    account. The e-mail sent carries the working link."""
    import json
    import re

    _, link = invite_user(actor=manager, email="eve@usps.example", role="usps_manager")
    # `<pk>-<secret>`: the secret (URL-safe base64) may hold dashes of its own.
    secret = re.search(r"/accounts/invitation/\d+-([^/]+)/$", link).group(1)
    assert len(secret) > 20
    send_due_emails()

    stored = json.dumps([row.context for row in OutboundEmail.objects.all()])
    assert secret not in stored and "/accounts/invitation/" not in stored
    [sent] = mailoutbox
    assert link in sent.body
    path = re.search(r"/accounts/invitation/\d+-[\w-]+/", sent.body).group(0)
    client.post(path, accept_form(username="eve"))
    assert User.objects.filter(username="eve", role="usps_manager").exists()


@pytest.mark.parametrize("required, role, told", [
    (["usps_manager", "usps_reviewer", "provider_officer", "provider_viewer"],
     "provider_viewer", True),
    (["usps_manager", "usps_reviewer"], "provider_officer", False),
    (["usps_manager", "usps_reviewer", "provider_officer"], "provider_officer", True),
])
def test_the_invitation_says_a_second_factor_is_needed_as_sign_in_will(
        settings, manager, provider_a, mailoutbox, required, role, told):
    settings.MFA_REQUIRED_ROLES = required
    invite_user(actor=manager, email="nina@alpha.example", role=role,
                provider_id=provider_a.pk)

    send_due_emails()

    (message,) = mailoutbox
    assert ("second factor" in message.body) is told
    assert ("second factor" in message.alternatives[0][0]) is told


def test_an_account_moved_to_the_provider_spends_the_open_link_to_its_address(
        manager, officer_b, viewer_a, provider_b):
    """One address, one account on a side: an account moved to the provider by a role
    change spends the open link to its address there, as an account made from a link
    does; the link does not make a second account beside it."""
    from accounts.services import accept_invitation, change_role, invite_user
    from accounts.services.invitations import InvitationUnusable
    from compliance.models import AuditEvent, User
    from tests import factories

    invitation, link = invite_user(actor=officer_b, email=viewer_a.email,
                                   role="provider_viewer", provider_id=provider_b.pk)
    secret = link.rstrip("/").rsplit("/", 1)[-1].split("-", 1)[1]
    # USPS moves the person's existing account (same address) to provider B.
    change_role(actor=manager, user=viewer_a, role="provider_viewer",
                provider_id=provider_b.pk)

    made = None
    with pytest.raises(InvitationUnusable):
        made = accept_invitation(pk=invitation.pk, secret=secret, username="twin.account",
                                 password=factories.PASSWORD + "x!Q9")
    twins = list(User.objects.filter(email__iexact=viewer_a.email, provider=provider_b)
                 .values_list("username", flat=True))
    assert made is None and len(twins) == 1, twins
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert AuditEvent.objects.filter(action="user.role_changed").get().changes[
        "invitations_to_them_spent"] == [None, 1]


def test_the_spent_link_points_to_the_account_not_to_a_new_invitation(
        client, manager, officer_b, viewer_a, provider_b):
    """A link spent because the address's account was moved to the provider sends the
    person to sign in with that account, not to ask for a new invitation (refused)."""
    from accounts.services import change_role, invite_user

    invitation, link = invite_user(actor=officer_b, email=viewer_a.email,
                                   role="provider_viewer", provider_id=provider_b.pk)
    change_role(actor=manager, user=viewer_a, role="provider_viewer",
                provider_id=provider_b.pk)

    page = client.get(link.removeprefix("http://127.0.0.1:8000")).content.decode()

    # What the page advises is refused:
    with pytest.raises(Exception) as refused:
        invite_user(actor=officer_b, email=viewer_a.email, role="provider_viewer",
                    provider_id=provider_b.pk)
    assert "already has an account here" in str(refused.value)
    assert "Ask for a new one" not in page, page[page.find("<main"):][:600]
    assert "Your address already has an account here: sign in with it" in page


def test_link_to_an_address_whose_account_there_is_closed_does_not_say_sign_in(
        client, manager, officer_b, viewer_a, provider_b):
    """The address's account there was closed since: the page says to ask for it to be
    opened again, not to sign in with it."""
    from accounts.services import change_role, deactivate_user, invite_user

    invitation, link = invite_user(actor=officer_b, email=viewer_a.email,
                                   role="provider_viewer", provider_id=provider_b.pk)
    change_role(actor=manager, user=viewer_a, role="provider_viewer",
                provider_id=provider_b.pk)
    viewer_a.refresh_from_db()
    deactivate_user(actor=manager, user=viewer_a, reason="Left the company.")
    viewer_a.refresh_from_db()
    assert not viewer_a.is_active

    page = client.get(link.removeprefix("http://127.0.0.1:8000")).content.decode()

    assert "sign in with it" not in page, (
        "the page tells the person to sign in with (or reset the password of) an account "
        "that is closed: " + page[page.find("<main"):][:600])
    assert "Your address has a closed account here" in page
