import unicodedata

from django.db import migrations


def names_in_one_form(apps, schema_editor):
    """Names kept before the register kept them in one Unicode form (NFC) take it now,
    unless another name of the same scope already reads so (left for a person to merge)."""
    for model, scope in (("Provider", None), ("Affiliate", "provider_id"),
                         ("PESModel", "provider_id")):
        Model = apps.get_model("compliance", model)
        for row in Model.objects.only("pk", "name", *([scope] if scope else [])).iterator():
            name = unicodedata.normalize("NFC", row.name)
            if name == row.name:
                continue
            twins = Model.objects.filter(name=name)
            if scope:
                twins = twins.filter(**{scope: getattr(row, scope)})
            if not twins.exists():
                Model.objects.filter(pk=row.pk).update(name=name)


class Migration(migrations.Migration):

    dependencies = [
        ("compliance", "0025_step_effective_date"),
    ]

    operations = [
        migrations.RunPython(names_in_one_form, migrations.RunPython.noop),
    ]
