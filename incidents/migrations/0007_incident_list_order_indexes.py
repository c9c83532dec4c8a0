from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("incidents", "0006_incident_text_search"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="incident",
            index=models.Index(fields=["-discovered_at", "-id", "status", "submitted_at"],
                               name="incident_list_order"),
        ),
        migrations.AddIndex(
            model_name="incident",
            index=models.Index(fields=["provider", "-discovered_at", "-id"],
                               name="incident_provider_order"),
        ),
        migrations.AddIndex(
            model_name="incident",
            index=models.Index(fields=["category", "-discovered_at", "-id", "status"],
                               name="incident_category_order"),
        ),
        migrations.AddIndex(
            model_name="incident",
            index=models.Index(fields=["submitted_at", "closed_at", "status"],
                               name="incident_open_interval"),
        ),
    ]
