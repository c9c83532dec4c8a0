import django_filters

from compliance.models import Affiliate, PESModel, Provider


class ProviderFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="Name contains")

    class Meta:
        model = Provider
        fields = ["authorization_status"]


class AffiliateFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="Name contains")

    class Meta:
        model = Affiliate
        fields = ["provider", "relationship", "country"]


class PESModelFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="Name contains")

    class Meta:
        model = PESModel
        fields = ["provider", "kind", "approval_status"]
