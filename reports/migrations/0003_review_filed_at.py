from django.db import migrations, models

# Each review takes the filing time of the version it decides.
BACKFILL = """
UPDATE reports_reportreview SET filed_at = (
    SELECT v.submitted_at FROM reports_reportversion v
    WHERE v.id = reports_reportreview.version_id)
"""


class Migration(migrations.Migration):

    dependencies = [
        ("reports", "0002_append_only_versions_and_metrics_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="reportreview",
            name="filed_at",
            field=models.DateTimeField(null=True),
        ),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
        migrations.AlterField(
            model_name="reportreview",
            name="filed_at",
            field=models.DateTimeField(
                help_text="When the decided version was filed: USPS's review time runs "
                          "from it."),
        ),
        migrations.RemoveIndex(
            model_name="reportreview",
            name="report_review_decided_at",
        ),
        migrations.AddIndex(
            model_name="reportreview",
            index=models.Index(fields=["filed_at", "decided_at", "report"],
                               name="report_review_filed_at"),
        ),
    ]
