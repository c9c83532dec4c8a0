"""Who chooses which reminder e-mails: the one service that changes an EmailPreference."""

from django.core.exceptions import ValidationError
from django.db import transaction

from compliance.models import ObligationKind, Role
from compliance.models.obligations import PROVIDER_KINDS
from compliance.services import hold_actor, record_event

from .models import EmailPreference
from .recipients import UNMUTABLE_KINDS


def can_take_digest(user):
    """Only USPS reviewers have a queue to digest (see `digest.send_digests`)."""
    return user.role == Role.USPS_REVIEWER


def kinds_for(user):
    """The obligation kinds whose reminders `user` can receive: USPS staff also get USPS's
    own targets; provider staff never hear of them."""
    if user.is_usps:
        return list(ObligationKind)
    return list(PROVIDER_KINDS)


def locked_kinds(user):
    """Kinds whose reminders `user` cannot mute: provider staff always get the 24-hour
    notification reminders of their own provider."""
    return set(UNMUTABLE_KINDS) if user.is_provider_staff else set()


def preference_of(user):
    """The user's stored preference, or an unsaved one with the defaults (everything on)."""
    try:
        return user.email_preference
    except EmailPreference.DoesNotExist:
        return EmailPreference(user=user)


@transaction.atomic
def update_email_preference(*, actor, muted_kinds, daily_digest):
    """Store which obligation kinds `actor` mutes and whether they take the daily digest.

    Refuses (ValidationError) an unknown kind, muting an unmutable kind for provider
    staff, and the digest for anyone but a USPS reviewer, by the role `actor` has now (a
    closed account is refused). Writes one audit event on the user when something changed.
    """
    hold_actor(actor)  # as they are now: a closed account, a move, is seen
    muted = sorted({str(kind) for kind in muted_kinds})
    allowed = {kind.value for kind in kinds_for(actor)}
    unknown = [kind for kind in muted if kind not in allowed]
    if unknown:
        raise ValidationError({"muted_kinds": f"Unknown obligation kind: {', '.join(unknown)}."})
    if set(muted) & locked_kinds(actor):
        raise ValidationError({"muted_kinds": (
            "Provider staff cannot mute the 24-hour notification reminders of their provider.")})
    daily_digest = bool(daily_digest)
    if daily_digest and not can_take_digest(actor):
        raise ValidationError({"daily_digest": "Only USPS reviewers can take the daily digest."})

    preference, _ = EmailPreference.objects.select_for_update(no_key=True).get_or_create(user=actor)
    changes = {}
    if sorted(preference.muted_kinds or []) != muted:
        changes["muted_kinds"] = [sorted(preference.muted_kinds or []), muted]
    if preference.daily_digest != daily_digest:
        changes["daily_digest"] = [preference.daily_digest, daily_digest]
    if changes:
        preference.muted_kinds = muted
        preference.daily_digest = daily_digest
        preference.save(update_fields=["muted_kinds", "daily_digest"])
        record_event(actor=actor, obj=actor, action="email_preference.updated", changes=changes)
    return preference
