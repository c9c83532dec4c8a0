import pgtrigger
from django.db import models

from compliance.models.frozen import FrozenVersion


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
