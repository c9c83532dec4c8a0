from django.db import models
from django.db.models import Q


class PublishedChange(models.Model):
    """A state change of the compliance app, published for the apps above it to act on
    after it commits (e-mails, the reminder schedule): written in the change's own
    transaction, so a change and its publication commit or roll back together, and handled
    once (`compliance.changes`)."""

    topic = models.CharField(max_length=64)
    payload = models.JSONField(default=dict, blank=True,
                               help_text="Ids and plain values; never a rendered text.")
    published_at = models.DateTimeField()
    handled_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["published_at", "id"]
        indexes = [
            # What is still to handle: the catch-up's only question.
            models.Index(fields=["published_at"], name="change_unhandled",
                         condition=Q(handled_at__isnull=True)),
        ]

    def __str__(self):
        return f"{self.topic} {self.payload}"
