from dataclasses import dataclass
from datetime import datetime

from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max, Min, Sum
from django.db.models.functions import Lower
from django.utils import timezone

from compliance.models import User
from compliance.services import record_event


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
    rows = (AccessAttempt.objects.filter(attempt_time__gt=now - settings.AXES_COOLOFF_TIME)
            .values("username")
            .annotate(failures=Sum("failures_since_start"), first=Min("attempt_time"),
                      last=Max("attempt_time"))
            .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
            .order_by("-last", "username"))
    rows = list(rows)
    # Attempts are kept under the username in lower case; an account's may have capitals.
    users = {u.username.lower(): u for u in User.objects.alias(folded=Lower("username"))
             .filter(folded__in=[r["username"].lower() for r in rows])}
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
def clear_lockout(*, actor, username):
    """Let `username` try to sign in again now (a USPS manager, audited)."""
    if not (actor.is_active and actor.is_usps_manager):
        raise PermissionDenied("Only USPS managers clear lockouts.")
    subject = _subject(username)
    if subject is None:
        return 0
    record_event(actor=actor, obj=subject, action="user.lockout_cleared",
                 changes={"locked_out": [username, None]})
    return axes_reset(username=username)
