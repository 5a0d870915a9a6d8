"""What is derived from the words editors and imports write, kept in step with them by one
mechanism, whatever the path (an import, the admin, an editor's decision, a restore):

- a lesson's keywords (its most frequent content words: the related lessons);
- the meaning vectors (kb.search.meaning) of a video, its lessons (with their pieces),
  quotes and windows of transcript;
- each chapter's whole transcript and each line's repeated words (`ChapterTranscript`,
  `LineEmphasis`: search ranks chapters and finds a common word's strongest lines by
  them).

Saves and deletes of what they are derived from send signals (connected in kb.apps), and
each receiver names what went stale (`stale`). The refresh runs once the transaction
commits (`transaction.on_commit`), when every part of a change is in: an admin form saves
a lesson, then its takeaways, then its themes. A refresh reads the rows as they are then,
so several saves of one lesson in one transaction cost one refresh. It ends by moving the
content version, so that no worker keeps vectors it loaded in between.

An import (the store's entries, a restore, `reindex`) runs inside `deferred()`: what goes
stale is gathered and refreshed once, at its end, inside its own transaction, so a
rolled-back import leaves nothing behind and the vectors come with the data. Writes that
send no signals (bulk_create, a queryset's update) say what they made stale themselves:
the store marks a video's transcript when it writes its segments (`TRANSCRIPT`), which
refreshes everything of the video at once.

The search index of words needs none of this: the database keeps it (kb.search.schema),
but for SQLite's terms tables, whose triggers can only mark the rows changed (stemming is
beyond them): every refresh ends by writing those (`kb.search.write_terms`).
"""

import logging
import threading
from contextlib import contextmanager

from django.db import connection, transaction
from django.db.models import F

from kb import search
from kb.importers.linking import keywords
from kb.models import (
    LONGEST_EMPHASISED_WORD,
    Chapter,
    ChapterTranscript,
    ContentVersion,
    Lesson,
    LineEmphasis,
    Quote,
    Takeaway,
    Video,
)
from kb.search import meaning, sense
from kb.search.query import repeated_words

# What can go stale, each named with the id of its row.
LESSON = "lesson"  # its keywords and vectors: its title, body or takeaways changed
QUOTE = "quote"  # its vector
VIDEO = "video"  # what the video is about: its own vector
CHAPTER = "chapter"  # its whole transcript's row (its title)
TRANSCRIPT = "transcript"  # everything of a video (by its id): its segments were written

# A line that says a word this often says it as often as a line can usefully (and the
# count fits any small integer column).
MOST_SAID = 100
# Refreshes remembered per thread (to skip the later calls of one commit); forgetting
# them costs a refresh done twice, never one missed.
REMEMBERED = 10_000

log = logging.getLogger(__name__)
_local = threading.local()

# Called with {kind: ids} once an edit's refresh is done (not an import's, whose rows are
# mostly drafts): kb.apps adds the share cards' (kb.card_tasks.after_edit).
AFTER_EDIT: list = []


def _state():
    if not hasattr(_local, "tick"):
        _local.tick = 0  # counts schedules and refreshes, in this thread's order
        _local.refreshed = {}  # (kind, id): the tick of its last refresh
        _local.gathering = None  # inside deferred(): the set of what went stale
    return _local


def stale(kind: str, pk: int | None) -> None:
    """`kind` of row `pk` no longer matches its words: refreshed when the transaction
    commits (at once outside one), or at the end of `deferred()`."""
    if pk is None:
        return
    state = _state()
    if state.gathering is not None:
        state.gathering.add((kind, pk))
        return
    state.tick += 1
    scheduled = state.tick

    def refresh_once() -> None:
        # A refresh of this row since this one was scheduled read every write before it
        # (the same thread, committed): this one would do the same work again.
        if state.refreshed.get((kind, pk), -1) > scheduled:
            return
        if len(state.refreshed) >= REMEMBERED:
            state.refreshed.clear()
        state.tick += 1
        state.refreshed[(kind, pk)] = state.tick
        with transaction.atomic():
            if refresh({(kind, pk)}):
                ContentVersion.objects.filter(pk=1).update(version=F("version") + 1)
        for hook in AFTER_EDIT:
            try:
                hook({kind: {pk}})
            except Exception:  # the edit is committed: what follows it must not undo its answer
                log.exception("after an edit of %s %s", kind, pk)

    transaction.on_commit(refresh_once)


def importing() -> bool:
    """Inside `deferred()`: an import's writes (mostly drafts), which no AFTER_EDIT hook
    follows."""
    return _state().gathering is not None


@contextmanager
def deferred():
    """Inside, what goes stale is gathered and refreshed once, when the outermost
    `deferred()` ends without an error (in the caller's transaction). An import's way."""
    state = _state()
    if state.gathering is not None:  # an outer one refreshes
        yield
        return
    state.gathering = gathered = set()
    try:
        yield
    finally:
        state.gathering = None
    # A dry run's rolled-back transaction needs no refresh.
    rolled_back = connection.in_atomic_block and transaction.get_rollback()
    if gathered and not rolled_back:
        refresh(gathered)


