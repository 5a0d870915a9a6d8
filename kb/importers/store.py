"""The one place that writes imported documents into the database, one transaction each.

Editors' work is never lost. Each imported object remembers the values it was imported
with (`imported`); a re-import with `--update` refreshes a field only where it still
holds that value, so anything an editor changed stays as the editor left it. Creating a
video is the same code as updating one: a new object simply has no snapshot yet.

To import a new field: add it to the `*_FIELDS` list of its model below, and give the
parsed document a value for it (`_video_values`, `_lesson_values`).
"""

import bisect
import contextlib
import contextvars
import datetime
import functools
import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.text import slugify

from kb.importers import drafts as drafting
from kb.importers import themes
from kb.importers.analysis import link_page, place
from kb.importers.documents import DocumentError, Segment, header_identity
from kb.importers.linking import (
    CANDIDATE_PASSAGES,
    ChapterIndex,
    Link,
    SectionEvidence,
    WordTimeline,
    keywords,
    locate_text,
    passage_of,
    reanchor,
    section_query,
    suggest_passages,
)
from kb.importers.summary import Section, SummaryPage
from kb.models import (
    Chapter,
    ChapterTranscript,
    Credit,
    DraftPassage,
    Lesson,
    LessonTheme,
    Person,
    Quote,
    QuoteSuggestion,
    Role,
    Status,
    Suggestion,
    Takeaway,
    Theme,
    ThemeSuggestion,
    TranscriptSegment,
    Video,
    unique_slug,
)
from kb.search import meaning
from kb.timecodes import format_timecode

if TYPE_CHECKING:
    from kb.importers.analysis import ParsedPage
    from kb.importers.markdown import MarkdownLessons
    from kb.importers.ytdlp import VideoInfo

SUGGESTIONS_SHOWN = 3
# A cue may start a little after the length the page gives (it is rounded to the second).
END_SLACK_SECONDS = 5


def _plain(value):
    return value.isoformat() if isinstance(value, datetime.date) else value


@dataclass(frozen=True)
class Imported:
    """A field an import fills. `key` names it in the `imported` snapshot (default: the
    attribute); `snap` turns its value into what the snapshot keeps (JSON)."""

    attr: str
    key: str = ""
    snap: Callable[[Any], Any] = _plain

    @property
    def name(self) -> str:
        return self.key or self.attr


VIDEO_FIELDS = tuple(
    Imported(name)
    for name in (
        "title",
        "channel",
        "published_on",
        "duration_seconds",
        "headline",
        "intro",
        "conclusion",
        "resources",
    )
)
# What yt-dlp's info.json says of a video (kb.importers.ytdlp.VideoInfo).
INFO_FIELDS = tuple(
    Imported(name)
    for name in ("title", "channel", "published_on", "duration_seconds", "description")
)
CHAPTER_FIELDS = (Imported("title"),)
LESSON_FIELDS = (
    Imported("title"),
    Imported("body"),
    Imported("start_seconds"),
    # Compared by start time: the chapter rows may be new ones at the same place.
    Imported("chapter", "chapter_start", lambda c: c.start_seconds if c else None),
)
EMPTY = ("", None, [], {})
# How `move_moments` moves a row: a span by its own words, a point by what was said there.
SPAN = ("start_seconds", "end_seconds")
POINT = ("start_seconds",)


def refresh(obj: models.Model, fields, fresh: dict, imported: dict | None) -> dict:
    """Set `obj`'s fields from `fresh` wherever no editor has changed them; return the
    new snapshot. The one rule of every import, for videos, chapters and lessons alike.

    `imported` is the snapshot of the last import, None for an object this import makes.
    A field still holding its imported value is refreshed and one an editor changed is
    kept; a field no earlier import filled is filled only while it is empty.
    """
    snapshot = {}
    for f in fields:
        current = f.snap(getattr(obj, f.attr))
        if imported is None:
            untouched = True
        elif f.name in imported:
            untouched = current == imported[f.name]
        else:
            untouched = current in EMPTY
        if untouched:
            setattr(obj, f.attr, fresh[f.attr])
        snapshot[f.name] = f.snap(fresh[f.attr])
    return snapshot


# What a dry run or the admin's preview says in place of each done verb.
PLANNED = {"imported": "would import", "updated": "would update", "attached": "would attach"}


@dataclass
class Outcome:
    action: str  # imported, updated, attached, unchanged
    video: Video
    counts: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    dry_run: bool = False
    # Doubts an editor should confirm, printed as `warning:` lines.
    warnings: list[str] = field(default_factory=list)

    @property
    def wrote(self) -> bool:
        return not self.dry_run and self.action != "unchanged"

    def summary_line(self) -> str:
        verb = self.action
        if self.dry_run and verb in PLANNED:
            verb = PLANNED[verb]  # a preview says what the import will do
        parts = ", ".join(f"{n} {name}" for name, n in self.counts.items())
        line = f"{verb} {self.video.slug}" + (f": {parts}" if parts else "")
        return line + "".join(f"; {note}" for note in self.notes)


def page_identity(page: SummaryPage) -> str:
    return header_identity(page.title, page.channel, page.published_on, page.duration_seconds)


def find_video(identity: str, youtube_id: str = "") -> Video | None:
    """The video a document is about: by its YouTube id when the import gives one, else by
    its import identity. Never by slug or title, which editors change and talks share."""
    if youtube_id:
        video = Video.objects.filter(youtube_id=youtube_id).first()
        # Else perhaps the same page, imported before without its id.
        return video or Video.objects.filter(import_key=identity, youtube_id="").first()
    matches = list(Video.objects.filter(import_key=identity).order_by("pk")[:3])
    if len(matches) > 1:
        slugs = ", ".join(v.slug for v in matches)
        raise DocumentError(
            f"several videos have this page's title, channel, date and length ({slugs}): "
            "pass --youtube to say which one it is"
        )
    return matches[0] if matches else None


def _retrying(write):
    """Run `write` in a transaction; if another import of the same new video committed
    first (two confirms, two processes), the constraint refuses ours: look again, once."""
    for attempt in (1, 2):
        try:
            with transaction.atomic():
                return write()
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def store_summary(
    parsed: "ParsedPage",
    *,
    digest: str,
    publish: bool = False,
    update: bool = False,
    youtube_id: str = "",
    dry_run: bool = False,
) -> Outcome:
    identity = page_identity(parsed.page)

    def write() -> Outcome:
        video = find_video(identity, youtube_id)
        if video is not None and video.source_hash == digest:
            return Outcome("unchanged", video, dry_run=dry_run)
        # A video no page made yet (from an info.json, or the admin) takes its first.
        if video is not None and video.source_hash and not update:
            raise DocumentError(
                f"video '{video.slug}' was imported from a different version of this page; "
                "use --update to refresh it (editors' changes are kept)"
            )
        outcome = _store_page(video, parsed, digest, identity, youtube_id, publish)
        outcome.dry_run = dry_run
        if dry_run:
            transaction.set_rollback(True)
        return outcome

    return _retrying(write)


@dataclass(frozen=True)
class ChapterStart:
    start_seconds: int
    title: str


