"""Streamed CSV: rows are read a chunk at a time and written as they come, so memory
stays flat whatever the size of the list.

Every text cell that a spreadsheet would take for a formula (it begins with `=`, `+`, `-`,
`@`, a tab or a carriage return) is neutralised with a leading apostrophe. Times come as
UTC ISO 8601, each followed by the same instant in the viewer's time zone.
"""

import csv
import itertools
import json
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from django.http import StreamingHttpResponse
from django.utils import timezone

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CHUNK_SIZE = 500


def neutralise(value):
    """A cell value safe to open in a spreadsheet: text that could start a formula gets
    a leading apostrophe; other values are written as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


@dataclass(frozen=True)
class Column:
    """One column: a header and how to read its value from a row. A `time` column becomes
    two: UTC ISO 8601 and the viewer's zone."""

    header: str
    value: Callable[[Any], Any]
    time: bool = False


def time_column(header, value):
    return Column(header, value, time=True)


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return utc_iso(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        if all(not isinstance(v, (dict, list)) for v in value):
            return "; ".join(str(_cell(v)) for v in value)
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return value


def utc_iso(value):
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def local_iso(value, zone):
    return value.astimezone(zone).isoformat(timespec="seconds")


class _Echo:
    """A file-like object whose write returns what it was given, for csv.writer."""

    def write(self, value):
        return value


def viewer_zone(user):
    try:
        return zoneinfo.ZoneInfo(getattr(user, "timezone", "") or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return UTC


def header_row(columns, zone_name):
    # Each header once, also for a viewer whose own zone is UTC.
    local = "your zone, UTC" if zone_name == "UTC" else zone_name
    headers = []
    for column in columns:
        if column.time:
            headers += [f"{column.header} (UTC)", f"{column.header} ({local})"]
        else:
            headers.append(column.header)
    return headers


def csv_lines(rows, columns, user):
    """The CSV, a line at a time: the header, then one line per row."""
    zone = viewer_zone(user)
    writer = csv.writer(_Echo())
    yield writer.writerow(header_row(columns, str(zone)))
    for row in rows:
        cells = []
        for column in columns:
            value = column.value(row)
            if column.time:
                cells += ["", ""] if value is None else [utc_iso(value), local_iso(value, zone)]
            else:
                cells.append(neutralise(_cell(value)))
        yield writer.writerow(cells)


def rows_of(queryset):
    """Iterate a queryset a chunk at a time (prefetches included), never all at once."""
    if hasattr(queryset, "iterator"):
        return queryset.iterator(chunk_size=CHUNK_SIZE)
    return iter(queryset)


def csv_filename(name):
    return f"{name}-{timezone.now():%Y%m%d-%H%M%S}.csv"


# What a page's download starts with: the byte-order mark by which a spreadsheet (Excel
# on Windows) reads the file as UTF-8, where it would read '§' as 'Â§'. The API's CSV,
# read by scripts, goes without.
BOM = "\ufeff"


def csv_response(rows, columns, *, name, user, for_spreadsheet=False):
    """A streamed `text/csv` download of `rows` (a queryset or any iterable);
    `for_spreadsheet`: a page's download, opened in a spreadsheet (marked UTF-8)."""
    lines = csv_lines(rows_of(rows), columns, user)
    if for_spreadsheet:
        lines = itertools.chain([BOM], lines)
    response = StreamingHttpResponse((line.encode("utf-8") for line in lines),
                                     content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{csv_filename(name)}"'
    return response
