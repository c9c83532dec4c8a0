from datetime import UTC, datetime

from django.db import migrations, models
from django.db.models.functions import Coalesce


class Migration(migrations.Migration):

    dependencies = [
        ("compliance", "0012_owed_on_case_index"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="obligation",
            name="obligation_met_at",
        ),
        migrations.AddIndex(
            model_name="obligation",
            index=models.Index(
                Coalesce("met_at", models.Value(datetime(9999, 12, 31, tzinfo=UTC)),
                         output_field=models.DateTimeField()),
                models.F("created_at"), models.F("state"), models.F("kind"),
                models.F("usps_visible"), models.F("provider"), models.F("incident_id"),
                models.F("met_at"), name="obligation_owed_until"),
        ),
    ]
