from dataclasses import dataclass
from datetime import datetime

from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max, Min, Q, Sum
from django.utils import timezone

from compliance.models import User
from compliance.services import hold_actor, record_event


@dataclass(frozen=True)
class Lockout:
    """A username refused at sign-in until `until`, after `failures` failed attempts."""

    username: str
    failures: int
    first_failure_at: datetime
    last_failure_at: datetime
    until: datetime
    user: User | None


def current_lockouts(now=None):
    """Usernames locked out now, newest first; the username need not belong to anyone."""
    now = now or timezone.now()
    # A username's failures are one chain while its newest is within the cool-off
    # (`accounts.signin.ChainedFailuresHandler`), from whatever browsers and addresses.
    rows = (AccessAttempt.objects.values("username")
            .annotate(failures=Sum("failures_since_start"), first=Min("attempt_time"),
                      last=Max("attempt_time"))
            .filter(last__gt=now - settings.AXES_COOLOFF_TIME,
                    failures__gte=settings.AXES_FAILURE_LIMIT)
            .order_by("-last", "username"))
    rows = list(rows)
    # Attempts are kept under the username in lower case (Python's: "Émile" is "émile"); an
    # account's may have capitals. Matched without the database's LOWER, which folds ASCII
    # letters alone on SQLite.
    wanted = Q()
    for row in rows:
        wanted |= Q(username__iexact=row["username"])
    users = {u.username.lower(): u for u in User.objects.filter(wanted)} if rows else {}
    return [Lockout(username=r["username"], failures=r["failures"], first_failure_at=r["first"],
                    last_failure_at=r["last"], until=r["last"] + settings.AXES_COOLOFF_TIME,
                    user=users.get(r["username"].lower())) for r in rows]


def _subject(username):
    """What a lockout event is about: the account, or the attempts when there is none."""
    user = User.objects.filter(username__iexact=username).first()
    return user or AccessAttempt.objects.filter(username=username).order_by("-id").first()


def record_lockout(*, username, address):
    """Write the audit event of a username just locked out at sign-in."""
    subject = _subject(username)
    if subject is None:
        return
    with transaction.atomic():
        record_event(actor=None, obj=subject, action="user.locked_out",
                     changes={"username": [None, username], "address": [None, address],
                              "locked_until": [None, (timezone.now() + settings.AXES_COOLOFF_TIME)
                                               .isoformat(timespec="minutes")]})


@transaction.atomic
def clear_lockout(*, actor, username, request=None):
    """Let `username` try to sign in again now (a USPS manager, audited): django-axes'
    count of its failures, and allauth's (`request`: the manager's, on the same site),
    which goes on counting the tries refused while the username is locked. Returns how
    many attempt records were cleared: 0, recording nothing, when there were none."""
    if not hold_actor(actor).is_usps_manager:  # as they are now: a closed account is refused
        raise PermissionDenied("Only USPS managers clear lockouts.")
    # Its failures, held: the same clearing sent twice (a double click) finds them gone
    # and records nothing, nor does one of a username with no failure counted.
    if not list(AccessAttempt.objects.select_for_update().filter(username=username)
                .values_list("pk", flat=True)):
        return 0
    subject = _subject(username)
    if subject is None:
        return 0
    record_event(actor=actor, obj=subject, action="user.lockout_cleared",
                 changes={"locked_out": [username, None]})
    if request is not None:
        _clear_allauth_failures(request, username)
    return axes_reset(username=username)


def _clear_allauth_failures(request, username):
    """allauth's failed sign-ins counted for the username (its per-key rate), as its own
    password reset clears them; its per-address counts stay."""
    from allauth.account.adapter import get_adapter
    from allauth.core.internal import ratelimit

    rates = settings.ACCOUNT_RATE_LIMITS["login_failed"]
    per_key = ",".join(rate for rate in rates.split(",") if rate.endswith("/key"))
    ratelimit.clear(request, app="allauth.account", action="login_failed",
                    config={"login_failed": per_key},
                    key=get_adapter(request)._get_login_attempts_cache_key(
                        request, username=username))
