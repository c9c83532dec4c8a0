"""The text search's one column and trigram index (`incidents.search`), which replace the
four trigram indexes of 0006 and the statistics of 0008. PostgreSQL only."""

from django.db import migrations

from incidents import search

OLD_COLUMNS = ("reference", "title", "description", "discovered_by_name")


def add_search_text(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in OLD_COLUMNS:
        schema_editor.execute(f"DROP STATISTICS IF EXISTS incident_{column}_text_stats")
        schema_editor.execute(f"DROP INDEX IF EXISTS incident_{column}_trgm")
    search.install(schema_editor)
    schema_editor.execute("ANALYZE incidents_incident")


def remove_search_text(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    search.uninstall(schema_editor)
    for column in OLD_COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS incident_{column}_trgm ON incidents_incident "
            f"USING gin ((UPPER({column}::text)) gin_trgm_ops)")
        schema_editor.execute(
            f"CREATE STATISTICS IF NOT EXISTS incident_{column}_text_stats "
            f"ON (UPPER({column}::text)) FROM incidents_incident")
    schema_editor.execute("ANALYZE incidents_incident")


class Migration(migrations.Migration):

    dependencies = [
        ("incidents", "0012_incident_open_until"),
    ]

    operations = [
        migrations.RunPython(add_search_text, remove_search_text, elidable=False),
    ]
