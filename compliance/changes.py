"""State changes published after commit, for the apps above compliance to act on.

The compliance app knows no other app, yet some of its changes must e-mail people or move
the reminder schedule. Each such change calls `publish(topic, **payload)` inside its own
transaction: a `PublishedChange` row is written with it, and after the commit the
subscribers of the topic (`notifications` registers them when it is ready) are called with
the payload. So every caller of a service (page, API, admin, task) gets the same side
effects, and none can skip them.

Handling is exactly once by construction: a row is claimed (`handled_at` set) in the same
transaction as its subscribers' writes (e-mails go to the outbox in it), so a second
handler finds it taken, and a failing subscriber leaves it unhandled. What the after-commit
call did not handle (the process died, a subscriber failed) is handled by
`handle_pending`, which the outbox worker runs before each send.
"""

import logging
from collections import defaultdict
from datetime import timedelta
from functools import partial

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models.changes import PublishedChange

log = logging.getLogger(__name__)

SUBSCRIBERS = defaultdict(list)
# The after-commit call normally handles a change at once; the catch-up leaves it that
# long first, so the two do not race for it.
GRACE = timedelta(seconds=10)
MAX_ATTEMPTS = 6


def subscribe(*topics):
    """Decorator: call the function with the payload of every change of these topics."""
    def register(function):
        for topic in topics:
            if function not in SUBSCRIBERS[topic]:
                SUBSCRIBERS[topic].append(function)
        return function
    return register


def publish(topic, **payload):
    """Record that `topic` happened (payload: ids and plain JSON values) in the caller's
    transaction; its subscribers are called after the commit. Returns the row."""
    change = PublishedChange.objects.create(topic=topic, payload=payload,
                                            published_at=timezone.now())
    transaction.on_commit(partial(_handle_logged, change.pk), robust=True)
    return change


def handle(pk):
    """Call the subscribers of change `pk` unless someone already has; True if this call
    handled it. A subscriber's exception rolls its writes back and leaves the change to
    the catch-up."""
    with transaction.atomic():
        claimed = PublishedChange.objects.filter(pk=pk, handled_at__isnull=True).update(
            handled_at=timezone.now(), attempts=F("attempts") + 1)
        if not claimed:
            return False
        change = PublishedChange.objects.get(pk=pk)
        for subscriber in SUBSCRIBERS.get(change.topic, ()):
            subscriber(**change.payload)
    return True


def _handle_logged(pk):
    try:
        return handle(pk)
    except Exception as exc:
        PublishedChange.objects.filter(pk=pk, handled_at__isnull=True).update(
            attempts=F("attempts") + 1, last_error=f"{exc.__class__.__name__}: {exc}"[:2000])
        log.exception("change %s was not handled; the catch-up tries again", pk)
        return False


def handle_pending(now=None, limit=200):
    """Handle changes published before `now` minus the grace period and still unhandled
    (at most `limit`, oldest first, each tried at most `MAX_ATTEMPTS` times). Returns how
    many were handled."""
    now = now or timezone.now()
    ids = list(PublishedChange.objects.filter(
        handled_at__isnull=True, published_at__lte=now - GRACE, attempts__lt=MAX_ATTEMPTS)
        .order_by("published_at", "id").values_list("pk", flat=True)[:limit])
    return sum(bool(_handle_logged(pk)) for pk in ids)