def store_info(
    info: "VideoInfo",
    *,
    digest: str,
    cues: list | None = None,
    cues_digest: str = "",
    publish: bool = False,
    update: bool = False,
    dry_run: bool = False,
) -> Outcome:
    """Create or refresh a video from yt-dlp's info.json, and attach the captions beside
    it (`cues`) as its exact transcript, in one transaction. `digest` is of what the
    import reads (kb.importers.ytdlp.digest), so that a fresh download whose view count
    changed is not a new version."""

    def write() -> Outcome:
        video = Video.objects.filter(youtube_id=info.youtube_id).first()
        same_info = video is not None and video.imported.get("info_hash") == digest
        same_cues = cues is None or (
            video is not None and video.imported.get("transcript_hash") == cues_digest
        )
        if same_info and same_cues:
            return Outcome("unchanged", video, dry_run=dry_run)
        if video is not None and "info_hash" in video.imported and not same_info and not update:
            raise DocumentError(
                f"video '{video.slug}' was imported from a different version of this "
                "info.json; use --update to refresh it (editors' changes are kept)"
            )
        outcome = _store_info(video, info, digest, publish)
        if cues is None:
            outcome.notes.append("no captions beside it: the transcript comes with a summary "
                                 "page or `import_video CAPTIONS --video SLUG`")  # fmt: skip
        if cues is None or same_cues or not _attach_beside(outcome, cues, cues_digest, update):
            meaning.index_video(outcome.video)
        outcome.video.refresh_from_db()
        outcome.dry_run = dry_run
        if dry_run:
            transaction.set_rollback(True)
        return outcome

    return _retrying(write)


def _store_info(video, info, digest, publish) -> Outcome:
    new = video is None
    if new:
        video = Video(
            slug=unique_slug(Video, info.title, info.youtube_id),
            youtube_id=info.youtube_id,
            status=Status.PUBLISHED if publish else Status.DRAFT,
            import_key=header_identity(
                info.title, info.channel, info.published_on, info.duration_seconds
            ),
        )
    old = None if new else video.imported
    fresh = {f.attr: getattr(info, f.attr) for f in INFO_FIELDS}
    snapshot = refresh(video, INFO_FIELDS, fresh, old)
    video.imported = {**(old or {}), **snapshot, "info_hash": digest}
    video.save()

    notes = []
    # The info's chapters are YouTube's own; they replace only chapters an earlier
    # info.json made (or none), never those of a summary page or an editor.
    own = new or (old or {}).get("chapters_from") == "info" or not video.chapters.exists()
    listed = [ChapterStart(start, title) for start, title in info.chapters]
    if listed and own:
        chapters, gone = _store_chapters(video, listed, (old or {}).get("chapters"))
        notes += _drop_chapters(gone, "the info.json")
        if video.segments.exists():
            _assign_chapters(video, chapters)
        video.imported = {
            **video.imported,
            "chapters": {str(c.start_seconds): c.title for c in listed},
            "chapters_from": "info",
        }
        video.save(update_fields=["imported"])
    elif listed:
        stored = list(video.chapters.values_list("start_seconds", flat=True))
        if stored != [c.start_seconds for c in listed]:
            notes.append(
                f"kept the video's {len(stored)} chapters: the info.json lists {len(listed)} others"
            )
    elif info.chapter_note:
        notes.append(info.chapter_note)
    counts = {"chapters": video.chapters.count()}
    return Outcome("imported" if new else "updated", video, counts, notes)


def _attach_beside(outcome: Outcome, cues: list, digest: str, update: bool) -> bool:
    """Attach the captions found beside an info.json; False when the video's own timed
    transcript is kept instead."""
    if outcome.video.transcript_exact and not update:
        outcome.notes.append(
            "kept the video's timed transcript: the captions beside it differ "
            "(--update replaces it, editors' changes kept)"
        )
        return False
    attached = attach_transcript(outcome.video, cues, digest=digest, update=update)
    outcome.counts.update((name, n) for name, n in attached.counts.items() if n)
    outcome.notes += attached.notes
    return True


def _video_values(page: SummaryPage) -> dict:
    return {f.attr: getattr(page, f.attr) for f in VIDEO_FIELDS}


def _lesson_values(section: Section, link: Link | None, chapters: list[Chapter]) -> dict:
    chapter = chapters[link.chapter] if link and link.chapter is not None else None
    if chapter is None and section.chapter_start is not None:
        # The page names its chapter (`### Title (01:28)`) though no words place it.
        chapter = next((c for c in chapters if c.start_seconds == section.chapter_start), None)
    return {
        "title": section.title,
        "body": section.body,
        "start_seconds": link.start_seconds if link else None,
        "chapter": chapter,
    }


def _store_page(video, parsed, digest, identity, youtube_id, publish) -> Outcome:
    """Create or refresh a video from its summary page; `video` is None for a new one."""
    page = parsed.page
    new = video is None
    # A new video's lessons share its status, and so do the first lessons of a video an
    # info.json made; lessons new to a video that has some are drafts.
    first = new or not video.lessons.exists()
    status = Status.PUBLISHED if publish and first else Status.DRAFT
    keep = _keeps_its_chapters(video)
    if new:
        video = Video(slug=unique_slug(Video, page.title, youtube_id or "video"), status=status)
    elif first and publish:
        video.status = status
    old = None if new else video.imported
    fresh = _video_values(page)
    # What the page does not say (a summary-only export has no length or date) leaves what
    # the video already has, from its info.json or transcript.
    unsaid = {f for f in ("channel", "published_on", "duration_seconds") if not fresh[f]}
    fields = VIDEO_FIELDS if new else [f for f in VIDEO_FIELDS if f.attr not in unsaid]
    snapshot = refresh(video, fields, fresh, old)
    if not keep:
        snapshot["chapters"] = {str(c.start_seconds): c.title for c in page.chapters}
    snapshot["people"] = {"guests": page.guests, "host": page.host}
    video.imported = {**(old or {}), **snapshot}
    video.import_key = video.import_key if keep and video.import_key else identity
    video.youtube_id = youtube_id or video.youtube_id
    video.source_hash = digest
    video.save()

    _store_people(video, snapshot["people"], None if new else (old or {}).get("people"))
    notes = []
    if keep:
        chapters, gone = list(video.chapters.all()), []
        if [c.start_seconds for c in chapters] != [c.start_seconds for c in page.chapters]:
            notes.append(
                f"kept the video's {len(chapters)} chapters: the page's {len(page.chapters)} differ"
            )
        parsed = _onto_video(parsed, video, chapters)
    else:
        chapters, gone = _store_chapters(video, page.chapters, (old or {}).get("chapters"))
        if video.transcript_exact:
            parsed = _onto_video(parsed, video, chapters)
    if video.transcript_exact:
        # The timed transcript stays; only its chapter links follow the new chapters.
        _assign_chapters(video, chapters)
        segment_count = video.segments.count()
    else:
        _replace_segments(video, chapters, parsed.segments)
        move_moments(video.quotes.all(), SPAN, None, WordTimeline(parsed.segments))
        segment_count = len(parsed.segments)
        if any(s.exact for s in parsed.segments):
            # The page held the generator's raw timed transcript: exact times already.
            video.transcript_exact = True
            video.save(update_fields=["transcript_exact"])

    themer = current_themer()
    existing = {lesson.import_key: lesson for lesson in video.lessons.prefetch_related("takeaways")}
    takeaways = 0
    keys = lesson_keys([section.title for section in page.sections])
    for position, (section, link, evidence, key) in enumerate(
        zip(page.sections, parsed.links, parsed.evidence, keys, strict=True)
    ):
        lesson = existing.get(key)
        if lesson is None:
            lesson = Lesson(
                video=video,
                slug=unique_slug(Lesson, section.title, "lesson"),
                status=status,
                position=position,
                import_key=key,
            )
        takeaways += _store_lesson(lesson, section, link, evidence, chapters, themer)

    notes += _drop_chapters(gone, "the page")
    meaning.index_video(video)
    counts = {
        "chapters": len(chapters),
        "lessons": len(page.sections) if new else video.lessons.count(),
        "takeaways": takeaways,
        "segments": segment_count,
    }
    return Outcome("imported" if new else "updated", video, counts, notes)


