"""The daily digest: one e-mail a day to each USPS reviewer who chose it, about the queue."""

from django.utils import timezone

from compliance.inbox import inbox_counts
from compliance.models import Obligation, Role, User

from .models import EmailPreference
from .services import queue_email

DIGEST_ROWS = 50


def send_digests(now=None):
    """Queue today's digest for each reviewer who takes one; a second run the same day
    queues nothing (the e-mail key carries the date). Returns how many were queued."""
    now = now or timezone.now()
    today = now.date()
    reviewers = User.objects.filter(
        role=Role.USPS_REVIEWER, is_active=True, email_preference__daily_digest=True
    )
    queued = 0
    for reviewer in reviewers:
        outstanding = Obligation.objects.visible_to(reviewer).provider_duties().outstanding()
        context = {
            "obligations": list(outstanding.select_related("provider").order_by("due_at")
                                [:DIGEST_ROWS]),
            "total": outstanding.count(),
            "overdue": outstanding.filter(due_at__lte=now).count(),
            "usps_inbox": inbox_counts(reviewer, now),
            "now": now,
        }
        queued += len(queue_email(recipients=[reviewer], template="daily_digest",
                                  context=context, key=f"digest:{today.isoformat()}"))
        EmailPreference.objects.filter(user=reviewer).update(last_digest_on=today)
    return queued
