from datetime import UTC, datetime

from django.db import migrations, models
from django.db.models.functions import Coalesce


class Migration(migrations.Migration):

    dependencies = [
        ("incidents", "0011_case_counts"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="incident",
            index=models.Index(
                Coalesce("closed_at", models.Value(datetime(9999, 12, 31, tzinfo=UTC)),
                         output_field=models.DateTimeField()),
                models.F("submitted_at"), models.F("status"), models.F("revenue_risk"),
                models.F("provider"), models.F("closed_at"), models.F("id"),
                name="incident_open_until"),
        ),
    ]
