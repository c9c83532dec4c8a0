import datetime

import django.db.models.functions.comparison
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('incidents', '0012_incident_search_text'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='incident',
            index=models.Index(django.db.models.functions.comparison.Coalesce('closed_at', models.Value(datetime.datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=datetime.UTC)), output_field=models.DateTimeField()), models.F('submitted_at'), models.F('status'), models.F('provider'), models.F('closed_at'), name='incident_open_until'),
        ),
    ]
