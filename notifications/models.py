import hashlib
from email.utils import parseaddr

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.functional import cached_property

from compliance.models.hashed import HashedSecret


class EmailState(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed for good"
    SKIPPED = "skipped", "Not sent: no longer applies"


class OutboundEmail(models.Model):
    """One e-mail to one recipient: written before it is sent, claimed before sending and
    rendered at each attempt from what `context` refers to, as it is then.

    `key` makes a message unique (e.g. one reminder step of one obligation for one
    recipient): a second attempt to queue the same key is a no-op, so retries, a second
    worker or a second scheduler cannot queue it twice. Every attempt carries the same
    Message-ID, derived from the key, so a receiver can drop the copy that a crash between
    the server's acceptance and our record of it would send.
    """

    key = models.CharField(max_length=200)
    template = models.CharField(max_length=100)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="emails"
    )
    to_address = models.EmailField()
    context = models.JSONField(
        default=dict, blank=True,
        help_text="What the e-mail shows, as references to rows and plain values.")
    obligation = models.ForeignKey(
        "compliance.Obligation", null=True, blank=True, on_delete=models.CASCADE,
        related_name="emails",
    )
    step = models.CharField(max_length=60, blank=True,
                            help_text="The reminder or escalation step, for obligation e-mails.")
    audience = models.CharField(max_length=30, blank=True)
    subject = models.CharField(max_length=300, blank=True,
                               help_text="As rendered at the latest attempt.")
    state = models.CharField(max_length=10, choices=EmailState.choices,
                             default=EmailState.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(
        help_text="When a pending e-mail may next be tried; a claim's lease end while sending."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True,
                                  help_text="Why the latest attempt failed, or was not made.")
    duration_ms = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # A constraint rather than `unique=True`: on PostgreSQL the field option also
            # builds a second, pattern-matching index on the key that nothing reads.
            models.UniqueConstraint(fields=["key"], name="email_key_unique"),
        ]
        indexes = [
            models.Index(fields=["next_attempt_at"], name="email_unsent_next_attempt",
                         condition=Q(state__in=["pending", "sending"])),
        ]

    def __str__(self):
        return f"{self.template} to {self.to_address} ({self.state})"

    @property
    def message_id(self):
        """The Message-ID of every attempt: a digest of the key at the sender's domain."""
        digest = hashlib.sha256(self.key.encode()).hexdigest()[:40]
        domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
        return f"<{digest}@{domain}>"

    @cached_property
    def rendered(self):
        """(subject, body_text, body_html) as it would be sent now, or None when it no longer
        applies (see `notifications.rendering`)."""
        from .rendering import render_rows

        return render_rows([self])[self.pk]


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


class CalendarFeedQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True, user__is_active=True)


class CalendarFeed(HashedSecret, models.Model):
    """A user's private iCal feed of their outstanding obligations, behind a secret URL.

    Only the SHA-256 of the secret is stored, like an API token: the secret is the whole
    credential (calendar apps cannot sign in), so a copy of the database, a backup or an
    admin page must not be enough to read anyone's deadlines. The price is that the URL is
    shown once, when made; a user who loses it makes a new one, which retires the old.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="calendar_feed")
    token_hash = models.CharField(max_length=64, unique=True,
                                  help_text="SHA-256 of the secret in the feed's URL.")
    prefix = models.CharField(max_length=8, help_text="The first characters, to tell feeds apart.")
    created_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = CalendarFeedQuerySet.as_manager()

    class Meta:
        ordering = ["user_id"]

    def __str__(self):
        state = "revoked" if self.revoked_at else "active"
        return f"Calendar feed {self.prefix}… of {self.user} ({state})"

    @property
    def is_active(self):
        return self.revoked_at is None

