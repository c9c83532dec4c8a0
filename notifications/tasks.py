from celery import shared_task

from . import digest, services, sweep


@shared_task
def send_due_emails_task():
    """Send what the outbox holds that is due: new e-mails, retries whose backoff is over
    and e-mails whose claim's lease ran out (the beat scheduler runs it every few seconds).
    """
    return services.send_due_emails()


@shared_task
def sweep_deadlines_task():
    """One pass of the deadline sweep (the beat scheduler runs it every 30 s by default)."""
    return str(sweep.sweep())


@shared_task
def send_digests_task():
    """The daily queue digest for USPS reviewers who chose it."""
    return digest.send_digests()
