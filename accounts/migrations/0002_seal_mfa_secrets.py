from django.db import migrations


def seal_stored_secrets(apps, schema_editor):
    """Seal the second-factor secrets stored before sealing began (`accounts.secrets`)."""
    from accounts.secrets import resealed

    Authenticator = apps.get_model("mfa", "Authenticator")
    for authenticator in Authenticator.objects.order_by("pk").iterator():
        data = resealed(authenticator.data or {})
        if data != authenticator.data:
            Authenticator.objects.filter(pk=authenticator.pk).update(data=data)


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0001_invitations"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    operations = [
        migrations.RunPython(seal_stored_secrets, migrations.RunPython.noop, elidable=False),
    ]