def _keeps_its_chapters(video: Video | None) -> bool:
    """A video whose chapters did not come from a summary page (YouTube's own, from its
    info.json, or an editor's) keeps them when a page lands on it."""
    if video is None or not video.chapters.exists():
        return False
    return video.imported.get("chapters_from") == "info" or not video.source_hash


def _onto_video(parsed: "ParsedPage", video: Video, chapters: list[Chapter]) -> "ParsedPage":
    """The page's lessons linked afresh onto the video's own chapters and transcript:
    its exact captions when it has them (so every moment is an exact time), else the
    page's estimated transcript cut at the video's chapters."""
    starts = [c.start_seconds for c in chapters]
    timeline = _stored_segments(video) if video.transcript_exact else parsed.segments
    segments = [
        Segment(_chapter_index(starts, s.start_seconds), s.start_seconds, s.end_seconds,
                s.text, s.exact)
        for s in timeline
    ]  # fmt: skip
    texts: dict[int, list[str]] = {}
    for segment in segments:
        texts.setdefault(segment.chapter, []).append(segment.text)
    return link_page(
        parsed.page, [(c.title, " ".join(texts.get(n, []))) for n, c in enumerate(chapters)],
        segments,
    )  # fmt: skip


def _store_people(
    video: Video, proposed: dict, imported: dict | None, known: dict | None = None
) -> None:
    """Credit the guests and host the page names, while the video's people are still
    what an import set (or none): an editor's choice of people is kept. `known`: the
    person of a name, when the import has already found them (a transcript's speakers)."""
    known = known or {}
    credits = list(video.credits.select_related("person").order_by("role", "position"))
    current = {
        "guests": [c.person.name for c in credits if c.role == Role.GUEST],
        "host": next((c.person.name for c in credits if c.role == Role.HOST), ""),
    }
    untouched = current == imported if imported is not None else not credits
    if not untouched or current == proposed:
        return
    video.credits.all().delete()
    named = [(name, Role.GUEST) for name in proposed["guests"]]
    if proposed["host"]:
        named.append((proposed["host"], Role.HOST))
    Credit.objects.bulk_create(
        Credit(video=video, person=known.get(name) or person_named(name), role=role, position=n)
        for n, (name, role) in enumerate(named)
    )


def person_named(name: str) -> Person:
    """The person of that name (in any case), made if nobody has it yet."""
    person = Person.objects.filter(name__iexact=name).first()
    if person is None:
        person = Person.objects.create(name=name, slug=unique_slug(Person, name, "person"))
    return person


def _store_chapters(video: Video, parsed_chapters, titles: dict | None):
    """A document's chapters (each with `start_seconds` and `title`), matched to stored
    ones by start time (an editor's title is kept); returns them and the stored ones no
    longer in the document."""
    stored = {c.start_seconds: c for c in video.chapters.all()}
    chapters, created = [], []
    for parsed in parsed_chapters:
        chapter = stored.pop(parsed.start_seconds, None)
        if chapter is None:
            chapter = Chapter(video=video, start_seconds=parsed.start_seconds)
            refresh(chapter, CHAPTER_FIELDS, {"title": parsed.title}, None)
            created.append(chapter)
        else:
            key = str(parsed.start_seconds)
            imported = {"title": titles[key]} if titles and key in titles else {}
            before = chapter.title
            refresh(chapter, CHAPTER_FIELDS, {"title": parsed.title}, imported)
            if chapter.title != before:
                chapter.save(update_fields=["title"])
        chapters.append(chapter)
    Chapter.objects.bulk_create(created)
    return chapters, list(stored.values())


def _drop_chapters(gone: list[Chapter], source: str) -> list[str]:
    """Chapters gone from the document go too, unless an editor's lesson or quote still
    uses them; returns the note saying so."""
    kept = [c for c in gone if c.lessons.exists() or c.quotes.exists()]
    Chapter.objects.filter(pk__in=[c.pk for c in gone if c not in kept]).delete()
    if not kept:
        return []
    return [f"kept {len(kept)} chapters no longer in {source} (in use by lessons or quotes)"]


def _store_lesson(lesson, section, link, evidence, chapters, themer) -> int:
    """Create or refresh one lesson with its takeaways, themes and suggested quotes;
    returns how many takeaways it has."""
    imported = lesson.imported if lesson.pk else None
    snapshot = refresh(lesson, LESSON_FIELDS, _lesson_values(section, link, chapters), imported)
    lesson.keywords = _keywords(section)
    stored_takeaways = list(lesson.takeaways.all()) if lesson.pk else []
    current_tags = sorted(t.name for t in lesson.tags.all()) if lesson.pk else []
    chosen = themer.suggest(section)
    suggested = chosen.names
    curated = imported is not None and current_tags != sorted(imported.get("tags", []))
    # Nobody has curated these themes: new suggestions add to them, never remove.
    snapshot["tags"] = imported.get("tags", []) if curated else sorted({*current_tags, *suggested})
    snapshot["takeaways"] = section.takeaways
    lesson.imported = snapshot
    lesson.save()

    if not curated:
        lesson.tags.add(*themer.themes(suggested))
    offer_themes(lesson, chosen.offered, themer)
    untouched = _takeaways_untouched(stored_takeaways, imported)
    if untouched:
        _set_takeaways(
            lesson,
            [
                (text, link.start_seconds if link else None, link.score if link else None)
                for text, link in zip(section.takeaways, evidence.takeaways, strict=True)
            ],
        )
    _suggest_quotes(lesson, evidence, chapters)
    return len(section.takeaways) if untouched else len(stored_takeaways)


