"""People (issue 15): guests and hosts credited on videos, a lesson's own people, and a
quote's speaker as a person. The speaker's old text is kept as `speaker_name`."""

import django.db.models.deletion
import django.db.models.functions.text
from django.db import migrations, models

from kb import triggers

NEW_TABLES = ["kb_person", "kb_personredirect", "kb_credit", "kb_lesson_people"]


def create_triggers(apps, schema_editor):
    for table in NEW_TABLES:
        triggers.create(schema_editor, table)


def drop_triggers(apps, schema_editor):
    for table in NEW_TABLES:
        triggers.drop(schema_editor, table)


class Migration(migrations.Migration):

    dependencies = [
        ('kb', '0013_theme_reading_order'),
    ]

    operations = [
        migrations.RenameField(model_name='quote', old_name='speaker', new_name='speaker_name'),
        migrations.AlterField(
            model_name='quote',
            name='speaker_name',
            field=models.CharField(blank=True, help_text='Who said it, while nobody has made them a person (then: speaker).', max_length=200),
        ),
        migrations.CreateModel(
            name='Person',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=200)),
                ('slug', models.SlugField(max_length=100, unique=True)),
                ('bio', models.TextField(blank=True, help_text='A sentence or two: who they are.')),
                ('link', models.URLField(blank=True, help_text='Their website or profile.')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
            ],
            options={
                'verbose_name_plural': 'people',
                'ordering': [django.db.models.functions.text.Lower('name'), 'name'],
                'constraints': [models.UniqueConstraint(django.db.models.functions.text.Lower('name'), name='kb_person_name_ci_unique')],
            },
        ),
        migrations.CreateModel(
            name='Credit',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('role', models.CharField(choices=[('guest', 'Guest'), ('host', 'Host')], default='guest', max_length=10)),
                ('position', models.PositiveSmallIntegerField(default=0)),
                ('video', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='credits', to='kb.video')),
                ('person', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='credits', to='kb.person')),
            ],
            options={
                'ordering': ['video_id', 'role', 'position', 'id'],
            },
        ),
        migrations.AddField(
            model_name='lesson',
            name='people',
            field=models.ManyToManyField(blank=True, help_text="Who gives this advice, when not the video's guests (the host, one of two).", related_name='lessons', to='kb.person'),
        ),
        migrations.AddField(
            model_name='video',
            name='people',
            field=models.ManyToManyField(blank=True, related_name='videos', through='kb.Credit', to='kb.person'),
        ),
        migrations.AddField(
            model_name='quote',
            name='speaker',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='quotes', to='kb.person'),
        ),
        migrations.CreateModel(
            name='PersonRedirect',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('old_slug', models.SlugField(max_length=100, unique=True)),
                ('person', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='redirects', to='kb.person')),
            ],
        ),
        migrations.AddConstraint(
            model_name='credit',
            constraint=models.UniqueConstraint(fields=('video', 'person', 'role'), name='kb_credit_one_role_each'),
        ),
        migrations.AddConstraint(
            model_name='credit',
            constraint=models.CheckConstraint(condition=models.Q(('role__in', ['guest', 'host'])), name='kb_credit_role_valid'),
        ),
        migrations.RunPython(create_triggers, drop_triggers),
        triggers.recreate("kb_quote"),
        triggers.recreate("kb_video"),
        triggers.recreate("kb_lesson"),
    ]
