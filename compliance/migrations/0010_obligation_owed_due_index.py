from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('compliance', '0009_published_changes_and_proceedings'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='obligation',
            index=models.Index(condition=models.Q(('incident_id__isnull', False), ('kind__in', ['notification', 'written_report', 'status_report', 'final_summary', 'procedures', 'proceeding_correction', 'proceeding_defense', 'proceeding_appeal']), ('state__in', ['open', 'missed'])), fields=['incident_id', 'due_at'], name='obligation_owed_due'),
        ),
    ]
