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
    obligation = models.ForeignKey(
        "compliance.Obligation", null=True, blank=True, on_delete=models.CASCADE,
        related_name="emails",
    )
    step = models.CharField(max_length=60, blank=True,
                            help_text="The reminder or escalation step, for obligation e-mails.")
    audience = models.CharField(max_length=30, blank=True)
    subject = models.CharField(max_length=300, blank=True,
                               help_text="Empty until rendered; reminders render when sent.")
    body_text = models.TextField(blank=True)
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


class EmailPreference(models.Model):
    """Which reminder e-mails a user takes, and whether a USPS reviewer takes a daily digest.

    Nobody can mute the 24-hour notification reminders, nor escalations, of their own
    provider: `wants` enforces that whatever is stored here.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="email_preference")
    muted_kinds = models.JSONField(default=list, blank=True)
    daily_digest = models.BooleanField(
        default=False, help_text="USPS reviewers: one e-mail a day about the queue instead."
    )
    last_digest_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["user_id"]

    def __str__(self):
        return f"E-mail preferences of {self.user}"
