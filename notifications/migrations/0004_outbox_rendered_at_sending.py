from django.db import migrations, models

RETIRED_SCHEDULE = ["retry-due-emails", "scheduler-heartbeat"]


def key_every_row(apps, schema_editor):
    """Every row gets a key (its Message-ID is derived from it); rows queued with their
    text already rendered and nothing to render it again from are shown as undelivered."""
    OutboundEmail = apps.get_model("notifications", "OutboundEmail")
    for pk in OutboundEmail.objects.filter(key__isnull=True).values_list("pk", flat=True):
        OutboundEmail.objects.filter(pk=pk).update(key=f"email:{pk}")
    OutboundEmail.objects.filter(state__in=["pending", "sending"], obligation__isnull=True,
                                 context={}).exclude(template="daily_digest").update(
        state="failed",
        last_error="Queued before e-mails were rendered at sending; not sent.")


def retire_schedule_entries(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=RETIRED_SCHEDULE).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("django_celery_beat", "0001_initial"),
        ("notifications", "0003_calendar_feed"),
    ]

    operations = [
        migrations.AddField(
            model_name="outboundemail",
            name="context",
            field=models.JSONField(
                blank=True, default=dict,
                help_text="What the e-mail shows, as references to rows and plain values."),
        ),
        migrations.RunPython(key_every_row, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="outboundemail",
            name="key",
            field=models.CharField(max_length=200),
        ),
        migrations.AddConstraint(
            model_name="outboundemail",
            constraint=models.UniqueConstraint(fields=("key",), name="email_key_unique"),
        ),
        migrations.RemoveField(model_name="outboundemail", name="body_text"),
        migrations.RemoveField(model_name="outboundemail", name="body_html"),
        migrations.AlterField(
            model_name="outboundemail",
            name="subject",
            field=models.CharField(blank=True, help_text="As rendered at the latest attempt.",
                                   max_length=300),
        ),
        migrations.AlterField(
            model_name="outboundemail",
            name="last_error",
            field=models.TextField(blank=True,
                                   help_text="Why the latest attempt failed, or was not made."),
        ),
        migrations.AlterField(
            model_name="outboundemail",
            name="state",
            field=models.CharField(
                choices=[("pending", "Pending"), ("sending", "Sending"), ("sent", "Sent"),
                         ("failed", "Failed for good"),
                         ("skipped", "Not sent: no longer applies")],
                default="pending", max_length=10),
        ),
        migrations.RunPython(retire_schedule_entries, migrations.RunPython.noop),
    ]
