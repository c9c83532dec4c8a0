from celery import shared_task

from compliance.changes import handle_pending

from . import digest, services, sweep


@shared_task
def send_due_emails_task():
    """Handle published changes an after-commit call left unhandled (their e-mails join
    the outbox), then send what the outbox holds that is due: new e-mails, retries whose
    backoff is over and e-mails whose claim's lease ran out (the beat scheduler runs it
    every few seconds)."""
    handle_pending()
    return services.send_due_emails()


@shared_task
def sweep_deadlines_task():
    """One pass of the deadline sweep (the beat scheduler runs it every 30 s by default)."""
    return str(sweep.sweep())


@shared_task
def send_digests_task():
    """The daily queue digest for USPS reviewers who chose it."""
    return digest.send_digests()
