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
    """The last reference number given out in a year. Its row is locked while a number is
    taken, so each number is given once (see `incidents.services.references`)."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["year"]

    def __str__(self):
        return f"{self.year}: {self.last_number}"


class ReferenceReservation(models.Model):
    """A reference number given out by the year's counter and not yet on a filing: taken
    ahead of a submission, or given back by one that failed. The next submission uses the
    lowest, so no number is lost."""

    year = models.PositiveSmallIntegerField()
    number = models.PositiveIntegerField()

    class Meta:
        ordering = ["year", "number"]
        constraints = [
            models.UniqueConstraint(fields=["year", "number"],
                                    name="reference_reservation_unique"),
        ]

    def __str__(self):
        return f"{self.year}: {self.number} in reserve"
