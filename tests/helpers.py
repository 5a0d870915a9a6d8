"""What several test files share."""

import io
import time
from pathlib import Path

from django.contrib.messages import get_messages
from django.core.management import call_command
from django.db import connection

# The repository's root: where `manage.py` runs from in a test's other processes.
ROOT = Path(__file__).resolve().parents[1]


def import_video(*args) -> tuple[int, str, str]:
    """`manage.py import_video ARGS` as an editor runs it: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_video", *map(str, args), stdout=out, stderr=err)
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    return code, out.getvalue(), err.getvalue()


def snapshot():
    """Everything an import can write, to prove a refused import changed nothing."""
    from kb.models import Chapter, Lesson, Quote, Takeaway, TranscriptSegment, Video

    return [
        list(model.objects.order_by("pk").values())
        for model in (Video, Chapter, TranscriptSegment, Lesson, Takeaway, Quote)
    ]


def export() -> str:
    """`manage.py export_kb`'s output: the whole knowledge base as JSON."""
    out = io.StringIO()
    call_command("export_kb", stdout=out)
    return out.getvalue()


def restore(path) -> tuple[int, str]:
    """`manage.py import_kb PATH` as an editor runs it: (exit code, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_kb", str(path), stdout=out, stderr=err)
    except SystemExit as exit_:
        return exit_.code, err.getvalue()
    return 0, err.getvalue()


def empty_the_database():
    """Delete everything a restore writes, as on a new server."""
    from kb.models import Insight, InsightProposal, Person, Theme, ThemeRedirect, Video

    for model in (Video, ThemeRedirect, Person, Insight, InsightProposal):
        model.objects.all().delete()
    Theme.objects.all().delete()


def database_url() -> str:
    """The test database as a DATABASE_URL, for another process to open the same one."""
    entry = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{entry['NAME']}"
    return (
        f"postgres://{entry['USER']}:{entry.get('PASSWORD') or ''}@{entry['HOST'] or 'localhost'}"
        f":{entry['PORT'] or 5432}/{entry['NAME']}"
    )


def shown(response) -> list[str]:
    """The messages the admin shows after `response`, as text."""
    return [str(m) for m in get_messages(response.wsgi_request)]


def follow_until(client, url, done, seconds=120):
    """GET `url` as the page's own refresh would, until `done(response)`; returns the
    responses seen."""
    seen, deadline = [], time.monotonic() + seconds
    while True:
        response = client.get(url)
        seen.append(response)
        if done(response):
            return seen
        assert time.monotonic() < deadline, response.content.decode()[:2000]
        time.sleep(0.3)


def spoken(video, text, start=0.0, chapter=None):
    """A transcript line of `video` saying `text` at `start`, in `chapter` (else a chapter
    of its own), with the chapter's text refreshed as the importer does."""
    from kb.importers.derived import refresh_chapter_texts
    from tests.factories import ChapterFactory, TranscriptSegmentFactory

    chapter = chapter or ChapterFactory(video=video, start_seconds=int(start))
    segment = TranscriptSegmentFactory(
        video=video, chapter=chapter, text=text, start_seconds=start, end_seconds=start + 3
    )
    refresh_chapter_texts(video)  # as the importer does after writing segments
    return segment


def budget_talks(n: int, *, theme=None, titled: bool = False):
    """`n` videos, each with a lesson (on `theme`, when given), a takeaway and a quote
    saying "budget planning", a chapter whose one line says it and one whose lines say
    its words apart; `titled` adds a chapter found by its title alone. The last video."""
    from tests.factories import (
        ChapterFactory,
        LessonFactory,
        QuoteFactory,
        TakeawayFactory,
        VideoFactory,
    )

    for _ in range(n):
        video = VideoFactory()
        lesson = LessonFactory(video=video, title="Budget planning", tags=theme and [theme])
        TakeawayFactory(lesson=lesson, text="Plan the budget early")
        QuoteFactory(video=video, lesson=lesson, text="Budget planning is a habit")
        whole = ChapterFactory(video=video, title="Intro", start_seconds=0)
        spoken(video, "budget planning matters", 10, whole)
        spread = ChapterFactory(video=video, title="Money", start_seconds=100)
        spoken(video, "the budget was tight", 110, spread)
        spoken(video, "so planning came first", 115, spread)
        if titled:
            titled_chapter = ChapterFactory(video=video, title="Budget planning", start_seconds=200)
            spoken(video, "nothing else here", 210, titled_chapter)
    return video


# What a guest advises, by topic, in talks the drafting tests build: the words a takeaway
# must come from.
PROMOTION = [
    "You should write your own promotion packet before anyone asks for it.",
    "Make sure your manager knows the level you are aiming for this year.",
    "Ask your manager what the next level looks like on your team.",
    "Keep a list of every project you shipped and who it helped.",
    "Don't wait for the review cycle to talk about your growth.",
    "The key is to show the work of the next level for six months first.",
]
NEGOTIATION = [
    "Never accept the first offer on the phone, ask for a day to think.",
    "Always negotiate the salary once you have the written offer in hand.",
    "My advice is to ask for the equity numbers in writing before you sign.",
    "Tell the recruiter the number you need, and the reason you need it.",
    "Make sure you compare the offers by their total compensation, not the base.",
    "You have to be willing to walk away, or the negotiation is theatre.",
]


def kb_models() -> list:
    """The knowledge base's models (many-to-many tables too), each after those it points
    to."""
    from django.apps import apps

    models = list(apps.get_app_config("kb").get_models(include_auto_created=True))
    ordered, seen = [], set()

    def visit(model):
        if model in seen:
            return
        seen.add(model)
        for field in model._meta.concrete_fields:
            target = field.related_model if field.is_relation else None
            if target in models and target is not model:
                visit(target)
        ordered.append(model)

    for model in models:
        visit(model)
    return ordered


def write_rows(rows) -> None:
    """Replace every row of the knowledge base's tables with `rows` ((model, row tuples,
    their columns), as `conftest.sample_rows` reads them), in bulk: the database's
    triggers keep the search index and the content version as an import would. In one
    transaction, so foreign keys are checked once, at its end."""
    from django.core.management.color import no_style
    from django.db import transaction

    with transaction.atomic():
        for model, _, _ in reversed(rows):
            model._base_manager.all()._raw_delete(connection.alias)
        for model, values, columns in rows:
            # The rows' own times, not the time of writing them back.
            stamped = [
                f for f in model._meta.concrete_fields if getattr(f, "auto_now", False)
                or getattr(f, "auto_now_add", False)
            ]  # fmt: skip
            kept = [(f.auto_now, f.auto_now_add) for f in stamped]
            for field in stamped:
                field.auto_now = field.auto_now_add = False
            try:
                model._base_manager.bulk_create(
                    [model(**dict(zip(columns, row, strict=True))) for row in values],
                    batch_size=1000,
                )
            finally:
                for field, (now, now_add) in zip(stamped, kept, strict=True):
                    field.auto_now, field.auto_now_add = now, now_add
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), [m for m, _, _ in rows]):
                    cursor.execute(sql)
