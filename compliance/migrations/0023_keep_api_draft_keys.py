import hashlib

from django.db import migrations

# An API draft's Idempotency-Key is claimed as "<key>:<digest of 'api:draft'>"
# (compliance.sent_once); those claimed before keys could be kept are kept from now on.
API_DRAFT = ":" + hashlib.sha256(b"api:draft").hexdigest()[:16]


def keep_api_draft_keys(apps, schema_editor):
    SentForm = apps.get_model("compliance", "SentForm")
    SentForm.objects.filter(key__endswith=API_DRAFT).update(kept=True)


class Migration(migrations.Migration):

    dependencies = [("compliance", "0022_sent_form_kept")]

    operations = [migrations.RunPython(keep_api_draft_keys, migrations.RunPython.noop)]