class Themer:
    """Themes for lessons by meaning (kb.importers.themes): each theme's profile from its
    description and the lessons editors filed under it, built once per import, or once
    per batch (`one_vocabulary`)."""

    def __init__(self):
        self.by_name = {theme.name.lower(): theme for theme in Theme.objects.all()}

    @functools.cached_property
    def profiles(self) -> list[themes.ThemeProfile]:
        vocabulary = list(self.by_name.values())
        described = meaning.embed([f"{t.name}. {t.description}" for t in vocabulary])
        tagged = self._tagged_by_editors()
        return [
            themes.ThemeProfile(
                theme.name, theme.cues, themes.profile_vector(vector, tagged.get(theme.pk, []))
            )
            for theme, vector in zip(vocabulary, described, strict=True)
        ]

    @staticmethod
    def _tagged_by_editors() -> dict[int, list]:
        """Theme id → the stored vectors of lessons an editor tagged with it (their tags
        differ from what the importer gave them). Read as plain values: the import
        snapshots themselves are large."""
        given = dict(Lesson.objects.values_list("pk", "imported__tags"))
        names: dict[int, list[str]] = {}
        ids: dict[int, list[int]] = {}
        for lesson_id, theme_id, name in LessonTheme.objects.values_list(
            "content_object_id", "tag_id", "tag__name"
        ):
            names.setdefault(lesson_id, []).append(name)
            ids.setdefault(lesson_id, []).append(theme_id)
        curated = {
            pk: ids.get(pk, [])
            for pk, tags in given.items()
            if sorted(names.get(pk, [])) != sorted(tags or [])
        }
        tagged: dict[int, list] = {}
        for lesson_id, vector in meaning.stored_lesson_vectors(list(curated)):
            for theme_id in curated[lesson_id]:
                tagged.setdefault(theme_id, []).append(vector)
        return tagged

    def choose(self, title: str, text: str) -> themes.Chosen:
        vector = meaning.embed([f"{title}\n{text}"])[0]
        return themes.choose(themes.score(title, text, vector, self.profiles))

    def suggest(self, section: Section) -> themes.Chosen:
        return self.choose(section.title, "\n".join([section.prose, *section.takeaways]))

    def theme(self, name: str) -> Theme | None:
        return self.by_name.get(name.lower())

    def themes(self, names: list[str]) -> list[Theme]:
        return [theme for name in names if (theme := self.theme(name)) is not None]


_batch_themer: contextvars.ContextVar[Themer | None] = contextvars.ContextVar(
    "batch_themer", default=None
)


@contextlib.contextmanager
def one_vocabulary():
    """Theme every file of a batch with one reading of the themes and of the lessons
    editors filed under them: reading those is work in proportion to the whole base, and
    a batch's own imports change neither (an editor's tagging during a long batch teaches
    the next one)."""
    token = _batch_themer.set(Themer())
    try:
        yield
    finally:
        _batch_themer.reset(token)


def current_themer() -> Themer:
    """The batch's Themer inside `one_vocabulary`, otherwise a fresh one."""
    return _batch_themer.get() or Themer()


def offer_themes(lesson: Lesson, offered: list[themes.Scored], themer: Themer) -> None:
    """Replace the open theme suggestions; themes an editor accepted or dismissed stay
    decided, and a theme the lesson has is not offered."""
    lesson.theme_suggestions.filter(status=Suggestion.OPEN).delete()
    decided_or_had = {
        *lesson.theme_suggestions.values_list("theme_id", flat=True),
        *lesson.tags.values_list("pk", flat=True),
    }
    ThemeSuggestion.objects.bulk_create(
        ThemeSuggestion(lesson=lesson, theme=theme, confidence=round(s.confidence, 3))
        for s in offered
        if (theme := themer.theme(s.name)) is not None and theme.pk not in decided_or_had
    )


def _keywords(section: Section) -> str:
    return keywords("\n".join([section.title, section.prose, *section.takeaways]))


def _suggest_quotes(lesson: Lesson, evidence: SectionEvidence, chapters: list[Chapter]) -> None:
    """Replace the open suggestions; passages an editor accepted or dismissed stay decided."""
    decided = list(lesson.suggestions.exclude(status=Suggestion.OPEN))
    lesson.suggestions.filter(status=Suggestion.OPEN).delete()
    fresh = [
        p
        for p in evidence.passages
        if not any(
            p.start_seconds < d.end_seconds and d.start_seconds < p.end_seconds for d in decided
        )
    ][:SUGGESTIONS_SHOWN]
    QuoteSuggestion.objects.bulk_create(
        QuoteSuggestion(
            lesson=lesson,
            chapter=chapters[p.chapter] if p.chapter is not None else None,
            text=p.text,
            start_seconds=p.start_seconds,
            end_seconds=p.end_seconds,
            score=p.score,
            rank=rank,
        )
        for rank, p in enumerate(fresh, 1)
    )


def _suggest_again(video: Video, chapters: list[Chapter], segments: list[Segment]) -> None:
    """Open quote suggestions chosen afresh from the exact captions, whose pauses and
    capitals show where sentences start and end (decided ones stay where they are)."""
    texts: dict[int | None, list[str]] = {}
    for segment in segments:
        texts.setdefault(segment.chapter, []).append(segment.text)
    index = ChapterIndex(
        [(c.title, " ".join(texts.get(n, []))) for n, c in enumerate(chapters)], segments
    )
    position = {c.pk: n for n, c in enumerate(chapters)}
    for lesson in video.lessons.prefetch_related("takeaways"):
        query = section_query(
            lesson.title, "\n".join([lesson.body, *(t.text for t in lesson.takeaways.all())])
        )
        chosen = suggest_passages(
            index, query, position.get(lesson.chapter_id), count=CANDIDATE_PASSAGES
        )
        passages = [passage_of(index, p, query) for p in chosen]
        _suggest_quotes(lesson, SectionEvidence([], passages), chapters)


def _set_takeaways(lesson: Lesson, rows: list[tuple[str, float | None, float | None]]) -> None:
    """Replace a lesson's takeaways with `rows`: (text, moment, how sure the link is)."""
    lesson.takeaways.all().delete()
    Takeaway.objects.bulk_create(
        Takeaway(lesson=lesson, text=text, position=n, start_seconds=start, score=score)
        for n, (text, start, score) in enumerate(rows)
    )


def _takeaways_untouched(stored: list[Takeaway], imported: dict | None) -> bool:
    """No editor has changed or confirmed a lesson's takeaways since they were imported
    (or it has none yet): an import may replace them."""
    return imported is None or (
        [t.text for t in stored] == imported.get("takeaways")
        and not any(t.confirmed for t in stored)
    )


def _stored_segments(video: Video) -> list[Segment]:
    return [
        Segment(None, s.start_seconds, s.end_seconds, s.text, s.exact)
        for s in video.segments.order_by("start_seconds", "id")
    ]


def _chapter_index(starts: list[int], seconds: float) -> int | None:
    index = bisect.bisect_right(starts, seconds) - 1
    return index if index >= 0 else None


def _assign_chapters(video: Video, chapters: list[Chapter]) -> None:
    starts = [c.start_seconds for c in chapters]
    segments = list(video.segments.all())
    for segment in segments:
        index = _chapter_index(starts, segment.start_seconds)
        segment.chapter = chapters[index] if index is not None else None
    TranscriptSegment.objects.bulk_update(segments, ["chapter"], batch_size=2000)
    refresh_chapter_texts(video)


def lesson_keys(titles: list[str]) -> list[str]:
    """Each lesson's import identity, stable across re-imports: its title, numbered when
    a title repeats (a page's sections, a Markdown file's lessons)."""
    keys, seen = [], Counter()
    for title in titles:
        base = slugify(title)[:180] or "section"
        seen[base] += 1
        keys.append(base if seen[base] == 1 else f"{base}-{seen[base]}")
    return keys


