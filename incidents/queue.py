"""The reviewer's queue: filed incidents, untriaged first, then by the nearest due time
of anything still owed on the case (a provider's duty or USPS's own target); sortable."""

import django_filters
from django import forms
from django.core.paginator import Paginator
from django.db.models import (
    Case,
    F,
    IntegerField,
    OuterRef,
    Subquery,
    Sum,
    Value,
    When,
)
from django.utils import timezone

from compliance.api.fields import id_from
from compliance.models import Obligation, User
from compliance.models.obligations import OWED

from .filters import IncidentFilter, overdue
from .models import CaseCount, Incident, IncidentStatus, RevenueRisk

# What is on a reviewer's desk; closed cases are found through the status filter.
OPEN_STATES = (IncidentStatus.SUBMITTED, IncidentStatus.UNDER_REVIEW,
               IncidentStatus.INVESTIGATING)
QUEUE_STATES = (*OPEN_STATES, IncidentStatus.CLOSED)


def _owed():
    """What is still owed on the incident (correlated with the outer incident)."""
    return Obligation.objects.filter(OWED, incident_id=OuterRef("pk"), usps_visible=True)


RISK_RANK = Case(*[When(revenue_risk=risk, then=Value(rank)) for rank, risk in enumerate(
    (RevenueRisk.LOW, RevenueRisk.MODERATE, RevenueRisk.HIGH, RevenueRisk.CRITICAL), start=1)],
    default=Value(0), output_field=IntegerField())

# ?sort= values and their order, each ascending; a leading "-" reverses it. Empty due
# times and waits sort last either way.
SORTS = {
    "filed": ("submitted_at", "Filed at"),
    "waiting": ("waiting_since", "Waiting on USPS"),
    "due": ("next_due_at", "Next due"),
    "risk": ("risk_rank", "Revenue risk"),
    "provider": ("provider__name", "Provider"),
}


def queue_queryset(user):
    """Filed incidents the user sees, in queue order: not yet triaged first (oldest filing
    first), then by the nearest due time of anything still owed on the case, none last.
    Each carries that due time and its kind, and since when the case waits on USPS."""
    return (
        Incident.objects.visible_to(user).filed()
        .select_related("provider", "assigned_reviewer")
        .annotate(
            # The next due time and the wait are the case clock's (incidents/clock.py).
            next_kind=Subquery(_owed().order_by("due_at", "id").values("kind")[:1]),
            risk_rank=RISK_RANK,
            untriaged=Case(When(triaged_at__isnull=True, status=IncidentStatus.SUBMITTED,
                                then=Value(0)),
                           default=Value(1), output_field=IntegerField()),
        )
        .order_by("untriaged", F("next_due_at").asc(nulls_last=True), "submitted_at", "id")
    )


def sort_queue(queryset, sort):
    """The queue in the order `sort` (a key of SORTS, "-" for descending) asks; the queue's
    own order for anything else. Returns (queryset, the sort applied or "")."""
    key = sort.lstrip("-")
    if key not in SORTS:
        return queryset, ""
    field = F(SORTS[key][0])
    descending = sort.startswith("-")
    ordered = field.desc(nulls_last=True) if descending else field.asc(nulls_last=True)
    return queryset.order_by(ordered, "submitted_at", "id"), sort


class QueuePaginator(Paginator):
    """Pages of the queue cut on the cases' ids: the database orders the cases on their
    ids and sort keys alone, then reads the whole rows of the one page shown."""

    def page(self, number):
        page = super().page(number)
        page.object_list = self.object_list.filter(pk__in=page.object_list.values("pk"))
        return page


class ReviewerField(forms.CharField):
    """A reviewer's id, `me` or `none`; anything else is refused (400), as every filter's
    unreadable value is, never read as nobody's cases."""

    def clean(self, value):
        value = (super().clean(value) or "").strip()
        if value in ("", "me", "none") or id_from(value) is not None:
            return value
        raise forms.ValidationError("Give a reviewer's id, me or none.")


class ReviewerFilter(django_filters.CharFilter):
    field_class = ReviewerField


class QueueFilter(IncidentFilter):
    revenue_risk = django_filters.ChoiceFilter(
        choices=[("none", "Not yet set"), *RevenueRisk.choices], method="filter_risk",
        label="Revenue risk")
    reviewer = ReviewerFilter(method="filter_reviewer",
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
        return queryset.filter(assigned_reviewer_id=id_from(value))

    @property
    def qs(self):
        qs = super().qs
        if not self.form.cleaned_data.get("status"):
            qs = qs.filter(status__in=OPEN_STATES)
        return qs


def state_counts(user, now=None):
    """How many of the filed incidents the user sees are in each state, plus untriaged
    and overdue: the first from the case counts, the overdue through the case clock's
    index; two queries however many cases."""
    now = now or timezone.now()
    counts = {state.value: 0 for state in QUEUE_STATES}
    counts["untriaged"] = 0
    for status, untriaged, cases in (CaseCount.objects.visible_to(user)
                                     .filter(status__in=QUEUE_STATES)
                                     .values("status", "untriaged")
                                     .annotate(cases=Sum("cases"))
                                     .values_list("status", "untriaged", "cases")):
        counts[status] += cases
        counts["untriaged"] += cases if untriaged else 0
    counts["overdue"] = (Incident.objects.visible_to(user).filed().filter(overdue(now))
                         .count())
    return counts


def reviewers():
    return list(User.objects.reviewers().order_by("username"))


def departed_holders():
    """People no longer reviewing (deactivated, moved) to whom open cases are still
    assigned: the queue's filter finds their cases, to hand them on."""
    return list(User.objects.filter(
        pk__in=Incident.objects.filter(status__in=OPEN_STATES)
        .exclude(assigned_reviewer__isnull=True).values("assigned_reviewer"))
        .exclude(pk__in=User.objects.reviewers().values("pk")).order_by("username"))
