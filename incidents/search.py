"""The incident list's text search (`?q=`): a case-insensitive substring of the case's
reference, title, description or discoverer, as Django's `icontains` reads it
(`UPPER(column) LIKE UPPER(pattern)`).

On PostgreSQL the four are kept together in one stored column, `search_text`: upper-cased
and joined by the unit separator, computed by the database whenever a case is written.
One trigram index on it (`pg_trgm`) proposes the cases a search may match, and each is
checked against that one column rather than upper-casing four columns on the spot. A
search without the separator matches the joined text exactly where it matches one of the
four columns (a match across two would contain the separator), so the answer is the same;
a search with it reads the four columns. Other databases search the four columns.
"""

from functools import cache

from django.db import connections
from django.db.models import Q, TextField, Value
from django.db.models.expressions import Col, Expression
from django.db.models.functions import Upper
from django.db.models.lookups import Contains

COLUMNS = ("reference", "title", "description", "discovered_by_name")
SEPARATOR = "\x1f"
COLUMN = "search_text"
INDEX = "incident_search_trgm"

JOINED = " || E'\\x1f' || ".join(f"COALESCE({column}, '')" for column in COLUMNS)

POSTGRESQL = [
    f"ALTER TABLE incidents_incident ADD COLUMN {COLUMN} text "
    f"GENERATED ALWAYS AS (UPPER({JOINED})) STORED",
    f"CREATE INDEX {INDEX} ON incidents_incident USING gin ({COLUMN} gin_trgm_ops)",
]

DROP_POSTGRESQL = [
    f"DROP INDEX IF EXISTS {INDEX}",
    f"ALTER TABLE incidents_incident DROP COLUMN IF EXISTS {COLUMN}",
]


def install(schema_editor):
    """Add the search column and its index (PostgreSQL; nothing elsewhere)."""
    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRESQL:
            schema_editor.execute(statement)


def uninstall(schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in DROP_POSTGRESQL:
            schema_editor.execute(statement)


@cache
def _column():
    from incidents.models import Incident

    field = TextField()
    field.set_attributes_from_name(COLUMN)
    field.model = Incident
    return field


class SearchText(Expression):
    """The case's `search_text` column (PostgreSQL), which the model does not declare:
    the database alone writes it and nothing shows it."""

    output_field = TextField()

    def resolve_expression(self, query=None, *args, **kwargs):
        return Col(query.get_initial_alias(), _column())


def matching(queryset, text):
    """The cases of `queryset` whose reference, title, description or discoverer contains
    `text` (any case; `text` not empty)."""
    if connections[queryset.db].vendor == "postgresql" and SEPARATOR not in text:
        return queryset.filter(Contains(SearchText(), Upper(Value(text))))
    return queryset.filter(Q.create([(f"{column}__icontains", text) for column in COLUMNS],
                                    connector=Q.OR))
