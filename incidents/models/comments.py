import pgtrigger
from django.conf import settings
from django.db import models


class CommentVisibility(models.TextChoices):
    SHARED = "shared", "Shared with the provider"
    INTERNAL = "internal", "Internal to USPS"


class CommentSide(models.TextChoices):
    USPS = "usps", "USPS"
    PROVIDER = "provider", "Provider"


class CommentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Comments on the incidents the user may see; provider staff never see internal ones."""
        from .incident import Incident

        qs = self.filter(incident__in=Incident.objects.visible_to(user))
        if not (user.is_authenticated and user.is_usps):
            qs = qs.filter(visibility=CommentVisibility.SHARED)
        return qs


class Comment(models.Model):
    """One message in an incident's thread between the provider and USPS. Append-only:
    never edited or deleted. An internal comment is for USPS eyes only."""

    incident = models.ForeignKey("incidents.Incident", on_delete=models.PROTECT,
                                 related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+")
    body = models.TextField()
    visibility = models.CharField(max_length=10, choices=CommentVisibility.choices,
                                  default=CommentVisibility.SHARED)
    # The side the author wrote for, kept as written: someone who later moves to another
    # side (or provider) did not write this comment for it.
    author_side = models.CharField(max_length=8, choices=CommentSide.choices)
    created_at = models.DateTimeField()
    # The page's form sent it with this key (the form's own, and a digest of what it said):
    # sent again (a double click, a retry after a lost answer), it is the same comment.
    submission_key = models.CharField(max_length=100, blank=True, default="")

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["incident_id", "created_at", "id"]
        indexes = [models.Index(fields=["incident", "created_at"], name="comment_incident")]
        constraints = [models.UniqueConstraint(
            fields=["incident", "author", "submission_key"],
            condition=~models.Q(submission_key=""), name="comment_sent_once")]
        # The database refuses to change or remove one, whoever asks (PostgreSQL).
        triggers = [pgtrigger.Protect(name="comment_append_only",
                                      operation=pgtrigger.Update | pgtrigger.Delete)]

    def __str__(self):
        return f"{self.get_visibility_display()} comment"

    @property
    def is_internal(self):
        return self.visibility == CommentVisibility.INTERNAL
