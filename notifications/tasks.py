from celery import shared_task

from . import digest, services, sweep


@shared_task(acks_late=True)
def deliver_email_task(pk):
    """Send outbound e-mail `pk` if it is still due; safe to run twice."""
    return services.deliver(pk)


@shared_task
def retry_due_emails_task():
    """Send what is pending past its next try: lost enqueues, backoffs, expired leases."""
    sent = 0
    for pk in services.due_email_ids():
        if services.deliver(pk):
            sent += 1
    return sent


@shared_task
def sweep_deadlines_task():
    """One pass of the deadline sweep (the beat scheduler runs it every 30 s by default)."""
    return str(sweep.sweep())


@shared_task
def send_digests_task():
    """The daily queue digest for USPS reviewers who chose it."""
    return digest.send_digests()
