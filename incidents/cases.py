"""The cases this app owns, as the compliance app sees them (`compliance.enforcement.cases`):
registered when the app is ready."""

from django.core.exceptions import ValidationError
from django.db.models import Count, F, Max, Value
from django.urls import reverse
from django.utils.http import urlencode

from compliance.aggregates import HoursBetween, Median
from compliance.canonical import utc_iso

from .models import Incident


class IncidentCases:
    model = Incident

    def lock(self, case_id):
        if case_id is not None:
            list(Incident.objects.select_for_update(no_key=True).filter(pk=case_id).values_list("pk"))
    def evidence(self, provider_id, case_ids):
        ids = sorted({int(pk) for pk in case_ids})
        incidents = list(Incident.objects.filed().filter(provider_id=provider_id, pk__in=ids)
                         .prefetch_related("versions").order_by("pk"))
        missing = sorted(set(ids) - {i.pk for i in incidents})
        if missing:
            raise ValidationError({"incidents": [
                f"No filed case of this provider has the id {pk}." for pk in missing]})
        return [{
            "id": i.pk, "reference": i.reference, "title": i.title, "status": i.status,
            "revenue_risk": i.revenue_risk, "discovered_at": utc_iso(i.discovered_at),
            "notification_due_at": utc_iso(i.notification_due_at),
            "submitted_at": utc_iso(i.submitted_at), "is_late": i.is_late,
            "late_reason": i.late_reason, "closed_at": utc_iso(i.closed_at),
            "versions": [{"version": v.number, "submitted_at": utc_iso(v.submitted_at),
                          "sha256": v.sha256}
                         for v in sorted(i.versions.all(), key=lambda v: v.number)],
        } for i in incidents]

    def open_cases(self, provider_id, at):
        age = HoursBetween(Value(at), F("submitted_at")) / 24
        figures = (Incident.objects.filed().filter(provider_id=provider_id).open_at(at)
                   .aggregate(count=Count("pk"), median=Median(age), oldest=Max(age)))
        return {"count": figures["count"],
                "age_days": {"median": _days(figures["median"]),
                             "max": _days(figures["oldest"])}}

    def choices(self, provider_id):
        return [(i.pk, i.label) for i in Incident.objects.filed()
                .filter(provider_id=provider_id).order_by("-submitted_at", "-pk")
                .only("pk", "reference", "title")]

    def open_cases_path(self, provider_id, at):
        return reverse("incident-list") + "?" + urlencode(
            {"provider": provider_id, "open_at": utc_iso(at)})


def _days(days):
    return None if days is None else round(days, 1)

