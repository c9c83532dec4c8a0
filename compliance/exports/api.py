"""CSV at the API: every list endpoint answers `?format=csv` or `Accept: text/csv` with the
whole filtered list (no pages), streamed, through the same queryset and filters as its
JSON."""

from rest_framework import renderers, serializers
from rest_framework.exceptions import NotAcceptable
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.response import Response

from compliance.api.renderers import JSONRenderer

from .csv import Column, csv_response, time_column


class CSVRenderer(renderers.BaseRenderer):
    """Announces `text/csv`; the list view streams the body itself."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        raise NotImplementedError("CSV is streamed by the view; errors are JSON.")


class JsonErrorsMixin:
    """Errors are JSON, like everywhere in the API, whatever file format was asked for; so
    is the description of the endpoint that OPTIONS answers."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if isinstance(response, Response) and (response.status_code >= 400
                                               or request.method == "OPTIONS"):
            response.accepted_renderer = JSONRenderer()
            response.accepted_media_type = response.accepted_renderer.media_type
        return response


class ContentNegotiation(DefaultContentNegotiation):
    """A `?format=` that is not offered answers 406 naming the formats that are, where
    DRF would answer a bare 404; an `Accept` header is read with its preferences (`q`),
    which DRF's own negotiation leaves aside (`application/json;q=0.2, text/csv` asks for
    CSV)."""

    def select_renderer(self, request, renderers, format_suffix=None):
        """DRF's choice, made among the most preferred media ranges first, then the
        next (the most specific range first within each, as DRF does)."""
        if format_suffix or request.query_params.get(self.settings.URL_FORMAT_OVERRIDE):
            return super().select_renderer(request, renderers, format_suffix)
        accepts = self._get_parsed_accept_list(request)
        levels = sorted({_quality(m) for m in accepts if _quality(m) > 0}, reverse=True)
        if not levels:  # every range refused: nothing is acceptable
            raise NotAcceptable(available_renderers=renderers)
        try:
            for level in levels:
                request._parsed_accept_list = [m for m in accepts if _quality(m) == level]
                try:
                    return super().select_renderer(request, renderers, format_suffix)
                except NotAcceptable:
                    continue
        finally:
            request._parsed_accept_list = accepts
        raise NotAcceptable(available_renderers=renderers)

    def filter_renderers(self, renderers, format):
        chosen = [r for r in renderers if r.format == format]
        if not chosen:
            offered = ", ".join(sorted({r.format for r in renderers}))
            raise NotAcceptable(f"The format {format!r} is not offered here; use one of: "
                                f"{offered}.")
        return chosen


def serializer_columns(serializer):
    """One column per readable field of `serializer`, in its order; times as time columns."""
    columns = []
    for name, field in serializer.fields.items():
        if field.write_only:
            continue
        if isinstance(field, serializers.DateTimeField):
            columns.append(time_column(name, field.get_attribute))
        else:
            columns.append(Column(name, _represent(field)))
    return columns


def _represent(field):
    def value(obj):
        attribute = field.get_attribute(obj)
        return None if attribute is None else field.to_representation(attribute)
    return value


class CsvExportMixin(JsonErrorsMixin):
    """Adds the CSV renderer to the actions named in `csv_actions`; `csv_answer` streams a
    queryset when the caller chose CSV."""

    csv_actions = ("list",)

    def get_renderers(self):
        found = super().get_renderers()
        if getattr(self, "action", "list") in self.csv_actions and \
                self.request.method in ("GET", "HEAD"):
            found.append(CSVRenderer())
        return found

    def csv_answer(self, queryset, serializer):
        """The streamed CSV of `queryset` when the caller chose CSV, else None."""
        renderer = getattr(self.request, "accepted_renderer", None)
        if renderer is None or renderer.format != "csv":
            return None
        # The file is named after the list: /api/v1/incidents/7/comments/ ->
        # incidents-7-comments-<time>.csv
        name = self.request.path.removeprefix("/api/v1/").strip("/").replace("/", "-")
        return csv_response(queryset, serializer_columns(serializer), name=name or "export",
                            user=self.request.user)


class CsvListMixin(CsvExportMixin):
    """For list views: the list answers CSV too, the whole filtered queryset, streamed."""

    def list(self, request, *args, **kwargs):
        answer = self.csv_answer(self.filter_queryset(self.get_queryset()),
                                 self.get_serializer())
        return answer or super().list(request, *args, **kwargs)


def _quality(media_type):
    """The `q` of one parsed media range of an Accept header (1 when not given or not a
    number)."""
    try:
        quality = float(media_type.params.get("q", 1))
    except ValueError:
        return 1.0
    return min(max(quality, 0.0), 1.0) if quality == quality else 1.0
