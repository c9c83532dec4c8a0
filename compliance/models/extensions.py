import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q

from .kept import filed_then_decided_once


class ExtensionState(models.TextChoices):
    PENDING = "pending", "Pending"
    GRANTED = "granted", "Granted"
    DENIED = "denied", "Denied"


class ExtensionRequestQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Requests on the obligations the user may see (the obligation's own door)."""
        from .obligations import Obligation

        return self.filter(obligation__in=Obligation.objects.visible_to(user))

    def pending(self):
        return self.filter(state=ExtensionState.PENDING)


# What USPS's decision writes on a request; nothing else of it ever changes.
DECISION_FIELDS = ["state", "granted_due_at", "decided_by", "decided_at", "comment"]


class ExtensionRequest(models.Model):
    """A provider officer's request for more time on an obligation, and USPS's decision.

    Append-only once decided: a later request is a new row. The due time it asked to move
    is kept (`due_at_when_requested`), so the exchange reads the same years later.
    """

    obligation = models.ForeignKey("compliance.Obligation", on_delete=models.PROTECT,
                                   related_name="extension_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+")
    due_at_when_requested = models.DateTimeField()
    requested_due_at = models.DateTimeField()
    granted_due_at = models.DateTimeField(
        null=True, blank=True,
        help_text="The due time USPS granted: the one asked for, or another USPS chose.")
    justification = models.TextField()
    state = models.CharField(max_length=10, choices=ExtensionState.choices,
                             default=ExtensionState.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(blank=True, help_text="USPS's comment on the decision.")
    created_at = models.DateTimeField()

    objects = ExtensionRequestQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["obligation"], condition=Q(state="pending"),
                                    name="one_pending_extension_per_obligation"),
            models.CheckConstraint(
                name="extension_decided_when_not_pending",
                condition=(Q(state="pending", decided_at__isnull=True)
                           | (~Q(state="pending") & Q(decided_at__isnull=False))),
            ),
        ]
        # Never deleted, what was filed never changed, USPS's one decision written once.
        triggers = filed_then_decided_once("extension_request", decision_fields=DECISION_FIELDS,
                                           pending=pgtrigger.Q(old__state=ExtensionState.PENDING))

    def __str__(self):
        return f"Extension request ({self.get_state_display().lower()})"

    @property
    def provider_id(self):
        return self.obligation.provider_id
