"""Editors curate people too: who is in each video, merges, renames."""

from django.db import migrations

from kb.permissions import grant


class Migration(migrations.Migration):
    dependencies = [("kb", "0014_people"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [
        migrations.RunPython(
            grant("person", "personredirect", "credit"), migrations.RunPython.noop
        )
    ]
