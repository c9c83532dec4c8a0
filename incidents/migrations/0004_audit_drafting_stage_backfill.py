"""Marks the audit events written before this flag existed: what happened to a case
before it was filed (and to report drafts) belongs to the drafting stage."""

from django.db import migrations
from django.db.models import F, OuterRef, Q, Subquery

REPORT_DRAFT_ACTIONS = ("report.draft_created", "report.draft_updated")


def mark_drafting_events(apps, schema_editor):
    AuditEvent = apps.get_model("compliance", "AuditEvent")
    Incident = apps.get_model("incidents", "Incident")
    filed_at = Incident.objects.filter(pk=OuterRef("case_id")).values("submitted_at")[:1]
    drafts = Incident.objects.filter(submitted_at__isnull=True).values("pk")
    (AuditEvent.objects.filter(case_id__isnull=False)
     .annotate(filed_at=Subquery(filed_at))
     .filter(Q(case_id__in=drafts) | Q(at__lt=F("filed_at"))
             | Q(action__in=REPORT_DRAFT_ACTIONS))
     .update(drafting_stage=True))


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0003_comments"),
        ("compliance", "0006_drafting_stage_and_optional_authorization_number"),
    ]

    operations = [migrations.RunPython(mark_drafting_events, migrations.RunPython.noop)]
