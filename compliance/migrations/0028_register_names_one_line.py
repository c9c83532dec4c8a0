import re
import unicodedata

from django.db import migrations

BREAKS = re.compile(r"[\t\n\v\f\r\x1c-\x1f\x85\u2028\u2029]+")
JOINERS = {"\u200c", "\u200d"}
PROCEDURES_EXTENSION = "Extension of the internal reporting procedures: "
SHAPING = {"\u200c", "\u200d", "\u034f", *map(chr, range(0xFE00, 0xFE10))}


def _shaping_something(value):
    kept = []
    for n, c in enumerate(value):
        if c in SHAPING:
            before = kept[-1] if kept else " "
            after = value[n + 1] if n + 1 < len(value) else " "
            if c == "\u034f" or before.isascii() or after.isascii() \
                    or before.isspace() or after.isspace() or after in SHAPING:
                continue
        kept.append(c)
    return "".join(kept)


def as_name(value):
    """As `compliance.text.as_name` reads a name when this migration was written."""
    visible = "".join(c for c in value if c in JOINERS or unicodedata.category(c) != "Cf")
    name = BREAKS.sub(" ", visible).strip()
    while True:
        folded = unicodedata.normalize("NFC", " ".join(_shaping_something(name).split()))
        if folded == name:
            return name
        name = folded


def names_on_one_line(apps, schema_editor):
    """Names kept before the register kept them on one line without invisible format
    characters take that form now, unless another name of the same scope already reads so
    (left for a person to merge), or nothing would be left of them; so do the subjects
    written with a provider's name."""
    for model, scope in (("Provider", None), ("Affiliate", "provider_id"),
                         ("PESModel", "provider_id")):
        Model = apps.get_model("compliance", model)
        for row in Model.objects.only("pk", "name", *([scope] if scope else [])).iterator():
            name = as_name(row.name)
            if name == row.name or not name:
                continue
            twins = Model.objects.filter(name=name)
            if scope:
                twins = twins.filter(**{scope: getattr(row, scope)})
            if not twins.exists():
                Model.objects.filter(pk=row.pk).update(name=name)
    # The subjects the product wrote with a provider's name (its procedures duty, USPS's
    # targets to review its versions and to decide an extension of it) read the name as it
    # now stands while outstanding, as a rename writes them: this migration's names and
    # 0026's alike (the rest of each subject is the product's own words, which the same
    # reading leaves as they are).
    Obligation = apps.get_model("compliance", "Obligation")
    owed = Obligation.objects.filter(
        kind__in=("procedures", "usps_procedures_review", "usps_extension_decision"),
        state__in=("open", "missed"), closed_at__isnull=True)
    for pk, subject in owed.values_list("pk", "subject").iterator():
        # An extension of a case's duty names the case by its title, no name of the
        # register's: only that of a procedures duty is read again.
        prefix = PROCEDURES_EXTENSION if subject.startswith(PROCEDURES_EXTENSION) else ""
        if prefix or subject.startswith("Internal reporting procedures"):
            read = prefix + as_name(subject[len(prefix):])
            if read != subject:
                Obligation.objects.filter(pk=pk).update(subject=read)


class Migration(migrations.Migration):

    dependencies = [
        ("compliance", "0027_provider_status_history_append_only"),
    ]

    operations = [
        migrations.RunPython(names_on_one_line, migrations.RunPython.noop),
    ]
