from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Invitation
from compliance.errors import Conflict
from compliance.models import ApiToken, AuditEvent, Provider, Role, User
from compliance.models.users import ROLE_PHRASES, USPS_ROLES
from compliance.services import record_event
from notifications.calendar import retire_calendar_feed
from notifications.models import EmailPreference
from notifications.services import skip_unsent_to
from notifications.sweep import follow_reviewer

from .rules import may_manage, refuse
from .sessions import end_sessions


def locked_with_actor(actor, user):
    """`user` read again and locked, with `actor` (in id order): each as the other's
    change left them. The caller's `actor` is then as they are now, for every check that
    follows (the role they give, the side that closes an account): a request read before
    they were closed or moved is judged by what they are now."""
    locked = {person.pk: person for person in User.objects.select_for_update(no_key=True)
              .filter(pk__in=[actor.pk, user.pk]).order_by("pk")}
    fresh = locked[actor.pk]
    actor.is_active, actor.role, actor.provider_id = (fresh.is_active, fresh.role,
                                                      fresh.provider_id)
    return locked[user.pk]


def _lock_manageable(actor, user):
    """`user` read again and locked, with `actor` (`locked_with_actor`), so two officers
    closing each other's accounts at once cannot both succeed."""
    if user.pk == actor.pk:
        raise ValidationError("You cannot do this to your own account.")
    user = locked_with_actor(actor, user)
    if not actor.is_active or not may_manage(actor, role=user.role,
                                             provider_id=user.provider_id):
        raise PermissionDenied("You may not manage this person.")
    return user


def _withdraw_invitations_beyond(user, now):
    """Withdraw the pending invitations `user` sent that they may no longer send (all of
    them once deactivated): returns how many."""
    beyond = [invitation.pk for invitation in Invitation.objects.filter(invited_by=user)
              .pending(now) if not may_manage(user, role=invitation.role,
                                              provider_id=invitation.provider_id)]
    # Still pending as the update finds them: one accepted meanwhile is not withdrawn.
    return Invitation.objects.filter(pk__in=beyond).pending(now).update(revoked_at=now)


def _spend_invitations_to(user, now):
    """Withdraw the pending invitations of `user`'s address to the side they have just
    joined: the address has its account there now (one address, one account on a side).
    Returns how many."""
    if not user.email:
        return 0
    return (Invitation.objects.filter(email__iexact=user.email, provider_id=user.provider_id)
            .pending(now).update(revoked_at=now))


@transaction.atomic
def deactivate_user(*, actor, user, reason=""):
    """Close `user`'s account: they cannot sign in, their sessions end on the server and
    their API tokens and calendar feed are revoked. USPS managers, or an officer for their
    own provider's staff."""
    user = _lock_manageable(actor, user)
    if not user.is_active:
        return user
    now = timezone.now()
    user.is_active = False
    user.save(update_fields=["is_active"])
    revoked = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now)
    ended = end_sessions(user)
    withdrawn = _withdraw_invitations_beyond(user, now)
    feeds = retire_calendar_feed(user, now)
    if user.role == Role.USPS_REVIEWER:
        follow_reviewer(user)  # what waits to go to them as a case's reviewer
    record_event(actor=actor, obj=user, action="user.deactivated", at=now, reason=reason,
                 changes={"is_active": [True, False], "api_tokens_revoked": [None, revoked],
                          "sessions_ended": [None, ended],
                          "invitations_withdrawn": [None, withdrawn],
                          "calendar_feeds_revoked": [None, feeds],
                          "closed_by": [None, USPS_SIDE if actor.is_usps else PROVIDER_SIDE]})
    return user


USPS_SIDE, PROVIDER_SIDE = "usps", "provider"


def closed_by_usps(user):
    """Whether the account was last closed by USPS staff (a USPS manager's decision, which
    a provider's officer does not undo): the side its closer was on when they closed it,
    whatever side they are on now."""
    last = (AuditEvent.objects.for_object(user).filter(action="user.deactivated")
            .select_related("actor").order_by("-sequence").first())
    if last is None:
        return False
    side = (last.changes or {}).get("closed_by")
    if side:
        return side[1] == USPS_SIDE
    # Closed before the side was kept: the closer's role now.
    return last.actor is not None and last.actor.is_usps


def may_reactivate(actor, user):
    return not user.is_active and (actor.is_usps_manager or not closed_by_usps(user))


