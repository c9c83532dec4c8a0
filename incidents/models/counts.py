from django.db import models

from .choices import IncidentStatus


class CaseCountQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The counts of the cases the user sees, as `Incident.objects.visible_to` sees
        them: provider staff their provider's, drafts included; USPS staff every provider's
        filed cases, never a draft."""
        if not user.is_authenticated:
            return self.none()
        if user.is_usps:
            return self.exclude(status=IncidentStatus.DRAFT)
        if user.provider_id is None:
            return self.none()
        return self.filter(provider_id=user.provider_id)

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
