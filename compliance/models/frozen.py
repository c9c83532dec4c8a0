import json

from django.conf import settings
from django.db import models


class FrozenVersion(models.Model):
    """What every filed version keeps, frozen: the canonical JSON (`compliance.canonical`),
    its SHA-256, who filed it and when, and what changed against the version before.
    Never edited."""

    number = models.PositiveIntegerField()
    canonical_json = models.TextField(help_text="The exact bytes (UTF-8) the hash covers.")
    sha256 = models.CharField(max_length=64)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+")
    submitted_at = models.DateTimeField()
    changes = models.JSONField(default=dict, blank=True,
                               help_text="{field: [before, after]} against the previous version.")

    class Meta:
        abstract = True

    @property
    def document(self):
        return json.loads(self.canonical_json)

    @property
    def content(self):
        return self.document["content"]
