import django_filters

from compliance.models import Affiliate, Obligation, PESModel, ProcedureDocument, Provider
from compliance.models.obligations import OWED, PROVIDER_KINDS
from compliance.text import as_name

from .fields import IdFilter, SaneDateTimeFilter, StrictBooleanFilter


def visible_providers(request):
    """Filter choices in the caller's scope: another provider's id reads as unknown."""
    if request is None:
        return Provider.objects.none()
    return Provider.objects.visible_to(request.user)


class NameContains(django_filters.CharFilter):
    """`?q=`: a part of the name, read in the register's one form (`as_name`), so that the
    name is found as it was typed, whichever form of an accent the keyboard gave."""

    def __init__(self, **kwargs):
        super().__init__(field_name="name", lookup_expr="icontains", label="Name contains",
                         **kwargs)

    def filter(self, qs, value):
        return super().filter(qs, as_name(value))


class ProviderFilter(django_filters.FilterSet):
    q = NameContains()

    class Meta:
        model = Provider
        fields = ["authorization_status"]


class AffiliateFilter(django_filters.FilterSet):
    provider = django_filters.ModelChoiceFilter(queryset=visible_providers)
    q = NameContains()

    class Meta:
        model = Affiliate
        fields = ["provider", "relationship", "country"]


class PESModelFilter(django_filters.FilterSet):
    provider = django_filters.ModelChoiceFilter(queryset=visible_providers)
    q = NameContains()

    class Meta:
        model = PESModel
        fields = ["provider", "kind", "approval_status"]


class ObligationFilter(django_filters.FilterSet):
    provider = django_filters.ModelChoiceFilter(queryset=visible_providers)
    incident = IdFilter(field_name="incident_id")
    due_before = SaneDateTimeFilter(field_name="due_at", lookup_expr="lt")
    due_after = SaneDateTimeFilter(field_name="due_at", lookup_expr="gte")
    outstanding = StrictBooleanFilter(
        method="filter_outstanding", label="Still owed (open or missed): true, or done: false")
    owed_by = django_filters.ChoiceFilter(
        method="filter_owed_by", label="Whose work: the providers' duties, or USPS's targets",
        choices=[("provider", "Providers' duties"), ("usps", "USPS's targets")])

    class Meta:
        model = Obligation
        fields = ["state", "kind", "provider", "incident", "due_before", "due_after"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self.request, "user", None)
        if not (user is not None and user.is_authenticated and user.is_usps):
            # Provider staff choose among their duties: USPS's targets are never named. A
            # new filter, as the class's own may hold its form field, choices made.
            kind = django_filters.ChoiceFilter(
                field_name="kind", label=self.filters["kind"].label,
                choices=[(k.value, k.label) for k in PROVIDER_KINDS])
            kind.model, kind.parent = self.filters["kind"].model, self
            self.filters["kind"] = kind

    def filter_owed_by(self, queryset, name, value):
        if value == "provider":
            return queryset.provider_duties()
        return queryset.usps_targets() if value == "usps" else queryset

    def filter_outstanding(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(OWED) if value else queryset.exclude(OWED)


class ProcedureDocumentFilter(django_filters.FilterSet):
    provider = django_filters.ModelChoiceFilter(queryset=visible_providers)

    class Meta:
        model = ProcedureDocument
        fields = ["provider"]
