import json

import pgtrigger
from django.conf import settings
from django.db import models


class FrozenVersion(models.Model):
    """What every filed version keeps, frozen: the canonical JSON, its SHA-256, who filed
    it and when, and what changed against the version before. Never edited."""

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


class IncidentVersion(FrozenVersion):
    """One filed version of an incident (version 1 the notification, then amendments)."""

    incident = models.ForeignKey("incidents.Incident", on_delete=models.PROTECT,
                                 related_name="versions")
    amendment_reason = models.TextField(blank=True)

    class Meta:
        # Filed is final: not even the admin or a stray script may change or remove it.
        triggers = [pgtrigger.Protect(name="incident_version_append_only",
                                      operation=pgtrigger.Update | pgtrigger.Delete)]
        ordering = ["incident_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "number"],
                                    name="incident_version_number_unique"),
        ]

    def __str__(self):
        return f"{self.incident} version {self.number}"


class ReferenceCounter(models.Model):
    """The last reference number given in a year. Locked while a submission takes the next
    one, so numbers are unique and without gaps even under concurrent submissions."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["year"]

    def __str__(self):
        return f"{self.year}: {self.last_number}"
