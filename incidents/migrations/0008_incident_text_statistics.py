"""Statistics on the text search's expressions, so that PostgreSQL knows how many cases a
`?q=` matches: a common word takes the list's order index and stops at its page, a rare
one the trigram indexes. PostgreSQL only."""

from django.db import migrations

TEXT_COLUMNS = ("reference", "title", "description", "discovered_by_name")


def create_statistics(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in TEXT_COLUMNS:
        schema_editor.execute(
            f"CREATE STATISTICS IF NOT EXISTS incident_{column}_text_stats "
            f"ON (UPPER({column}::text)) FROM incidents_incident")
    schema_editor.execute("ANALYZE incidents_incident")


def drop_statistics(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in TEXT_COLUMNS:
        schema_editor.execute(f"DROP STATISTICS IF EXISTS incident_{column}_text_stats")


class Migration(migrations.Migration):

    dependencies = [
        ("incidents", "0007_incident_list_order_indexes"),
    ]

    operations = [
        migrations.RunPython(create_statistics, drop_statistics, elidable=False),
    ]
