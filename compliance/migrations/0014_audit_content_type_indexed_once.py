import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """The content type is the first column of the (content type, object, time) index:
    its own index was a second one to write with every audit event."""

    dependencies = [
        ("compliance", "0013_obligation_owed_until"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="content_type",
            field=models.ForeignKey(db_index=False,
                                    on_delete=django.db.models.deletion.PROTECT,
                                    to="contenttypes.contenttype"),
        ),
    ]