def _replace_segments(
    video: Video, chapters: list[Chapter], segments: list[Segment], people: dict | None = None
) -> None:
    """`people`: the person of each speaker name the segments carry."""
    people = people or {}
    video.segments.all().delete()
    TranscriptSegment.objects.bulk_create(
        (
            TranscriptSegment(
                video=video,
                chapter=chapters[s.chapter] if s.chapter is not None else None,
                start_seconds=s.start_seconds,
                end_seconds=s.end_seconds,
                text=s.text,
                exact=s.exact,
                speaker=people.get(s.speaker),
            )
            for s in segments
        ),
        batch_size=2000,
    )
    refresh_chapter_texts(video)


def refresh_chapter_texts(video: Video) -> None:
    """Each chapter keeps its whole transcript as one text: search ranks chapters by it."""
    texts: dict[int, list[str]] = {}
    for chapter_id, text in video.segments.order_by("start_seconds", "id").values_list(
        "chapter_id", "text"
    ):
        texts.setdefault(chapter_id, []).append(text)
    chapters = list(video.chapters.all())
    ChapterTranscript.objects.filter(chapter__video=video).delete()
    ChapterTranscript.objects.bulk_create(
        ChapterTranscript(chapter=c, title=c.title, text=" ".join(texts.get(c.pk, [])))
        for c in chapters
    )


def move_moments(rows: models.QuerySet, fields, old: WordTimeline | None, new: WordTimeline):
    """Move each row's moment onto a new timeline; returns (moved, kept where it was).

    With `SPAN` the row has words of its own (a quote, a suggestion): start and end go
    to where its text is said. With `POINT` (a lesson, a takeaway) its start goes to
    where the words said at that moment in the `old` timeline are said in the new one.
    """
    moved, kept = [], 0
    for row in rows.filter(start_seconds__isnull=False):
        if fields == SPAN:
            found = locate_text(new, row.text, near=row.start_seconds)
        else:
            start = reanchor(old, new, row.start_seconds)
            found = None if start is None else (start,)
        if found is None:
            kept += 1
            continue
        for name, value in zip(fields, found, strict=True):
            setattr(row, name, value)
        moved.append(row)
    rows.model.objects.bulk_update(moved, fields, batch_size=500)
    return len(moved), kept


def attach_transcript(
    video: Video,
    cues: list,
    *,
    digest: str,
    update: bool = False,
    dry_run: bool = False,
    people: dict | None = None,
    draft: bool = True,
) -> Outcome:
    """Replace a video's segments with exact ones and move every moment onto them; a
    video with no lessons gets draft lessons from them (`draft`, kb.importers.drafts).
    `people`: the person of each speaker name, when the caller has found them."""
    with transaction.atomic():
        video = Video.objects.select_for_update().get(pk=video.pk)
        if video.imported.get("transcript_hash") == digest:
            return Outcome("unchanged", video, dry_run=dry_run)
        exact = all(getattr(c, "exact", True) for c in cues)
        if video.transcript_exact and not exact:
            raise DocumentError(
                f"video '{video.slug}' already has a timed transcript, and this one gives no "
                "times: the timed one is kept"
            )
        if video.transcript_exact and not update:
            raise DocumentError(
                f"video '{video.slug}' already has a timed transcript; "
                "use --update to replace it (editors' changes are kept)"
            )
        if not video.duration_seconds:
            # A page that gave no length: the speech's own end is the video's.
            video.duration_seconds = math.ceil(max(c.end_seconds for c in cues))
            video.save(update_fields=["duration_seconds"])
        for cue in cues:
            if cue.start_seconds > video.duration_seconds + END_SLACK_SECONDS:
                raise DocumentError(
                    f"a cue starts at {format_timecode(cue.start_seconds)}, after the video's "
                    f"end ({format_timecode(video.duration_seconds)}): is this the right video?"
                )
        chapters = list(video.chapters.all())
        starts = [c.start_seconds for c in chapters]
        segments = [
            Segment(
                _chapter_index(starts, c.start_seconds),
                c.start_seconds,
                c.end_seconds,
                c.text,
                getattr(c, "exact", True),
                getattr(c, "speaker", ""),
            )
            for c in sorted(cues, key=lambda c: c.start_seconds)
        ]
        names = list(dict.fromkeys(s.speaker for s in segments if s.speaker))
        merged = []
        if people is None:
            people, merged = speaker_people(video, names, {})
        old, new = WordTimeline(_stored_segments(video)), WordTimeline(segments)

        moved = kept = 0
        for rows, fields in (
            (video.lessons.all(), POINT),
            (Takeaway.objects.filter(lesson__video=video), POINT),
            (video.quotes.all(), SPAN),
        ):
            done, missed = move_moments(rows, fields, old, new)
            moved, kept = moved + done, kept + missed
        decided = QuoteSuggestion.objects.filter(lesson__video=video).exclude(
            status=Suggestion.OPEN
        )
        move_moments(decided, SPAN, old, new)

        _replace_segments(video, chapters, segments, people)
        moved += _place_lessons(video, chapters, segments)
        _suggest_again(video, chapters, segments)
        meaning.index_video(video)
        video.transcript_exact = exact
        video.imported = {**video.imported, "transcript_hash": digest}
        video.save(update_fields=["transcript_exact", "imported", "updated_at"])
        outcome = Outcome(
            "attached",
            video,
            {"segments": len(segments), "moments re-anchored": moved},
            [f"{kept} moments kept as estimates (their words were not found)"] if kept else [],
            dry_run,
        )
        if names:
            outcome.counts["speakers"] = len(names)
        outcome.warnings += merged
        if draft:
            draft_if_lessonless(outcome)
        if dry_run:
            transaction.set_rollback(True)
        return outcome


def _place_lessons(video: Video, chapters: list[Chapter], segments: list[Segment]) -> int:
    """Lessons read from a page without its transcript have no moment: find each one (and
    its takeaways') on the transcript just attached. Returns how many were placed."""
    lessons = list(video.lessons.filter(start_seconds__isnull=True).prefetch_related("takeaways"))
    if not lessons or not segments:
        return 0
    texts: dict[int | None, list[str]] = {}
    for segment in segments:
        texts.setdefault(segment.chapter, []).append(segment.text)
    takeaways = [list(lesson.takeaways.all()) for lesson in lessons]
    placed = place(
        [(c.title, " ".join(texts.get(n, []))) for n, c in enumerate(chapters)],
        segments,
        [
            (lesson.title, "\n".join([lesson.body, *(t.text for t in own)]), [t.text for t in own])
            for lesson, own in zip(lessons, takeaways, strict=True)
        ],
    )
    count = 0
    changed_takeaways = []
    for lesson, own, (link, moments) in zip(lessons, takeaways, placed, strict=True):
        if link is None:
            continue
        lesson.start_seconds = link.start_seconds
        if lesson.chapter_id is None and link.chapter is not None:
            lesson.chapter = chapters[link.chapter]
        lesson.save(update_fields=["start_seconds", "chapter"])
        count += 1
        for takeaway, moment in zip(own, moments, strict=True):
            if takeaway.start_seconds is None and moment is not None:
                takeaway.start_seconds = moment.start_seconds
                changed_takeaways.append(takeaway)
    Takeaway.objects.bulk_update(changed_takeaways, ["start_seconds"], batch_size=500)
    return count


