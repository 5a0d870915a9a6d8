"""Insights (issue 17): advice several videos give, its evidence, and the machine's proposals."""

import django.db.models.deletion
from django.db import migrations, models

from kb import triggers
from kb.permissions import grant

NEW_TABLES = ["kb_insight", "kb_insight_themes", "kb_evidence"]


def create_triggers(apps, schema_editor):
    for table in NEW_TABLES:
        triggers.create(schema_editor, table)


def drop_triggers(apps, schema_editor):
    for table in NEW_TABLES:
        triggers.drop(schema_editor, table)


class Migration(migrations.Migration):
    dependencies = [
        ("kb", "0021_editors_decide_themes"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.CreateModel(
            name="Insight",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("title", models.CharField(help_text="The advice, in one line.", max_length=300)),
                ("slug", models.SlugField(max_length=100, unique=True)),
                (
                    "summary",
                    models.TextField(
                        blank=True, help_text="A few sentences: what the guests agree on."
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[("draft", "Draft"), ("published", "Published")],
                        default="draft",
                        max_length=10,
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "themes",
                    models.ManyToManyField(blank=True, related_name="insights", to="kb.theme"),
                ),
            ],
            options={
                "ordering": ["-updated_at", "pk"],
            },
        ),
        migrations.CreateModel(
            name="Evidence",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "stance",
                    models.CharField(
                        choices=[("supports", "Supports"), ("contrasts", "A different view")],
                        default="supports",
                        max_length=10,
                    ),
                ),
                (
                    "note",
                    models.CharField(
                        blank=True, help_text="One line: what this voice adds.", max_length=300
                    ),
                ),
                ("position", models.PositiveSmallIntegerField(default=0)),
                (
                    "lesson",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="evidence",
                        to="kb.lesson",
                    ),
                ),
                (
                    "quote",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="evidence",
                        to="kb.quote",
                    ),
                ),
                (
                    "insight",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="evidence",
                        to="kb.insight",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "evidence",
                "ordering": ["insight_id", "position", "pk"],
            },
        ),
        migrations.CreateModel(
            name="InsightProposal",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("agree", "Several guests say this"),
                            ("differ", "Guests may disagree"),
                        ],
                        default="agree",
                        max_length=10,
                    ),
                ),
                ("title", models.CharField(max_length=300)),
                ("signature", models.CharField(editable=False, max_length=64, unique=True)),
                (
                    "score",
                    models.FloatField(default=0.0, help_text="How close the lessons are (0–1)."),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("open", "Open"),
                            ("accepted", "Accepted"),
                            ("dismissed", "Dismissed"),
                        ],
                        default="open",
                        max_length=10,
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "insight",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="proposals",
                        to="kb.insight",
                    ),
                ),
                (
                    "theme",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="kb.theme",
                    ),
                ),
            ],
            options={
                "verbose_name": "insight proposal",
                "ordering": ["-score", "pk"],
            },
        ),
        migrations.CreateModel(
            name="ProposedLesson",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("position", models.PositiveSmallIntegerField(default=0)),
                (
                    "stance",
                    models.CharField(
                        choices=[("supports", "Supports"), ("contrasts", "A different view")],
                        default="supports",
                        max_length=10,
                    ),
                ),
                (
                    "lesson",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="kb.lesson",
                    ),
                ),
                (
                    "proposal",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="members",
                        to="kb.insightproposal",
                    ),
                ),
            ],
            options={
                "ordering": ["proposal_id", "position"],
            },
        ),
        migrations.AddField(
            model_name="insightproposal",
            name="lessons",
            field=models.ManyToManyField(
                related_name="+", through="kb.ProposedLesson", to="kb.lesson"
            ),
        ),
        migrations.AddConstraint(
            model_name="insight",
            constraint=models.CheckConstraint(
                condition=models.Q(("status__in", ["draft", "published"])),
                name="kb_insight_status_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="evidence",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("lesson__isnull", False), ("quote__isnull", True)),
                    models.Q(("lesson__isnull", True), ("quote__isnull", False)),
                    _connector="OR",
                ),
                name="kb_evidence_lesson_or_quote",
            ),
        ),
        migrations.AddConstraint(
            model_name="evidence",
            constraint=models.CheckConstraint(
                condition=models.Q(("stance__in", ["supports", "contrasts"])),
                name="kb_evidence_stance_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="evidence",
            constraint=models.UniqueConstraint(
                condition=models.Q(("lesson__isnull", False)),
                fields=("insight", "lesson"),
                name="kb_evidence_lesson_once",
            ),
        ),
        migrations.AddConstraint(
            model_name="evidence",
            constraint=models.UniqueConstraint(
                condition=models.Q(("quote__isnull", False)),
                fields=("insight", "quote"),
                name="kb_evidence_quote_once",
            ),
        ),
        migrations.AddConstraint(
            model_name="proposedlesson",
            constraint=models.UniqueConstraint(
                fields=("proposal", "lesson"), name="kb_proposedlesson_once"
            ),
        ),
        migrations.RunPython(create_triggers, drop_triggers),
        migrations.RunPython(
            grant("insight", "evidence", "insightproposal", "proposedlesson"),
            migrations.RunPython.noop,
        ),
    ]
