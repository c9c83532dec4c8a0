"""The metrics page and each figure's CSV."""

from operator import itemgetter

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.http import urlencode

from compliance.api.fields import id_from
from compliance.exports import Column, csv_response
from compliance.models import Obligation, Provider
from incidents.models import Incident
from reports.models import ReportReview

from .figures import Scope, build_figure, figures_for


def resolve_scope(request):
    """(Scope, the provider looked at or None). Provider staff count their own provider;
    USPS staff every provider, or the one `?provider=` names. A provider outside the
    viewer's door is 404."""
    user = request.user
    raw = request.GET.get("provider", "").strip()
    provider = None
    if raw:
        provider_id = id_from(raw)
        if provider_id is None:
            raise Http404("No such provider.")
        provider = get_object_or_404(Provider.objects.visible_to(user), pk=provider_id)
    incidents = Incident.objects.visible_to(user).filed()
    # The record counts duties of filed cases: a draft's 24-hour clock is its provider's
    # alone until it files, so both sides count the same duties of a provider.
    ledger = Obligation.objects.visible_to(user).filter(usps_visible=True)
    reviews = ReportReview.objects.visible_to(user)
    if provider is not None:
        incidents = incidents.filter(provider=provider)
        ledger = ledger.filter(provider=provider)
        reviews = reviews.filter(report__provider=provider)
    return Scope(incidents, ledger, ledger.provider_duties(), reviews,
                 usps=user.is_usps), provider


def scope_name(user, provider):
    """Whose figures these are: the provider chosen, else all providers for USPS staff and
    their own provider for provider staff."""
    if provider is not None:
        return provider.name
    return "all providers" if user.is_usps else user.provider.name


@login_required
def metrics_page(request):
    """Every figure the viewer may see, each with its period picker, chart, table and CSV
    link; 400 when a picker names a period that cannot be used (that figure says why)."""
    scope, provider = resolve_scope(request)
    figures = []
    for slug in figures_for(request.user):
        figure = build_figure(slug, scope, request.GET)
        own = (f"{slug}-from", f"{slug}-to")
        figure.keep = [(k, v) for k, v in request.GET.items() if k not in own]
        if figure.period:
            query = {**figure.period.query(), **({"provider": provider.pk} if provider else {})}
            figure.csv_query = urlencode(query)
        figures.append(figure)
    return render(request, "metrics/metrics.html", {
        "figures": figures,
        "provider": provider,
        "scope_name": scope_name(request.user, provider),
        "providers": Provider.objects.visible_to(request.user).order_by("name")
        if request.user.is_usps else None,
        "period_from": request.GET.get("from", ""),
        "period_to": request.GET.get("to", ""),
    }, status=400 if any(f.error for f in figures) else 200)


@login_required
def metrics_csv(request, slug):
    """The numbers of one figure, each row with its period and provider."""
    if slug not in figures_for(request.user):
        raise Http404("No such figure.")
    scope, provider = resolve_scope(request)
    figure = build_figure(slug, scope, request.GET)
    if figure.error:
        return HttpResponse(figure.error, status=400, content_type="text/plain; charset=utf-8")
    width = len(figure.headers)
    rows = [*figure.rows, *([label, value, *[""] * (width - 2)] for label, value in
                            figure.notes)]
    whose = scope_name(request.user, provider)
    columns = [Column("from", lambda row: figure.period.first),
               Column("to", lambda row: figure.period.last),
               Column("provider", lambda row: whose),
               *[Column(header, itemgetter(n)) for n, header in enumerate(figure.headers)]]
    return csv_response(rows, columns, name=f"metrics-{slug}", user=request.user,
                        for_spreadsheet=True)