def speaker_people(
    video: Video, names: list[str], full: dict[str, str]
) -> tuple[dict[str, Person], list[str]]:
    """The person of each speaker name, and the merges an editor should confirm.

    A name the document spells out in full (`full`: "Ada Chen" → "Ada Chen Rekhi") is
    that person; a name someone already has is theirs; a first name ("Lenny") that starts
    the name of a person already on the same channel ("Lenny Rachitsky") is that person,
    with a warning; anyone else is made.
    """
    people, merged = {}, []
    firsts = {full.get(name, name).split()[0] for name in names if full.get(name, name).split()}
    on_channel = []
    if video.channel and firsts:
        # Only who could be one of them, however many people the channel has had (a
        # podcast's archive credits hundreds): anyone whose name starts as one of theirs.
        alike = models.Q()
        for first in firsts:
            alike |= models.Q(name__istartswith=first)
        on_channel = list(
            Person.objects.filter(alike, credits__video__channel=video.channel)
            .distinct()
            .order_by("pk")
        )
    for name in names:
        wanted = full.get(name, name)
        # The channel's fuller name first: "Lenny" is the "Lenny Rachitsky" already there.
        fuller = [p for p in on_channel if _starts_name(wanted, p.name)]
        person = fuller[0] if len(fuller) == 1 else None
        if person is not None:
            merged.append(
                f"speaker {name!r} read as {person.name!r}, already on {video.channel}: "
                "confirm it is the same person"
            )
        else:
            person = Person.objects.filter(name__iexact=wanted).first()
            if len(fuller) > 1:
                merged.append(
                    f"speaker {name!r} could be any of "
                    + ", ".join(repr(p.name) for p in fuller[:3])
                    + f" on {video.channel}: kept as {wanted!r}; an editor can say who it is"
                )
        shorter = next((p for p in on_channel if _starts_name(p.name, wanted)), None)
        if person is None and shorter is not None:
            # Earlier episodes named them shortly ("Lenny"): that person is given the name
            # in full (old slugs keep working), rather than made twice.
            merged.append(
                f"speaker {wanted!r} is {shorter.name!r} of earlier videos on "
                f"{video.channel}: renamed them {wanted!r}; confirm it is the same person"
            )
            shorter.name = wanted
            shorter.save(update_fields=["name"])
            person = shorter
        people[name] = person or person_named(wanted)
    return people, merged


def _starts_name(short: str, name: str) -> bool:
    a, b = short.casefold().split(), name.casefold().split()
    return 0 < len(a) < len(b) and b[: len(a)] == a


def store_spoken(
    spoken,
    *,
    digest: str,
    publish: bool = False,
    update: bool = False,
    dry_run: bool = False,
) -> Outcome:
    """A transcript that says who speaks (kb.importers.speakers): it makes its video, or
    lands on the one with its YouTube id, as its exact transcript, each segment with its
    speaker, and its speakers as the video's people (while no editor chose them)."""
    from kb.importers.speakers import segments as spoken_segments

    identity = header_identity(
        spoken.title, spoken.channel, spoken.published_on, spoken.duration_seconds
    )

    cut = spoken_segments(spoken)

    def write() -> Outcome:
        video = find_video(identity, spoken.youtube_id)
        if video is not None and video.imported.get("transcript_hash") == digest:
            return Outcome("unchanged", video, dry_run=dry_run)
        doubt = ""
        if video is not None and video.transcript_exact:
            copy, doubt = _same_talk(video, spoken, cut, update)
            if copy and not update:
                return Outcome("unchanged", video, dry_run=dry_run, warnings=[doubt])
            doubt = "" if copy else doubt
        new = video is None
        fresh = {
            "title": spoken.title,
            "channel": spoken.channel,
            "published_on": spoken.published_on,
            "duration_seconds": spoken.duration_seconds,
        }
        fields = [f for f in INFO_FIELDS if f.attr in fresh and (new or fresh[f.attr])]
        if new:
            video = Video(
                slug=unique_slug(Video, spoken.title, spoken.youtube_id or "video"),
                youtube_id=spoken.youtube_id,
                status=Status.PUBLISHED if publish else Status.DRAFT,
                import_key=identity,
            )
        old = None if new else video.imported
        snapshot = refresh(video, fields, fresh, old)
        # The speech's own end wins over a length that is too short.
        video.duration_seconds = max(video.duration_seconds or 0, spoken.duration_seconds)
        video.imported = {**(old or {}), **snapshot}
        video.save()
        roles = {
            name: full
            for name in spoken.speakers
            for full in [*spoken.guests, spoken.host]
            if full and full != name and _starts_name(name, full)
        }
        people, merged = speaker_people(video, spoken.speakers, roles)
        outcome = attach_transcript(
            video, cut, digest=digest, update=update, people=people, draft=False
        )
        outcome.warnings += merged + ([doubt] if doubt else [])
        proposed = {"guests": spoken.guests, "host": spoken.host}
        known = {**people, **{p.name: p for p in people.values()}}
        _store_people(video, proposed, None if new else (old or {}).get("people"), known)
        video.imported = {**video.imported, "people": proposed}
        video.save(update_fields=["imported"])
        if outcome.action != "unchanged":
            # Once its guests and host are known: a host's question is never advice.
            draft_if_lessonless(outcome)
        outcome.action = "imported" if new else "attached"
        outcome.dry_run = dry_run
        if dry_run:
            transaction.set_rollback(True)
        return outcome

    return _retrying(write)


# A talk transcribed twice (two tools, or a transcript corrected) shares most of its runs
# of four words; two talks of one show share under a tenth (the show's intro, its ads).
SAME_TALK_SHARE = 0.2


def _runs(texts) -> set[int]:
    words = [w for text in texts for w in re.findall(r"[\w'’]+", text.casefold())]
    return {hash(tuple(words[n : n + 4])) for n in range(len(words) - 3)}


