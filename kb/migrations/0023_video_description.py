"""Videos keep YouTube's own description (issue 18: yt-dlp's info.json brings it)."""

from django.db import migrations, models

from kb import triggers


class Migration(migrations.Migration):
    dependencies = [("kb", "0022_insights")]

    operations = [
        migrations.AddField(
            model_name="video",
            name="description",
            field=models.TextField(blank=True, help_text="YouTube's own description of it."),
        ),
        # SQLite rebuilds the table to add a column: its content-version triggers go with it.
        triggers.recreate("kb_video"),
    ]
