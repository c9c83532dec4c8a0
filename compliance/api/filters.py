import django_filters

from compliance.models import Affiliate, PESModel, Provider


def visible_providers(request):
    """Filter choices in the caller's scope: another provider's id reads as unknown."""
    if request is None:
        return Provider.objects.none()
    return Provider.objects.visible_to(request.user)


class ProviderFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="Name contains")

    class Meta:
        model = Provider
        fields = ["authorization_status"]


class AffiliateFilter(django_filters.FilterSet):
    provider = django_filters.ModelChoiceFilter(queryset=visible_providers)
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="Name contains")

    class Meta:
        model = Affiliate
        fields = ["provider", "relationship", "country"]


class PESModelFilter(django_filters.FilterSet):
    provider = django_filters.ModelChoiceFilter(queryset=visible_providers)
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="Name contains")

    class Meta:
        model = PESModel
        fields = ["provider", "kind", "approval_status"]
