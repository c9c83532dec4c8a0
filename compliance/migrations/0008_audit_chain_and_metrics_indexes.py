import django.db.models.deletion
import pgtrigger.compiler
import pgtrigger.migrations
from django.conf import settings
from django.db import migrations, models

from compliance.audit_chain import GENESIS, event_sha256


def chain_existing_events(apps, schema_editor):
    """Put the events already written on the chain, in the order they were inserted."""
    AuditEvent = apps.get_model("compliance", "AuditEvent")
    ContentType = apps.get_model("contenttypes", "ContentType")
    labels = {c.pk: f"{c.app_label}.{c.model}" for c in ContentType.objects.all()}
    previous = GENESIS
    for sequence, event in enumerate(AuditEvent.objects.order_by("id").iterator(), start=1):
        values = {
            "sequence": sequence, "previous_sha256": previous, "at": event.at,
            "actor_id": event.actor_id, "provider_id": event.provider_id,
            "content_type": labels[event.content_type_id], "object_id": event.object_id,
            "object_repr": event.object_repr, "case_id": event.case_id,
            "action": event.action, "changes": event.changes, "reason": event.reason,
            "usps_only": event.usps_only, "drafting_stage": event.drafting_stage,
        }
        previous = event_sha256(values)
        AuditEvent.objects.filter(pk=event.pk).update(
            sequence=sequence, previous_sha256=values["previous_sha256"], sha256=previous)


# Metrics group duties by the month of their original due time; statistics on that very
# expression let PostgreSQL plan the grouping as a hash of a few dozen months.
MONTH_STATISTICS = ("CREATE STATISTICS IF NOT EXISTS obligation_due_month ON "
                    "(date_trunc('month', original_due_at AT TIME ZONE 'UTC')) "
                    "FROM compliance_obligation")


def create_month_statistics(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(MONTH_STATISTICS)


def drop_month_statistics(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP STATISTICS IF EXISTS obligation_due_month")


class Migration(migrations.Migration):

    dependencies = [
        ("compliance", "0007_usps_targets_provider_timezone"),
        # The drafting-stage flag of earlier events is set before they are hashed.
        ("incidents", "0004_audit_drafting_stage_backfill"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="auditevent", name="sequence",
            field=models.PositiveBigIntegerField(null=True),
        ),
        migrations.AddField(
            model_name="auditevent", name="previous_sha256",
            field=models.CharField(default="", max_length=64), preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent", name="sha256",
            field=models.CharField(default="", max_length=64), preserve_default=False,
        ),
        migrations.RunPython(chain_existing_events, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="auditevent", name="sequence",
            field=models.PositiveBigIntegerField(unique=True),
        ),
        migrations.AlterField(
            model_name="auditevent", name="actor",
            field=models.ForeignKey(blank=True, null=True,
                                    on_delete=django.db.models.deletion.PROTECT,
                                    related_name="+", to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name="auditevent", name="provider",
            field=models.ForeignKey(blank=True, null=True,
                                    on_delete=django.db.models.deletion.PROTECT,
                                    related_name="+", to="compliance.provider"),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="auditevent",
            trigger=pgtrigger.compiler.Trigger(name="audit_event_append_only", sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;", hash="717d9cbad2ca95ad3a6c4bb2334c505fa5ba8cd6", operation="UPDATE OR DELETE", pgid="pgtrigger_audit_event_append_only_ca892", table="compliance_auditevent", when="BEFORE")),
        ),
        migrations.AddIndex(
            model_name="obligation",
            index=models.Index(fields=["original_due_at", "kind", "clause", "state",
                                       "usps_visible", "provider"],
                               name="obligation_original_due"),
        ),
        migrations.AddIndex(
            model_name="obligation",
            index=models.Index(fields=["met_at"], name="obligation_met_at"),
        ),
        migrations.RunPython(create_month_statistics, drop_month_statistics),
    ]
