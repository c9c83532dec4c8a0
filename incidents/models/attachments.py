import uuid

import pgtrigger
from django.conf import settings
from django.db import models


def attachment_path(instance, filename):
    """A random stored name: the uploader's file name never reaches the file system."""
    return f"incident-attachments/{instance.incident.provider_id}/{uuid.uuid4().hex}"


class AttachmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Attachments of the incidents the user may see."""
        from .incident import Incident

        return self.filter(incident__in=Incident.objects.visible_to(user))


class Attachment(models.Model):
    """A file added to an incident, as a draft or after filing. Served only through a
    permission-checked download, as an attachment."""

    incident = models.ForeignKey("incidents.Incident", on_delete=models.PROTECT,
                                 related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=200)
    name = models.CharField(max_length=255, help_text="The name the uploader gave the file.")
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    uploaded_at = models.DateTimeField()

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        ordering = ["incident_id", "uploaded_at", "id"]
        # Kept as added, whoever asks the database (PostgreSQL); the record names its hash.
        triggers = [pgtrigger.Protect(name="attachment_append_only",
                                      operation=pgtrigger.Update | pgtrigger.Delete)]

    def __str__(self):
        return self.name
