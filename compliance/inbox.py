"""What waits on USPS: its outstanding targets as a work inbox. Internal to USPS: provider
staff get nothing from here (the obligations' door already hides every target from them).
"""

import django_filters
from django.db.models import Case, Count, OuterRef, Q, Subquery, When
from django.urls import reverse

from .api.fields import StrictBooleanFilter
from .deadlines import past_due
from .models import ExtensionRequest, Obligation, ObligationKind

# The inbox's short names for the target kinds (API and filters), in display order.
INBOX_KINDS = {
    "triage": ObligationKind.USPS_TRIAGE,
    "report_review": ObligationKind.USPS_REPORT_REVIEW,
    "extension_decision": ObligationKind.USPS_EXTENSION_DECISION,
    "procedures_review": ObligationKind.USPS_PROCEDURES_REVIEW,
    "proceeding_decision": ObligationKind.USPS_PROCEEDING_DECISION,
}
SHORT_NAMES = {kind: name for name, kind in INBOX_KINDS.items()}
LABELS = {
    "triage": "Triage a filing",
    "report_review": "Review a report",
    "extension_decision": "Decide an extension",
    "procedures_review": "Review procedures",
    "proceeding_decision": "Decide in a proceeding",
}


def inbox(user):
    """The outstanding USPS targets `user` may see, nearest target first. Empty for anyone
    but USPS staff."""
    if not (user.is_authenticated and user.is_usps):
        return Obligation.objects.none()
    qs = Obligation.objects.visible_to(user).usps_targets().outstanding()
    extension = ExtensionRequest.objects.filter(pk=OuterRef("object_id")).values(
        "obligation_id")[:1]
    return (qs.select_related("provider", "reviewer")
            .annotate(extension_obligation_id=Case(When(
                kind=ObligationKind.USPS_EXTENSION_DECISION, then=Subquery(extension))))
            .order_by("due_at", "id"))


class InboxFilter(django_filters.FilterSet):
    """The inbox's filters, for the home page and the API alike."""

    kind = django_filters.ChoiceFilter(
        choices=[(name, LABELS[name]) for name in INBOX_KINDS], method="filter_kind",
        label="What waits")
    assigned_to_me = StrictBooleanFilter(method="filter_mine", label="Assigned to me")

    class Meta:
        model = Obligation
        fields = []

    def shows_everything(self):
        """Whether the list is the whole inbox (valid, no filter given): its count is then
        the navigation's `waiting` (`inbox_counts`)."""
        return self.is_valid() and all(value in (None, "")
                                       for value in self.form.cleaned_data.values())

    def filter_kind(self, queryset, name, value):
        return queryset.filter(kind=INBOX_KINDS[value]) if value else queryset

    def filter_mine(self, queryset, name, value):
        if value is None:
            return queryset
        me = self.request.user
        return queryset.filter(reviewer=me) if value else queryset.exclude(reviewer=me)


def inbox_counts(user, now):
    """{"waiting": how many items wait on USPS, "past_target": how many of them are past
    their target}, in one query; zeros for anyone but USPS staff."""
    if not (user.is_authenticated and user.is_usps):
        return {"waiting": 0, "past_target": 0}
    past = Q(due_at__lt=past_due(now))
    return (Obligation.objects.visible_to(user).usps_targets().outstanding().order_by()
            .aggregate(waiting=Count("pk"), past_target=Count("pk", filter=past)))


def short_kind(target):
    return SHORT_NAMES[target.kind]


def target_path(target):
    """Where USPS acts on what the target waits for: the triage form, the report to
    review, the extension request on its obligation's page, the procedures version, the
    proceeding's next step."""
    if target.kind == ObligationKind.USPS_TRIAGE:
        return reverse("incident-detail", args=[target.object_id]) + "#review"
    if target.kind == ObligationKind.USPS_REPORT_REVIEW:
        return reverse("report-detail", args=[target.object_id]) + "#decide"
    if target.kind == ObligationKind.USPS_EXTENSION_DECISION:
        obligation_id = getattr(target, "extension_obligation_id", None) or (
            ExtensionRequest.objects.filter(pk=target.object_id)
            .values_list("obligation_id", flat=True).first())
        return reverse("obligation-detail", args=[obligation_id]) + "#decide"
    if target.kind == ObligationKind.USPS_PROCEEDING_DECISION:
        return reverse("proceeding-detail", args=[target.object_id]) + "#next-step"
    return reverse("procedures-review", args=[target.object_id]) + "#review"
