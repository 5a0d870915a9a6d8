"""Editors see and decide the themes the importer offers (kb.models.ThemeSuggestion)."""

from django.db import migrations

from kb.permissions import grant


class Migration(migrations.Migration):
    dependencies = [("kb", "0020_theme_descriptions"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(grant("themesuggestion"), migrations.RunPython.noop)]
