"""One filter set for the incident list, served to the API and to the list page."""

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from compliance.api.fields import IdFilter, SaneDateTimeFilter
from compliance.models import Obligation

from .models import Category, Incident, IncidentStatus


def overdue_ids(now):
    """Ids of incidents with a duty of the provider still owed past its due time (USPS's
    own targets are not the provider's duties)."""
    return (Obligation.objects.provider_duties().outstanding()
            .filter(due_at__lt=now, incident_id__isnull=False).values("incident_id"))


def has_overdue_duty(now):
    """Whether the incident (of the outer query) has a duty of the provider still owed past
    its due time."""
    return Exists(Obligation.objects.provider_duties().outstanding()
                  .filter(incident_id=OuterRef("pk"), due_at__lt=now))


class IncidentFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=IncidentStatus.choices)
    category = django_filters.ChoiceFilter(choices=Category.choices)
    provider = IdFilter(field_name="provider_id", label="Provider id")
    overdue = django_filters.BooleanFilter(
        method="filter_overdue", label="With a duty past its due time (true) or not (false)")
    discovered_after = SaneDateTimeFilter(field_name="discovered_at", lookup_expr="gte",
                                           label="Discovered at or after (with offset)")
    discovered_before = SaneDateTimeFilter(field_name="discovered_at", lookup_expr="lt",
                                            label="Discovered before (with offset)")
    q = django_filters.CharFilter(method="filter_text",
                                  label="Text in reference, title, description or discoverer")
    open_at = SaneDateTimeFilter(field_name="submitted_at", method="filter_open_at",
                                 label="Filed and not closed at this time (with offset)")

    class Meta:
        model = Incident
        fields = ["status", "category", "provider"]

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        overdue = has_overdue_duty(timezone.now())
        return queryset.filter(overdue if value else ~overdue)

    def filter_open_at(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(submitted_at__lte=value).filter(
            Q(closed_at__isnull=True) | Q(closed_at__gt=value))

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(reference__icontains=value) | Q(title__icontains=value)
            | Q(description__icontains=value) | Q(discovered_by_name__icontains=value)
        )