@transaction.atomic
def reactivate_user(*, actor, user, reason=""):
    """Open a closed account again; its old API tokens and calendar feed stay revoked. An
    account USPS closed is opened again by a USPS manager only."""
    user = _lock_manageable(actor, user)
    if user.is_active:
        return user
    if not may_reactivate(actor, user):
        raise PermissionDenied("USPS closed this account: only a USPS manager opens it again.")
    user.is_active = True
    user.save(update_fields=["is_active"])
    record_event(actor=actor, obj=user, action="user.reactivated", reason=reason,
                 changes={"is_active": [False, True]})
    return user


def _provider_named(provider_id):
    if provider_id is None:
        return None
    name = Provider.objects.filter(pk=provider_id).values_list("name", flat=True).first()
    return {"id": provider_id, "name": name or str(provider_id)}


def change_role(*, actor, user, role, provider_id=None, reason="", shown=None):
    """Give `user` another role (and provider, for a USPS manager's change).

    A provider officer moves their own provider's staff between officer and viewer only; a
    request for anything else is refused and recorded. `shown`: the (role, provider id) a
    page showed; changed since, the change is refused (Conflict) rather than undo it.
    """
    if actor.is_provider_officer and not may_manage(actor, role=role, provider_id=provider_id):
        refuse(actor=actor, obj=user, action="user.role_change_refused",
               message="You can make your provider's staff officers or viewers only.",
               changes={"role": [user.role, role], "provider": [user.provider_id, provider_id]})
    with transaction.atomic():
        user = _lock_manageable(actor, user)
        if not may_manage(actor, role=role, provider_id=provider_id):
            raise PermissionDenied("You may not give this role.")
        if role not in Role.values:
            raise ValidationError({"role": "Choose a role."})
        old_role, old_provider = user.role, user.provider_id
        if (old_role, old_provider) == (role, provider_id):
            return user
        if shown is not None and tuple(shown) != (old_role, old_provider):
            now_is = ROLE_PHRASES.get(old_role, "a user") + (
                f" of {_provider_named(old_provider)['name']}" if old_provider else "")
            raise Conflict(f"{user} was made {now_is} since this page was shown: read the "
                           "page again, then change the role.")
        user.role = role
        user.provider = Provider.objects.filter(pk=provider_id).first() if provider_id else None
        user.full_clean(exclude=["password"])  # the role/provider constraint, readably
        user.save(update_fields=["role", "provider"])
        changes = {}
        if old_role != role:
            changes["role"] = [old_role, role]
        if old_provider != provider_id:
            # By name as well as id: the history reads the provider, not a number.
            changes["provider"] = [_provider_named(old_provider), _provider_named(provider_id)]
        if old_role == Role.USPS_REVIEWER and role != Role.USPS_REVIEWER:
            follow_reviewer(user)  # what waits to go to them as a case's reviewer
        withdrawn = _withdraw_invitations_beyond(user, timezone.now())
        if withdrawn:
            changes["invitations_withdrawn"] = [None, withdrawn]
        if old_provider != provider_id or (old_role in USPS_ROLES) != user.is_usps:
            spent = _spend_invitations_to(user, timezone.now())
            if spent:
                changes["invitations_to_them_spent"] = [None, spent]
            # What waits to be sent was written for the side they have left.
            changes["emails_skipped"] = [None, skip_unsent_to(
                user, "the recipient has moved to another side since it was written")]
            # A calendar app holding the feed's URL would read the new side's deadlines,
            # the tooling holding a token would act with the new side's rights, and so
            # would a browser left signed in on the old side: they sign in again.
            now = timezone.now()
            changes["sessions_ended"] = [None, end_sessions(user)]
            changes["calendar_feeds_revoked"] = [None, retire_calendar_feed(user, now)]
            # Mutes and the digest were chosen for the side left, whose e-mails they
            # meant (a reviewer's mute stops escalations, an officer's the reminders).
            if EmailPreference.objects.filter(user=user).exclude(
                    muted_kinds=[], daily_digest=False).update(muted_kinds=[],
                                                               daily_digest=False):
                changes["email_preferences_reset"] = [None, True]
            changes["api_tokens_revoked"] = [None, ApiToken.objects.filter(
                user=user, revoked_at__isnull=True).update(revoked_at=now)]
        record_event(actor=actor, obj=user, action="user.role_changed", reason=reason,
                     changes=changes)
    return user
