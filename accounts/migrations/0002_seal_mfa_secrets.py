from django.db import migrations


def seal_stored_secrets(apps, schema_editor):
    """Seal the second-factor secrets stored before sealing began (`accounts.secrets`)."""
    from accounts.secrets import reseal_all

    reseal_all(apps.get_model("mfa", "Authenticator").objects.order_by("pk"))


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0001_invitations"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    operations = [
        migrations.RunPython(seal_stored_secrets, migrations.RunPython.noop, elidable=False),
    ]
