from django.db import models

from .choices import IncidentStatus
from .incident import CaseDoorQuerySet


class CaseCountQuerySet(CaseDoorQuerySet):
    """Counts through the incidents' own door: a count row carries its cases' provider
    and status."""

    def total(self):
        return self.aggregate(total=models.Sum("cases"))["total"] or 0


class CaseCount(models.Model):
    """How many cases a provider has in each status and category, and whether they wait
    for triage: kept by the database's triggers as cases are written (incidents/counts.py),
    so that counts over the whole register read a few hundred rows instead of every case."""

    provider = models.ForeignKey("compliance.Provider", on_delete=models.CASCADE,
                                 related_name="+", db_constraint=False)
    status = models.CharField(max_length=20, choices=IncidentStatus.choices)
    category = models.CharField(max_length=30)
    untriaged = models.BooleanField(help_text="Filed and not yet triaged.")
    cases = models.IntegerField(default=0)

    objects = CaseCountQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["provider", "status", "category", "untriaged"], name="case_count_key")]

    def __str__(self):
        return f"{self.provider_id} {self.status} {self.category}: {self.cases}"
