"""CSV from the list pages: the same view, filters and door as the page, `?format=csv`."""

from django.http import HttpResponse

from .csv import csv_response

OFFERED = ("html", "csv")


def list_export(request, filterset, columns, name, rows=None):
    """What a list page answers instead of itself, or None to show the page: the whole
    filtered list (`rows` when the page orders it further) as CSV for `?format=csv`, 400
    for invalid filters, 406 for a format not offered. `columns` is a function of the
    user."""
    wanted = request.GET.get("format", "") or "html"
    if wanted == "html":
        return None
    if wanted != "csv":
        return format_not_offered(wanted)
    if not filterset.is_valid():
        return invalid_filters(filterset)
    return csv_response(filterset.qs if rows is None else rows, columns(request.user),
                        name=name, user=request.user, for_spreadsheet=True)


def format_not_offered(requested):
    return HttpResponse(f"The format {requested!r} is not offered here; use one of: "
                        f"{', '.join(OFFERED)}.", status=406,
                        content_type="text/plain; charset=utf-8")


def invalid_filters(filterset):
    lines = [f"{field}: {' '.join(messages)}" for field, messages in filterset.errors.items()]
    return HttpResponse("The filters are not valid.\n" + "\n".join(lines), status=400,
                        content_type="text/plain; charset=utf-8")


def list_query(request):
    """The page's query string without its page number: what the pagination and the
    "Download CSV" link carry."""
    params = request.GET.copy()
    params.pop("page", None)
    params.pop("format", None)
    return params.urlencode()
