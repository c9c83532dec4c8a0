"""The daily digest: one e-mail a day to each USPS reviewer who chose it, about the queue."""

from django.utils import timezone

from compliance.models import Role, User

from .models import EmailPreference
from .services import Email, queue_emails


def send_digests(now=None):
    """Queue today's digest for each reviewer who takes one; a second run the same day
    queues nothing (the e-mail key carries the date). The queue it shows is read when it
    is sent (`rendering`). Returns how many were queued."""
    now = now or timezone.now()
    today = now.date()
    reviewers = list(User.objects.filter(
        role=Role.USPS_REVIEWER, is_active=True, email_preference__daily_digest=True
    ))
    queued = queue_emails(Email([reviewer], "daily_digest", {}, f"digest:{today.isoformat()}")
                          for reviewer in reviewers)
    EmailPreference.objects.filter(user__in=reviewers).update(last_digest_on=today)
    return len(queued)
