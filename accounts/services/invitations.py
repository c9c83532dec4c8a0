from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts import secrets
from accounts.models import Invitation
from compliance.models import Provider, Role, User
from compliance.models.users import PROVIDER_ROLES
from compliance.services import create_user, hold_actor, record_event
from notifications.services import queue_email

from .people import may_reactivate
from .rules import may_manage, refuse


class InvitationUnusable(Exception):
    """The link cannot be used: `reason` is `invalid`, `expired`, `used`, `revoked`,
    `has_account` or `has_closed_account` (the address has an account there already,
    moved there since, open or closed)."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def _inviter_may_still(invitation):
    """Whether whoever sent the invitation may still give its role at its provider: an
    invitation of someone deactivated, or no longer an officer, is withdrawn with them."""
    inviter = invitation.invited_by
    return inviter is not None and may_manage(inviter, role=invitation.role,
                                              provider_id=invitation.provider_id)


def invitation_link(invitation, secret):
    return settings.SITE_URL + reverse("invitation-accept",
                                       kwargs={"pk": invitation.pk, "secret": secret})


def require_may_invite(actor, role, provider_id):
    """Refuse (PermissionDenied) an invitation `actor` may not send; an officer's forged
    one is recorded, in a transaction of its own: called before the transaction that would
    send it, the record stays."""
    if not may_manage(actor, role=role, provider_id=provider_id):
        if actor.is_provider_officer:  # the officer's form offers neither: a forged request
            refuse(actor=actor, obj=actor, action="invitation.refused",
                   message="You can invite officers and viewers of your own provider only.",
                   changes={"role": [None, role], "provider": [None, provider_id]})
        raise PermissionDenied("You may not invite people.")


def invite_user(*, actor, email, role, provider_id=None, first_name="", last_name=""):
    """Invite `email` to make an account with `role` (and a provider for provider staff),
    e-mailing a single-use link that expires after settings.INVITATION_EXPIRY_DAYS.

    A provider officer may only invite officers and viewers of their own provider; any other
    attempt is refused and recorded. A pending invitation of the same address to the same
    provider (or to USPS) that the inviter may withdraw is withdrawn: the new link replaces
    it, so one address makes one account. An address with an account there already (the
    provider's, or USPS's) is refused: that person's page changes their role or opens their
    account again — one USPS closed, for a USPS manager alone. Returns (invitation, link).
    """
    require_may_invite(actor, role, provider_id)
    if role not in Role.values:
        raise ValidationError({"role": "Choose a role."})
    provider = Provider.objects.filter(pk=provider_id).first() if provider_id else None
    if role in PROVIDER_ROLES and provider is None:
        raise ValidationError({"provider": "Provider staff belong to a provider: choose one."})
    if role not in PROVIDER_ROLES and provider is not None:
        raise ValidationError({"provider": "USPS staff belong to no provider."})
    now = timezone.now()
    secret = Invitation.generate_secret()
    email = email.strip().lower()
    with transaction.atomic():
        # As they are now: a request read before the inviter was closed or moved.
        if not may_manage(hold_actor(actor), role=role, provider_id=provider_id):
            raise PermissionDenied("You may not invite people.")
        # The pending links first, then the accounts: an acceptance of one (which locks it
        # before making the account) has committed, and its account is seen, or waits.
        pending = list(Invitation.objects.select_for_update(no_key=True).filter(
            email=email, provider=provider, accepted_at__isnull=True,
            revoked_at__isnull=True).order_by("pk"))
        _refuse_an_account_there(actor, email, provider)
        for earlier in pending:
            if may_manage(actor, role=earlier.role, provider_id=earlier.provider_id):
                earlier.revoked_at = now
                earlier.save(update_fields=["revoked_at"])
                record_event(actor=actor, obj=earlier, action="invitation.revoked", at=now,
                             reason="Replaced by a new invitation to the same address.")
        invitation = Invitation.objects.create(
            email=email, role=role, provider=provider,
            first_name=first_name, last_name=last_name,
            secret_hash=Invitation.hash_secret(secret), invited_by=actor, created_at=now,
            expires_at=now + timedelta(days=settings.INVITATION_EXPIRY_DAYS))
        record_event(actor=actor, obj=invitation, action="invitation.sent", at=now,
                     changes={"email": [None, invitation.email], "role": [None, role],
                              "provider": [None, provider_id]})
        link = invitation_link(invitation, secret)
        # The invitee has no account yet: the e-mail goes to an address, as a would-be user.
        invitee = User(email=invitation.email, role=role, provider=provider,
                       first_name=first_name, last_name=last_name, timezone=actor.timezone)
        # The outbox keeps the link sealed: it is opened when the e-mail is rendered.
        queue_email(recipients=[invitee], template="invitation", context={
            "invitation": invitation, "accept_url": secrets.seal(link), "invited_by": actor,
        })
    return invitation, link


def _refuse_an_account_there(actor, email, provider):
    """An account of `email` on the side invited to (the provider's staff, or USPS's) is
    changed on its page, not made again: a new one would get around who may open a closed
    account again. Accounts elsewhere are not the inviter's to know of."""
    existing = (User.objects.filter(email__iexact=email, provider=provider)
                .order_by("-is_active", "pk").first())
    if existing is None:
        return
    if existing.is_active:
        raise ValidationError({"email": [
            f"{email} already has an account here ({existing.username}): change its role on "
            "its page in People."]})
    if may_reactivate(actor, existing):
        raise ValidationError({"email": [
            f"{email} has a closed account here ({existing.username}): open it again from "
            "its page in People."]})
    raise ValidationError({"email": [
        f"{email} has an account here ({existing.username}) that USPS closed: only a USPS "
        "manager opens it again."]})


