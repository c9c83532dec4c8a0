"""Each comment keeps the side its author wrote for. Existing comments read it from the
author's role when they wrote it: the role their first later role change left (its audit
event), else the role they hold now."""

from django.db import migrations, models

USPS_ROLES = ("usps_reviewer", "usps_manager")


def fill_sides(apps, schema_editor):
    Comment = apps.get_model("incidents", "Comment")
    User = apps.get_model("compliance", "User")
    AuditEvent = apps.get_model("compliance", "AuditEvent")
    ContentType = apps.get_model("contenttypes", "ContentType")
    ctype = ContentType.objects.filter(app_label="compliance", model="user").first()
    changes = {}  # author id -> [(at, role before the change)], oldest first
    if ctype is not None:
        for object_id, at, change in (AuditEvent.objects.filter(
                content_type_id=ctype.pk, action="user.role_changed")
                .order_by("sequence").values_list("object_id", "at", "changes")):
            changes.setdefault(int(object_id), []).append((at, change["role"][0]))
    roles = dict(User.objects.values_list("pk", "role"))
    for comment in Comment.objects.only("pk", "author_id", "created_at"):
        role = next((before for at, before in changes.get(comment.author_id, [])
                     if at >= comment.created_at), roles[comment.author_id])
        side = "usps" if role in USPS_ROLES else "provider"
        Comment.objects.filter(pk=comment.pk).update(author_side=side)


class Migration(migrations.Migration):

    dependencies = [
        ("incidents", "0015_case_clock_closed_duties"),
        ("compliance", "0017_username_any_case"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AddField(
            model_name="comment",
            name="author_side",
            field=models.CharField(choices=[("usps", "USPS"), ("provider", "Provider")],
                                   default="provider", max_length=8),
            preserve_default=False,
        ),
        migrations.RunPython(fill_sides, migrations.RunPython.noop, elidable=False),
    ]