def refresh(items: set[tuple[str, int]]) -> bool:
    """Derive afresh what `items` name, reading the rows as they are now; rows gone since
    are skipped. Everything of a video whose transcript is named is refreshed with it.
    False when every row named is gone."""
    ids = {kind: {pk for k, pk in items if k == kind} for kind in (LESSON, QUOTE, VIDEO, CHAPTER)}
    whole = set(Video.objects.filter(pk__in={pk for k, pk in items if k == TRANSCRIPT}))
    for video in whole:
        refresh_chapter_texts(video)
        lessons = list(video.lessons.prefetch_related("takeaways"))
        _set_keywords(lessons)
        meaning.index_video(video, lessons)
        sense.index_lessons(lessons)
    within = {video.pk for video in whole}
    videos = list(Video.objects.filter(pk__in=ids[VIDEO] - within)) if ids[VIDEO] else []
    if videos:
        meaning.index_videos_own(videos)
    chapters = []
    if ids[CHAPTER]:
        chapters = list(Chapter.objects.filter(pk__in=ids[CHAPTER]).exclude(video__in=within))
        _chapter_rows(chapters)
    lessons = []
    if ids[LESSON]:
        lessons = list(
            Lesson.objects.filter(pk__in=ids[LESSON])
            .exclude(video__in=within)
            .prefetch_related("takeaways")
        )
        if lessons:
            _set_keywords(lessons)
            meaning.index_lessons(lessons)
            sense.index_lessons(lessons)
    quotes = []
    if ids[QUOTE]:
        quotes = list(Quote.objects.filter(pk__in=ids[QUOTE]).exclude(video__in=within))
        if quotes:
            meaning.index_quotes(quotes)
    search.write_terms()
    return bool(whole or videos or chapters or lessons or quotes)


def reindex(files_only: bool = False) -> int | None:
    """Everything derived from the words rebuilt from the data, one video at a time (each
    in its own transaction), then the database's index of words; and this host's meaning
    index files from the stored vectors (`files_only`: those alone). Returns the vectors
    in those files (None where no files are kept). `manage.py reindex` and the `reindex`
    task (kb.importers.tasks)."""
    if not files_only:
        for pk in Video.objects.values_list("pk", flat=True):
            with transaction.atomic(), deferred():
                stale(TRANSCRIPT, pk)
        search.backend().reindex()
    sense.rebuild_files()
    return meaning.rebuild_files()


def lesson_keywords(lesson: Lesson) -> str:
    """A lesson's keywords: of the words search by meaning reads (its title, body and
    takeaways)."""
    return keywords(meaning.lesson_text(lesson))


def _set_keywords(lessons: list[Lesson]) -> None:
    changed = []
    for lesson in lessons:
        fresh = lesson_keywords(lesson)
        if fresh != lesson.keywords:
            lesson.keywords = fresh
            changed.append(lesson)
    # An update, not a save: what is derived is no editor's change (`updated_at`), and
    # sends no signal to come back here.
    Lesson.objects.bulk_update(changed, ["keywords"], batch_size=500)


def refresh_chapter_texts(video: Video) -> None:
    """Each chapter keeps its whole transcript as one text: search ranks chapters by it.
    And each line the words it says more than once (`LineEmphasis`): search's strongest
    lines of a common word."""
    texts: dict[int, list[str]] = {}
    emphasis = []
    for pk, chapter_id, text in video.segments.order_by("start_seconds", "id").values_list(
        "pk", "chapter_id", "text"
    ):
        texts.setdefault(chapter_id, []).append(text)
        emphasis += [
            LineEmphasis(segment_id=pk, chapter_id=chapter_id, word=word, said=min(n, MOST_SAID))
            for word, n in repeated_words(text, LONGEST_EMPHASISED_WORD)
        ]
    chapters = list(video.chapters.all())
    ChapterTranscript.objects.filter(chapter__video=video).delete()
    ChapterTranscript.objects.bulk_create(
        ChapterTranscript(chapter=c, title=c.title, text=" ".join(texts.get(c.pk, [])))
        for c in chapters
    )
    LineEmphasis.objects.filter(segment__video=video).delete()
    LineEmphasis.objects.bulk_create(emphasis, batch_size=2000)


def _chapter_rows(chapters) -> None:
    """The transcript rows of chapters an editor changed (a title, a start) or added: an
    edit costs its chapter's lines, not the video's."""
    for chapter in chapters:
        lines = chapter.segments.order_by("start_seconds", "id").values_list("text", flat=True)
        text = " ".join(lines)
        ChapterTranscript.objects.update_or_create(
            chapter=chapter, defaults={"title": chapter.title, "text": text}
        )


# ---------------------------------------------------------------- the receivers


def _marks(kind: str, row_id=lambda row: row.pk):
    """A receiver that marks `kind` of `row_id(the row saved or deleted)` stale (not for
    fixtures loaded raw: `loaddata` writes what a dump derived already)."""

    def receiver(sender, instance, raw=False, **kwargs) -> None:
        if not raw:
            stale(kind, row_id(instance))

    return receiver


RECEIVERS = [
    ("post_save", Lesson, _marks(LESSON)),
    ("post_save", Takeaway, _marks(LESSON, lambda takeaway: takeaway.lesson_id)),
    ("post_delete", Takeaway, _marks(LESSON, lambda takeaway: takeaway.lesson_id)),
    ("post_save", Quote, _marks(QUOTE)),
    ("post_save", Video, _marks(VIDEO)),
    ("post_save", Chapter, _marks(CHAPTER)),
    # Its windows of transcript went with it (their vectors name the chapter).
    ("post_delete", Chapter, _marks(TRANSCRIPT, lambda chapter: chapter.video_id)),
]
