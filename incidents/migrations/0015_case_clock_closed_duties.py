"""The case clock leaves closed duties out, and duties waived when their case closed (or
their proceeding went on) while missed, or past their due time unmet, are missed again:
the record of a missed duty is permanent. Each such duty's `obligation.closed` audit event
says when and why it closed."""

from django.db import migrations
from django.db.models import F

from incidents import clock


def reinstall_clock(apps, schema_editor):
    clock.uninstall(schema_editor)
    clock.install(schema_editor)


def reinstall_old_clock(apps, schema_editor):
    clock.uninstall(schema_editor)
    clock.install(schema_editor, closing=False)


def restore_missed(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    AuditEvent = apps.get_model("compliance", "AuditEvent")
    Obligation = apps.get_model("compliance", "Obligation")
    ctype = ContentType.objects.filter(app_label="compliance", model="obligation").first()
    if ctype is None:
        return
    closings = (AuditEvent.objects.filter(content_type_id=ctype.pk, action="obligation.closed")
                .order_by("object_id", "sequence").values_list("object_id", "at", "reason"))
    last = {int(object_id): (at, reason) for object_id, at, reason in closings}
    for duty in Obligation.objects.filter(pk__in=list(last), closed_at__isnull=True):
        duty.closed_at, duty.closed_reason = last[duty.pk]
        # Missed by then: marked so, or past its due time (on time up to that instant).
        if duty.state == "waived" and duty.met_at is None and (
                duty.missed_at is not None or duty.due_at < duty.closed_at):
            duty.state, duty.waived_reason = "missed", ""
            duty.missed_at = duty.missed_at or duty.closed_at
        duty.save(update_fields=["closed_at", "closed_reason", "state", "waived_reason",
                                 "missed_at"])


def waive_missed_again(apps, schema_editor):
    Obligation = apps.get_model("compliance", "Obligation")
    Obligation.objects.filter(state="missed", closed_at__isnull=False).update(
        state="waived", waived_reason=F("closed_reason"))


class Migration(migrations.Migration):

    dependencies = [
        ("incidents", "0014_reference_reservation"),
        ("compliance", "0016_obligation_closed"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(reinstall_clock, reinstall_old_clock, elidable=False),
        migrations.RunPython(restore_missed, waive_missed_again, elidable=False),
    ]