def _same_talk(video: Video, spoken, cut: list[Segment], update: bool) -> tuple[bool, str]:
    """A speaker transcript for a video that has a timed transcript already: (is it that
    very transcript again, a warning to give).

    The same talk is a new version of it (--update replaces it); that very transcript again
    changes nothing (unless --update refreshes the rest of the file). Another talk claiming
    the video's YouTube id, whatever its title says, is refused: the file's id is wrong, and
    --update would put one talk's words on another's video. Unless the video's title says
    otherwise: when the person it names speaks in this file and not in the video's
    transcript, that transcript is the misplaced one, and --update replaces it.
    """
    from kb.importers.speakers import same_person_loosely, title_people

    stored = list(
        video.segments.order_by("start_seconds", "id").values_list("start_seconds", "text")
    )
    mine = [(s.start_seconds, s.text) for s in cut]
    if [(round(a), t) for a, t in stored] == [(round(a), t) for a, t in mine]:
        return True, (
            f"the same transcript as video '{video.slug}' has, word for word: nothing to "
            "change (a second copy of a file imported before?)"
        )
    old, new = _runs(t for _, t in stored), _runs(t for _, t in mine)
    share = len(old & new) / max(min(len(old), len(new)), 1)
    if share >= SAME_TALK_SHARE:
        return False, ""
    here = [name for name in [*spoken.guests, spoken.host, *spoken.speakers] if name]
    there = list(
        Person.objects.filter(segments__video=video).distinct().values_list("name", flat=True)
    )

    def speaks(person: str, voices: list[str]) -> bool:
        return any(same_person_loosely(person, voice) for voice in voices)

    named = title_people(video.title)
    fits_here = [p for p in named if speaks(p, here) and not speaks(p, there)]
    fits_there = [p for p in named if speaks(p, there) and not speaks(p, here)]
    talk = (
        f"the YouTube id {video.youtube_id} is already video '{video.slug}' ({video.title!r}), "
        "and this file's transcript is another talk: "
        + (
            "this file has the same title, but"
            if _words(video.title) == _words(spoken.title)
            else f"this file is {spoken.title!r}, and"
        )
        + f" only {share:.0%} of its phrases are in that video's transcript"
    )
    if fits_here:
        if update:
            return False, (
                f"{talk}; {fits_here[0]}, whom the title names, speaks in this file and not "
                "in that one: this file's transcript takes its place"
            )
        raise DocumentError(
            f"{talk}. {fits_here[0]}, whom the title names, speaks in this file and not in "
            "that one: it is that video's transcript which looks misplaced (the file it came "
            "from may carry this id by mistake). Correct the id in that file; then --update "
            "puts this file's transcript in its place",
            1,
        )
    theirs = list(
        video.credits.filter(role=Role.GUEST)
        .order_by("position")
        .values_list("person__name", flat=True)
    )
    if spoken.guests and theirs and not set(spoken.guests) & set(theirs):
        talk += f"; its guest is {' & '.join(spoken.guests)}, that video's {' & '.join(theirs)}"
    if fits_there:
        raise DocumentError(
            f"{talk}. {fits_there[0]}, whom the title names, speaks in that video's transcript "
            "and not in this file: this file's video_id and title look copied from that "
            "video. Correct them in the file and import it again",
            1,
        )
    raise DocumentError(
        f"{talk}. Is its video_id right? Correct the video_id (and the title, if it is that "
        "video's) in the file and import it again",
        1,
    )


def store_markdown(
    parsed: "MarkdownLessons",
    *,
    digest: str,
    publish: bool = False,
    update: bool = False,
    dry_run: bool = False,
) -> Outcome:
    """Markdown lessons onto the video their front matter names, in one transaction: new
    lessons are added; a known one (same title) that the file changes is refreshed only
    with --update, and then, as for summary pages, only where no editor changed it."""

    def write() -> Outcome:
        video = _markdown_video(parsed.front)
        if video.imported.get("markdown_hash") == digest:
            return Outcome("unchanged", video, dry_run=dry_run)
        outcome = _store_markdown(video, parsed, update, publish)
        video.imported = {**video.imported, "markdown_hash": digest}
        video.save(update_fields=["imported", "status", "updated_at"])
        meaning.index_video(video)
        outcome.dry_run = dry_run
        if dry_run:
            transaction.set_rollback(True)
        return outcome

    return _retrying(write)


def _markdown_video(front: dict[str, str]) -> Video:
    """By the YouTube id the file gives, else by the slug it was exported under."""
    youtube_id, slug = front.get("youtube", ""), front.get("video", "")
    video = (
        Video.objects.filter(youtube_id=youtube_id).first()
        if youtube_id
        else Video.objects.filter(slug=slug).first()
    )
    if video is None:
        named = f"the YouTube id {youtube_id}" if youtube_id else f"the slug '{slug}'"
        raise DocumentError(f"no video has {named}: import its info.json or summary page first", 1)
    return video


def _markdown_lesson_values(lesson, chapters: list[Chapter]) -> dict:
    starts = [c.start_seconds for c in chapters]
    at = _chapter_index(starts, lesson.start_seconds) if lesson.start_seconds is not None else None
    return {
        "title": lesson.title,
        "body": lesson.body,
        "start_seconds": lesson.start_seconds,
        "chapter": chapters[at] if at is not None else None,
    }


def _check_markdown_times(video: Video, parsed: "MarkdownLessons") -> None:
    end = video.duration_seconds
    for lesson in parsed.lessons:
        times = [(lesson.start_seconds, lesson.line)]
        times += [(start, line) for _, start, line in lesson.takeaways]
        times += [(q.end_seconds, q.line) for q in lesson.quotes]
        for seconds, line in times:
            if seconds is not None and seconds > end:
                raise DocumentError(
                    f"{format_timecode(seconds)} is past the video's end ({format_timecode(end)})",
                    line,
                )


def _store_markdown(video: Video, parsed: "MarkdownLessons", update: bool, publish: bool):
    _check_markdown_times(video, parsed)
    chapters = list(video.chapters.all())
    known = list(video.lessons.prefetch_related("takeaways"))
    first = not known
    status = Status.PUBLISHED if publish and first else Status.DRAFT
    if first and publish:
        video.status = Status.PUBLISHED
    by_key = {lesson.import_key: lesson for lesson in known if lesson.import_key}
    by_title = {lesson.title.casefold(): lesson for lesson in known}
    themer = current_themer()
    counts = {"lessons added": 0, "lessons updated": 0, "takeaways": 0, "quotes added": 0}
    refused = []
    quoted = _said(video)
    next_position = max((lesson.position for lesson in known), default=-1) + 1
    keys = lesson_keys([written.title for written in parsed.lessons])
    for written, key in zip(parsed.lessons, keys, strict=True):
        lesson = by_key.get(key) or by_title.get(written.title.casefold())
        fresh = _markdown_lesson_values(written, chapters)
        texts = [text for text, _, _ in written.takeaways]
        takeaway_rows = [(text, start, None) for text, start, _ in written.takeaways]
        if lesson is None:
            lesson = Lesson(
                video=video, slug=unique_slug(Lesson, written.title, "lesson"), status=status,
                position=next_position, import_key=key,
            )  # fmt: skip
            next_position += 1
            lesson.imported = refresh(lesson, LESSON_FIELDS, fresh, None)
            lesson.imported.update(takeaways=texts, tags=[])
            lesson.save()
            chosen = themer.choose(lesson.title, "\n".join([lesson.body, *texts]))
            lesson.tags.add(*themer.themes(chosen.names))
            lesson.imported["tags"] = sorted(chosen.names)
            lesson.save(update_fields=["imported"])
            offer_themes(lesson, chosen.offered, themer)
            _set_takeaways(lesson, takeaway_rows)
            counts["lessons added"] += 1
        elif _differs(lesson, fresh, texts):
            if not update:
                refused.append(written)
                continue
            untouched = _takeaways_untouched(list(lesson.takeaways.all()), lesson.imported)
            snapshot = refresh(lesson, LESSON_FIELDS, fresh, lesson.imported)
            lesson.imported = {**lesson.imported, **snapshot, "takeaways": texts}
            lesson.save()
            if untouched:
                _set_takeaways(lesson, takeaway_rows)
            counts["lessons updated"] += 1
        counts["takeaways"] += len(written.takeaways)
        counts["quotes added"] += _add_markdown_quotes(video, lesson, written, chapters, quoted)
    if refused:
        titles = ", ".join(f"'{w.title}'" for w in refused[:3])
        raise DocumentError(
            f"{len(refused)} lessons already on '{video.slug}' differ from this file ({titles}): "
            "use --update to refresh them (editors' changes are kept)",
            refused[0].line,
        )
    return Outcome("updated", video, {k: v for k, v in counts.items() if v})


