"""The reviewer's queue: filed incidents, untriaged first, then by the nearest duty owed."""

import django_filters
from django.db.models import Case, Count, IntegerField, Min, OuterRef, Q, Subquery, Value, When
from django.utils import timezone

from compliance.api.fields import MAX_ID
from compliance.models import Obligation, User
from compliance.models.obligations import OUTSTANDING_STATES

from .filters import IncidentFilter, overdue_ids
from .models import Incident, IncidentStatus, RevenueRisk

# What is on a reviewer's desk; closed cases are found through the status filter.
OPEN_STATES = (IncidentStatus.SUBMITTED, IncidentStatus.UNDER_REVIEW,
               IncidentStatus.INVESTIGATING)
QUEUE_STATES = (*OPEN_STATES, IncidentStatus.CLOSED)


def _owed(field):
    """The `field` of the incident's outstanding duty due soonest (a correlated subquery)."""
    return (Obligation.objects.filter(incident_id=OuterRef("pk"), state__in=OUTSTANDING_STATES,
                                      usps_visible=True)
            .order_by("due_at", "id").values(field)[:1])


def queue_queryset(user):
    """Filed incidents the user sees, with the nearest duty owed, in queue order: not yet
    triaged first (oldest filing first), then by that duty's due time, none last."""
    next_due = (Obligation.objects.filter(incident_id=OuterRef("pk"),
                                          state__in=OUTSTANDING_STATES, usps_visible=True)
                .order_by().values("incident_id").annotate(first=Min("due_at"))
                .values("first"))
    return (
        Incident.objects.visible_to(user).filed()
        .select_related("provider", "assigned_reviewer")
        .annotate(
            next_due_at=Subquery(next_due),
            next_kind=Subquery(_owed("kind")),
            untriaged=Case(When(triaged_at__isnull=True, status=IncidentStatus.SUBMITTED,
                                then=Value(0)),
                           default=Value(1), output_field=IntegerField()),
        )
        .order_by("untriaged", "next_due_at", "submitted_at", "id")
    )


class QueueFilter(IncidentFilter):
    revenue_risk = django_filters.ChoiceFilter(
        choices=[("none", "Not yet set"), *RevenueRisk.choices], method="filter_risk",
        label="Revenue risk")
    reviewer = django_filters.CharFilter(method="filter_reviewer",
                                         label="Assigned reviewer id, `me` or `none`")

    class Meta(IncidentFilter.Meta):
        fields = ["status", "category", "provider"]

    def filter_risk(self, queryset, name, value):
        if value == "none":
            return queryset.filter(revenue_risk__isnull=True)
        return queryset.filter(revenue_risk=value)

    def filter_reviewer(self, queryset, name, value):
        value = value.strip()
        if value == "none":
            return queryset.filter(assigned_reviewer__isnull=True)
        if value == "me":
            return queryset.filter(assigned_reviewer=self.request.user)
        if value.isdigit() and int(value) <= MAX_ID:
            return queryset.filter(assigned_reviewer_id=int(value))
        return queryset if not value else queryset.none()

    @property
    def qs(self):
        qs = super().qs
        if not self.form.cleaned_data.get("status"):
            qs = qs.filter(status__in=OPEN_STATES)
        return qs


def state_counts(queryset, now=None):
    """How many incidents of `queryset` are in each state, plus untriaged and overdue; one
    query however many rows."""
    now = now or timezone.now()
    counts = queryset.order_by().aggregate(
        **{state.value: Count("pk", filter=Q(status=state)) for state in QUEUE_STATES},
        untriaged=Count("pk", filter=Q(status=IncidentStatus.SUBMITTED,
                                       triaged_at__isnull=True)),
        overdue=Count("pk", filter=Q(pk__in=overdue_ids(now))),
    )
    return counts


def reviewers():
    return list(User.objects.reviewers().order_by("username"))
