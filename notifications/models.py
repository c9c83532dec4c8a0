from django.conf import settings
from django.db import models
from django.db.models import Q


class EmailState(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed for good"


class OutboundEmail(models.Model):
    """One e-mail to one recipient, written before it is sent and claimed before sending.

    `key` makes a message unique (e.g. one reminder step of one obligation for one
    recipient): a second attempt to queue the same key is a no-op, so retries, a second
    worker or a second scheduler cannot send it twice.
    """

    key = models.CharField(max_length=200, unique=True, null=True, blank=True)
    template = models.CharField(max_length=100)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="emails"
    )
    to_address = models.EmailField()
    subject = models.CharField(max_length=300)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    state = models.CharField(max_length=10, choices=EmailState.choices,
                             default=EmailState.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(
        help_text="When a pending e-mail may next be tried; a claim's lease end while sending."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["next_attempt_at"], name="email_unsent_next_attempt",
                         condition=Q(state__in=["pending", "sending"])),
        ]

    def __str__(self):
        return f"{self.template} to {self.to_address} ({self.state})"