def _has_account_there(invitation):
    """The reason a link of an address with an account on the side it was invited to is
    refused (`has_account`, or `has_closed_account` when that account is closed), else
    None."""
    accounts = list(User.objects.filter(email__iexact=invitation.email,
                                        provider_id=invitation.provider_id)
                    .values_list("is_active", flat=True))
    if not accounts:
        return None
    return "has_account" if any(accounts) else "has_closed_account"


def check_invitation(pk, secret, now=None):
    """The pending invitation behind link `<pk>-<secret>`, or InvitationUnusable.

    A link whose secret does not match a real invitation is recorded: it was altered.
    """
    now = now or timezone.now()
    invitation = Invitation.objects.select_related("provider").filter(pk=pk).first()
    if invitation is None:
        raise InvitationUnusable("invalid")
    if not invitation.matches(secret):
        with transaction.atomic():
            record_event(actor=None, obj=invitation, action="invitation.link_rejected",
                         reason="The link was altered: its secret does not match.")
        raise InvitationUnusable("invalid")
    if invitation.accepted_at:
        with transaction.atomic():
            record_event(actor=None, obj=invitation, action="invitation.link_rejected",
                         reason="The link was opened again after it was used.")
        raise InvitationUnusable("used")
    if invitation.revoked_at or not _inviter_may_still(invitation):
        raise InvitationUnusable(_has_account_there(invitation) or "revoked")
    if invitation.expires_at <= now:
        raise InvitationUnusable("expired")
    return invitation


def accept_invitation(*, pk, secret, username, password, first_name="", last_name="",
                      timezone_name="America/New_York"):
    """Make the invited person's account with the password they chose (Django's
    validators apply) and spend the invitation. Returns the new user.

    Raises InvitationUnusable for a link that is altered, used, revoked or expired, or
    whose address has an account on that side already (moved there since), and
    ValidationError for a taken username or a weak password; nothing is created then.
    """
    check_invitation(pk, secret)
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update(no_key=True).get(pk=pk)
        if invitation.accepted_at or invitation.revoked_at:  # spent while the form was open
            raise InvitationUnusable("used" if invitation.accepted_at else "revoked")
        if not _inviter_may_still(invitation):
            raise InvitationUnusable("revoked")
        account = _has_account_there(invitation)
        if account:
            # The address has its account there since (moved there by a role change): one
            # address, one account on a side.
            raise InvitationUnusable(account)
        user = create_user(actor=invitation.invited_by, username=username,
                           role=invitation.role, password=password,
                           provider=invitation.provider, email=invitation.email,
                           timezone_name=timezone_name, first_name=first_name,
                           last_name=last_name)
        invitation.accepted_at = timezone.now()
        invitation.accepted_user = user
        invitation.save(update_fields=["accepted_at", "accepted_user"])
        record_event(actor=user, obj=invitation, action="invitation.accepted",
                     at=invitation.accepted_at, changes={"user": [None, user.username]})
        # The address has its account there: any other link to it is spent with this one.
        for other in Invitation.objects.select_for_update(no_key=True).filter(
                email=invitation.email, provider_id=invitation.provider_id,
                accepted_at__isnull=True, revoked_at__isnull=True).order_by("pk"):
            other.revoked_at = invitation.accepted_at
            other.save(update_fields=["revoked_at"])
            record_event(actor=user, obj=other, action="invitation.revoked",
                         at=invitation.accepted_at,
                         reason=f"The address made its account ({user.username}) through "
                                "another invitation.")
    return user


@transaction.atomic
def revoke_invitation(*, actor, invitation):
    """Withdraw a pending invitation so its link no longer works."""
    # The author first, as they are now (a request read before the account was closed or
    # moved): closing an account locks its row, then withdraws its invitations.
    hold_actor(actor)
    invitation = Invitation.objects.select_for_update(no_key=True).get(pk=invitation.pk)
    if not may_manage(actor, role=invitation.role, provider_id=invitation.provider_id):
        raise PermissionDenied("You may not withdraw this invitation.")
    if invitation.accepted_at or invitation.revoked_at:
        raise ValidationError("This invitation was already used or withdrawn.")
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    record_event(actor=actor, obj=invitation, action="invitation.revoked",
                 at=invitation.revoked_at)
    return invitation
