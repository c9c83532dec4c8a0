"""Trigram indexes for the list's text search (`?q=`): a case-insensitive substring of the
reference, title, description or discoverer, which Django asks of PostgreSQL as
`UPPER(column::text) LIKE UPPER(pattern)`; the indexes are on those very expressions.
PostgreSQL only: other databases search without them."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

TEXT_COLUMNS = ("reference", "title", "description", "discovered_by_name")


def create_text_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in TEXT_COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS incident_{column}_trgm ON incidents_incident "
            f"USING gin ((UPPER({column}::text)) gin_trgm_ops)")


def drop_text_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in TEXT_COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS incident_{column}_trgm")


class Migration(migrations.Migration):

    dependencies = [
        ("incidents", "0005_append_only_versions_and_metrics_indexes"),
    ]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create_text_indexes, drop_text_indexes, elidable=False),
    ]
