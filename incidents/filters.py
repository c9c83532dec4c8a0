"""One filter set for the incident list, served to the API and to the list page."""

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property

from compliance.api.fields import IdFilter, SaneDateTimeFilter, StrictBooleanFilter
from compliance.deadlines import past_due

from . import search
from .models import Category, Incident, IncidentStatus


def overdue(now):
    """The cases with a duty of the provider still owed past its due time (USPS's own
    targets are not the provider's duties): the earliest such due time has passed, its
    last second included, as the sweep holds it (`past_due`)."""
    return Q(owed_due_at__lt=past_due(now))


class IncidentFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=IncidentStatus.choices)
    category = django_filters.ChoiceFilter(choices=Category.choices)
    provider = IdFilter(field_name="provider_id", label="Provider id")
    overdue = StrictBooleanFilter(
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

    @cached_property
    def now(self):
        """The request's one reading of the clock: the list's rows and its count (another
        filter set of the same request) agree on what is overdue, a due time's last second
        passing between them or not."""
        if self.request is None:
            return timezone.now()
        if not hasattr(self.request, "overdue_clock"):
            self.request.overdue_clock = timezone.now()
        return self.request.overdue_clock

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(overdue(self.now) if value else ~overdue(self.now))

    def filter_open_at(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.open_at(value)

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return search.matching(queryset, value)
