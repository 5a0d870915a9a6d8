"""Take control characters out of the text already stored (issue 36): one in a title or
a caption made every feed answer 500. New text is cleaned where it comes in (kb.text);
this repairs rows written before. Only rows that hold one are read and written."""

from django.db import IntegrityError, migrations, transaction
from django.db.models import Q

from kb.text import TEXT_FIELDS, clean, mark

# Written for both databases' regular expressions (SQLite's is Python's `re`).
HOLDS_ONE = r"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]"


def repair(apps, schema_editor):
    for model in apps.get_app_config("kb").get_models():
        fields = [
            f.attname for f in model._meta.concrete_fields if f.get_internal_type() in TEXT_FIELDS
        ]
        if not fields:
            continue
        holds_one = Q()
        for name in fields:
            holds_one |= Q(**{f"{name}__regex": HOLDS_ONE})
        # Few rows hold one: read them all before writing any.
        for row in list(model.objects.filter(holds_one).values("pk", *fields)):
            changed = {
                name: clean(row[name])
                for name in fields
                if isinstance(row[name], str) and clean(row[name]) != row[name]
            }
            try:
                with transaction.atomic():
                    model.objects.filter(pk=row["pk"]).update(**changed)
            except IntegrityError:
                # Cleaned, it would equal another row's unique value (a name, a slug):
                # a visible replacement character instead, for an editor to mend.
                marked = {name: mark(row[name]) for name in changed}
                model.objects.filter(pk=row["pk"]).update(**marked)


class Migration(migrations.Migration):
    dependencies = [("kb", "0028_row_terms")]

    operations = [migrations.RunPython(repair, migrations.RunPython.noop)]
