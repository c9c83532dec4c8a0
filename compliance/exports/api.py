"""CSV at the API: every list endpoint answers `?format=csv` or `Accept: text/csv` with the
whole filtered list (no pages), streamed, through the same queryset and filters as its
JSON."""

from rest_framework import renderers, serializers
from rest_framework.exceptions import NotAcceptable
from rest_framework.negotiation import DefaultContentNegotiation

from .csv import Column, csv_response, time_column


class CSVRenderer(renderers.BaseRenderer):
    """Announces `text/csv`; the list view streams the body itself."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        # Only errors reach here (a CSV list streams its own response): answer them as text.
        if isinstance(data, dict):
            return "\n".join(f"{key}: {_text(value)}" for key, value in data.items()).encode()
        return _text(data).encode() if data is not None else b""


def _text(value):
    if isinstance(value, (list, tuple)):
        return " ".join(str(v) for v in value)
    return str(value)


class ContentNegotiation(DefaultContentNegotiation):
    """A `?format=` that is not offered answers 406 naming the formats that are, where
    DRF would answer a bare 404."""

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


class CsvListMixin:
    """For list views: adds the CSV renderer to the list action and streams the whole
    filtered queryset when it is chosen."""

    def get_renderers(self):
        found = super().get_renderers()
        if self._is_list():
            found.append(CSVRenderer())
        return found

    def _is_list(self):
        return getattr(self, "action", "list") == "list" and self.request.method in (
            "GET", "HEAD")

    def list(self, request, *args, **kwargs):
        if getattr(request, "accepted_renderer", None) and \
                request.accepted_renderer.format == "csv":
            queryset = self.filter_queryset(self.get_queryset())
            serializer = self.get_serializer()
            # The file is named after the list: /api/v1/incidents/7/comments/ ->
            # incidents-7-comments-<time>.csv
            name = request.path.removeprefix("/api/v1/").strip("/").replace("/", "-")
            return csv_response(queryset, serializer_columns(serializer),
                                name=name or "export", user=request.user)
        return super().list(request, *args, **kwargs)