def _differs(lesson: Lesson, fresh: dict, takeaways: list[str]) -> bool:
    """The file says something new of a known lesson: not what it was last imported
    with (what an editor has changed since is theirs, not the file's)."""
    imported = lesson.imported or {}
    wanted = {f.name: f.snap(fresh[f.attr]) for f in LESSON_FIELDS}
    was = {name: imported.get(name) for name in wanted}
    return was != wanted or imported.get("takeaways") != takeaways


def _words(text: str) -> str:
    return " ".join(text.casefold().split())


def _said(video: Video) -> set[str]:
    """The words of the video's quotes, as `_add_markdown_quotes` compares them."""
    return {_words(text) for text in video.quotes.values_list("text", flat=True)}


def _add_markdown_quotes(video: Video, lesson: Lesson, written, chapters, quoted: set) -> int:
    """The file's quotes the video does not have yet (`quoted`: the same words, kept up to
    date): an editor's quote is never changed by an import."""
    starts = [c.start_seconds for c in chapters]
    added = []
    for quote in written.quotes:
        if _words(quote.text) in quoted:
            continue
        at = _chapter_index(starts, quote.start_seconds)
        added.append(
            Quote(
                video=video, lesson=lesson, chapter=chapters[at] if at is not None else None,
                text=quote.text, start_seconds=quote.start_seconds, end_seconds=quote.end_seconds,
                speaker=person_named(quote.speaker) if quote.speaker else None,
                status=lesson.status,
            )
        )  # fmt: skip
    Quote.objects.bulk_create(added)
    quoted.update(_words(quote.text) for quote in added)
    return len(added)


# ---------------------------------------------------------------- machine drafts


@dataclass
class Drafted:
    """What `store_drafts` did: drafts proposed, open ones replaced, passages kept as
    editors left them (accepted, dismissed, or a draft they edited)."""

    proposed: list[Lesson] = field(default_factory=list)
    replaced: int = 0
    kept: int = 0


def draft_if_lessonless(outcome: Outcome) -> None:
    """A transcript with no summary: a video with no lessons of its own (only machine
    drafts, if any) gets draft lessons from it; the summary line says how many."""
    video = outcome.video
    if video.lessons.filter(draft_passage__isnull=True).exists():
        return
    outcome.counts["lessons drafted"] = len(store_drafts(video).proposed)


def _drafted_as_is(lesson: Lesson) -> bool:
    """No editor has changed the draft since the machine wrote it (title, takeaways)."""
    drafted = lesson.imported or {}
    takeaways = [t.text for t in lesson.takeaways.all()]
    return lesson.title == drafted.get("title") and takeaways == drafted.get("takeaways")


def store_drafts(video: Video) -> Drafted:
    """Draft lessons for `video` from its transcript (kb.importers.drafts), as machine
    drafts for editors to review, each with its passage (DraftPassage). Open drafts no
    editor has touched are replaced; passages accepted or dismissed (or whose draft an
    editor deleted) and drafts an editor edited are kept, and no draft is proposed again
    over them, nor over the moment of a lesson the video has of its own."""
    done = Drafted()
    avoid: list[tuple[float, float]] = []
    stale = []
    passages = video.draft_passages.select_related("lesson").prefetch_related("lesson__takeaways")
    for passage in passages:
        lesson = passage.lesson
        if passage.status == Suggestion.OPEN and lesson is None:
            # Its draft was deleted: that is a dismissal.
            passage.status, passage.decided_at = Suggestion.DISMISSED, timezone.now()
            passage.save(update_fields=["status", "decided_at"])
        if passage.decided or not lesson.machine_draft or not _drafted_as_is(lesson):
            avoid.append((passage.start_seconds, passage.end_seconds))
            done.kept += 1
        else:
            stale.append(passage)
    Lesson.objects.filter(pk__in=[p.lesson_id for p in stale]).delete()
    DraftPassage.objects.filter(pk__in=[p.pk for p in stale]).delete()
    done.replaced = len(stale)
    moments = list(
        video.lessons.filter(draft_passage__isnull=True, start_seconds__isnull=False)
        .values_list("start_seconds", flat=True)
    )  # fmt: skip
    avoid += [(moment, moment) for moment in moments]

    credits = list(video.credits.values_list("person_id", "role"))
    talk = drafting.Talk(
        lines=[
            drafting.Line(start, end, text, str(speaker) if speaker else "")
            for start, end, text, speaker in video.segments.order_by(
                "start_seconds", "id"
            ).values_list("start_seconds", "end_seconds", "text", "speaker_id")
        ],
        chapters=list(video.chapters.values_list("start_seconds", "title")),
        guests=frozenset(str(pk) for pk, role in credits if role == Role.GUEST),
        hosts=frozenset(str(pk) for pk, role in credits if role == Role.HOST),
    )
    found = drafting.draft(talk, meaning.embed, avoid=avoid)
    if not found:
        return done
    chapters = list(video.chapters.all())
    starts = [c.start_seconds for c in chapters]
    people = Person.objects.in_bulk([int(key) for d in found for key in d.speakers])
    themer = current_themer()
    position = (video.lessons.aggregate(last=models.Max("position"))["last"] or 0) + 1
    for offset, draft in enumerate(found):
        done.proposed.append(
            _store_draft(video, draft, chapters, starts, people, themer, position + offset)
        )
    return done


def _store_draft(video, draft, chapters, starts, people, themer, position) -> Lesson:
    """One machine draft: the lesson, its takeaways on their moments, its suggested quote,
    its themes (applied and offered, as an import gives any lesson), who said it, and its
    passage. No meaning vectors: a draft is not what search or insights compare (they
    are made when an editor accepts it)."""
    at = _chapter_index(starts, draft.start_seconds)
    chapter = chapters[at] if at is not None else None
    texts = [t.text for t in draft.takeaways]
    chosen = themer.choose(draft.title, draft.text)
    lesson = Lesson.objects.create(
        video=video, chapter=chapter, title=draft.title[:300],
        slug=unique_slug(Lesson, draft.title, "lesson"), status=Status.DRAFT,
        machine_draft=True, start_seconds=draft.start_seconds, position=position,
        keywords=keywords("\n".join([draft.title, *texts])),
        imported={"title": draft.title[:300], "takeaways": texts, "tags": sorted(chosen.names)},
    )  # fmt: skip
    _set_takeaways(lesson, [(t.text, t.start_seconds, t.score) for t in draft.takeaways])
    lesson.tags.add(*themer.themes(chosen.names))
    offer_themes(lesson, chosen.offered, themer)
    speakers = [people[int(key)] for key in draft.speakers if int(key) in people]
    if speakers:
        lesson.people.set(speakers)
    quote = draft.quote
    at = _chapter_index(starts, quote.start_seconds)
    QuoteSuggestion.objects.create(
        lesson=lesson, chapter=chapters[at] if at is not None else None, text=quote.text,
        start_seconds=quote.start_seconds, end_seconds=quote.end_seconds, score=draft.score,
        rank=1,
    )  # fmt: skip
    DraftPassage.objects.create(
        video=video, lesson=lesson, start_seconds=draft.start_seconds,
        end_seconds=draft.end_seconds, title=draft.title[:300], score=draft.score,
    )  # fmt: skip
    return lesson
