"""The one place that writes imported documents into the database, one transaction each.

Editors' work is never lost. Each imported object remembers the values it was imported
with (`imported`); a re-import with `--update` refreshes a field only where it still
holds that value, so anything an editor changed stays as the editor left it.
"""

import bisect
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.text import slugify

from kb.importers.documents import DocumentError, Segment
from kb.importers.linking import (
    Link,
    SectionEvidence,
    WordTimeline,
    keywords,
    locate_text,
    reanchor,
)
from kb.importers.summary import Section, SummaryPage
from kb.importers.themes import TaggedExample, ThemeCues, suggest_themes
from kb.models import (
    Chapter,
    ChapterTranscript,
    Lesson,
    QuoteSuggestion,
    Status,
    Suggestion,
    Takeaway,
    Theme,
    TranscriptSegment,
    Video,
    unique_slug,
)
from kb.timecodes import format_timecode

if TYPE_CHECKING:
    from kb.importers.analysis import ParsedPage

SUGGESTIONS_SHOWN = 3

VIDEO_FIELDS = (
    "title",
    "channel",
    "published_on",
    "duration_seconds",
    "headline",
    "intro",
    "conclusion",
    "resources",
)
LESSON_FIELDS = ("title", "body", "start_seconds", "chapter_start")
# A cue may start a little after the length the page gives (it is rounded to the second).
END_SLACK_SECONDS = 5


@dataclass
class Outcome:
    action: str  # imported, updated, attached, unchanged
    video: Video
    counts: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def wrote(self) -> bool:
        return not self.dry_run and self.action != "unchanged"

    def summary_line(self) -> str:
        prefix = "would have " if self.dry_run and self.action != "unchanged" else ""
        parts = ", ".join(f"{n} {name}" for name, n in self.counts.items())
        line = f"{prefix}{self.action} {self.video.slug}" + (f": {parts}" if parts else "")
        return line + "".join(f"; {note}" for note in self.notes)


def _snapshot_value(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def find_video(page: SummaryPage, youtube_id: str) -> Video | None:
    """A re-import finds its video by YouTube id when known, else by the slug of the title."""
    if youtube_id:
        video = Video.objects.filter(youtube_id=youtube_id).first()
        if video:
            return video
    slug = slugify(page.title)[:80].strip("-")
    return Video.objects.filter(slug=slug).first() if slug else None


def store_summary(
    parsed: "ParsedPage",
    *,
    digest: str,
    publish: bool = False,
    update: bool = False,
    youtube_id: str = "",
    dry_run: bool = False,
) -> Outcome:
    page = parsed.page
    with transaction.atomic():
        video = find_video(page, youtube_id)
        if video is not None and video.source_hash == digest:
            return Outcome("unchanged", video, dry_run=dry_run)
        if video is not None and not update:
            raise DocumentError(
                f"video '{video.slug}' was imported from a different version of this page; "
                "use --update to refresh it (editors' changes are kept)"
            )
        if (
            youtube_id
            and Video.objects.filter(youtube_id=youtube_id)
            .exclude(pk=getattr(video, "pk", None))
            .exists()
        ):
            raise DocumentError(f"YouTube id {youtube_id} belongs to another video")
        themer = Themer()
        if video is None:
            outcome = _create(parsed, digest, publish, youtube_id, themer)
        else:
            outcome = _update(video, parsed, digest, youtube_id, themer)
        outcome.dry_run = dry_run
        if dry_run:
            transaction.set_rollback(True)
        return outcome


def _create(parsed, digest, publish, youtube_id, themer) -> Outcome:
    page, segments = parsed.page, parsed.segments
    status = Status.PUBLISHED if publish else Status.DRAFT
    video = Video(
        slug=unique_slug(Video, page.title, "video"),
        youtube_id=youtube_id,
        status=status,
        source_hash=digest,
    )
    for name in VIDEO_FIELDS:
        setattr(video, name, getattr(page, name))
    video.imported = {name: _snapshot_value(getattr(page, name)) for name in VIDEO_FIELDS}
    video.imported["chapters"] = {str(c.start_seconds): c.title for c in page.chapters}
    video.save()
    chapters = Chapter.objects.bulk_create(
        Chapter(video=video, title=c.title, start_seconds=c.start_seconds) for c in page.chapters
    )
    _replace_segments(video, chapters, segments)
    takeaways = 0
    for position, (section, link, evidence) in enumerate(
        zip(page.sections, parsed.links, parsed.evidence, strict=True)
    ):
        fresh = _imported_lesson(section, link, chapters)
        fresh["tags"] = themer.suggest(section)
        lesson = _new_lesson(
            video, section, link, evidence, chapters, fresh, themer, position,
            import_key=_import_key(page, position), status=status,
        )  # fmt: skip
        _suggest_quotes(lesson, evidence, chapters)
        takeaways += len(section.takeaways)
    return Outcome(
        "imported",
        video,
        {
            "chapters": len(chapters),
            "lessons": len(page.sections),
            "takeaways": takeaways,
            "segments": len(segments),
        },
    )


class Themer:
    """Suggests themes from the vocabulary and from lessons editors have tagged."""

    def __init__(self):
        self.by_name = {theme.name.lower(): theme for theme in Theme.objects.all()}
        self.vocabulary = [ThemeCues(t.name, t.cues) for t in self.by_name.values()]
        self._examples = None

    @property
    def examples(self) -> list[TaggedExample]:
        if self._examples is None:
            self._examples = [
                TaggedExample(f"{lesson.title} {lesson.keywords}", names)
                for lesson in Lesson.objects.prefetch_related("tags").only(
                    "title", "keywords", "imported"
                )
                if (names := sorted(t.name for t in lesson.tags.all()))
                and names != sorted(lesson.imported.get("tags", []))
            ]
        return self._examples

    def suggest(self, section: Section) -> list[str]:
        text = "\n".join([section.prose, *section.takeaways])
        return suggest_themes(section.title, text, self.vocabulary, self.examples)

    def themes(self, names: list[str]) -> list[Theme]:
        return [self.by_name[name.lower()] for name in names if name.lower() in self.by_name]


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


def _new_lesson(
    video,
    section,
    link,
    evidence,
    chapters,
    fresh,
    themer,
    position,
    *,
    import_key,
    status=Status.DRAFT,
) -> Lesson:
    """A lesson made from a summary section, with its themes and takeaways."""
    lesson = Lesson.objects.create(
        video=video,
        chapter=chapters[link.chapter] if link else None,
        slug=unique_slug(Lesson, section.title, "lesson"),
        title=section.title,
        body=section.body,
        status=status,
        start_seconds=fresh["start_seconds"],
        position=position,
        import_key=import_key,
        imported=fresh,
        keywords=_keywords(section),
    )
    lesson.tags.set(themer.themes(fresh["tags"]))
    _set_takeaways(lesson, section.takeaways, evidence.takeaways)
    return lesson


def _imported_lesson(section, link: Link | None, chapters: list[Chapter]) -> dict:
    """A lesson's fields as the page gives them: what `--update` compares editors' work to."""
    return {
        "title": section.title,
        "body": section.body,
        "start_seconds": link.start_seconds if link else None,
        "chapter_start": chapters[link.chapter].start_seconds if link else None,
        "takeaways": section.takeaways,
    }


def _import_key(page: SummaryPage, position: int) -> str:
    """Stable across re-imports: the section's title, numbered when a title repeats."""
    title = page.sections[position].title
    base = slugify(title)[:180] or "section"
    repeats = sum(
        1 for s in page.sections[:position] if (slugify(s.title)[:180] or "section") == base
    )
    return base if not repeats else f"{base}-{repeats + 1}"


def _replace_segments(video: Video, chapters: list[Chapter], segments: list[Segment]) -> None:
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


def _update(video, parsed, digest, youtube_id, themer) -> Outcome:
    page, segments, links = parsed.page, parsed.segments, parsed.links
    notes = []
    old = video.imported
    for name in VIDEO_FIELDS:
        if _snapshot_value(getattr(video, name)) == old.get(name):
            setattr(video, name, getattr(page, name))
    if youtube_id:
        video.youtube_id = youtube_id
    snapshot = {name: _snapshot_value(getattr(page, name)) for name in VIDEO_FIELDS}

    # Chapters are matched by start time; an editor's title is kept.
    old_titles = old.get("chapters", {})
    existing = {c.start_seconds: c for c in video.chapters.all()}
    chapters = []
    for new in page.chapters:
        chapter = existing.pop(new.start_seconds, None)
        if chapter is None:
            chapter = Chapter.objects.create(
                video=video, title=new.title, start_seconds=new.start_seconds
            )
        elif chapter.title == old_titles.get(str(new.start_seconds)):
            chapter.title = new.title
            chapter.save(update_fields=["title"])
        chapters.append(chapter)
    snapshot["chapters"] = {str(c.start_seconds): c.title for c in page.chapters}

    if video.transcript_exact:
        # The timed transcript stays; only its chapter links follow the new chapters.
        _assign_chapters(video, chapters)
        segment_count = video.segments.count()
    else:
        old_timeline = WordTimeline(_stored_segments(video))
        _replace_segments(video, chapters, segments)
        _reanchor_quotes(video, old_timeline, WordTimeline(segments))
        segment_count = len(segments)

    by_key = {lesson.import_key: lesson for lesson in video.lessons.prefetch_related("takeaways")}
    takeaways = 0
    for position, (section, link, evidence) in enumerate(
        zip(page.sections, links, parsed.evidence, strict=True)
    ):
        key = _import_key(page, position)
        fresh = _imported_lesson(section, link, chapters)
        fresh["tags"] = themer.suggest(section)
        lesson = by_key.get(key)
        if lesson is None:
            lesson = _new_lesson(
                video, section, link, evidence, chapters, fresh, themer, position, import_key=key
            )
        else:
            _refresh_lesson(lesson, fresh, chapters, evidence, themer)
            lesson.keywords = _keywords(section)
            lesson.save(update_fields=["keywords"])
        _suggest_quotes(lesson, evidence, chapters)
        takeaways += lesson.takeaways.count()

    # Chapters gone from the page go too, unless an editor's lesson or quote still uses them.
    gone = list(existing.values())
    kept = [c for c in gone if c.lessons.exists() or c.quotes.exists()]
    Chapter.objects.filter(pk__in=[c.pk for c in gone if c not in kept]).delete()
    if kept:
        notes.append(
            f"kept {len(kept)} chapters no longer in the page (in use by lessons or quotes)"
        )

    video.imported = snapshot
    video.source_hash = digest
    video.save()
    return Outcome(
        "updated",
        video,
        {
            "chapters": len(chapters),
            "lessons": video.lessons.count(),
            "takeaways": takeaways,
            "segments": segment_count,
        },
        notes,
    )


def _refresh_lesson(lesson, fresh, chapters, evidence, themer) -> None:
    old = lesson.imported
    current = {
        "title": lesson.title,
        "body": lesson.body,
        "start_seconds": lesson.start_seconds,
        "chapter_start": lesson.chapter.start_seconds if lesson.chapter else None,
    }
    for name in LESSON_FIELDS:
        if current[name] == old.get(name) and name != "chapter_start":
            setattr(lesson, name, fresh[name])
    if current["chapter_start"] == old.get("chapter_start"):
        by_start = {c.start_seconds: c for c in chapters}
        lesson.chapter = by_start.get(fresh["chapter_start"])
    takeaways = list(lesson.takeaways.all())
    untouched = [t.text for t in takeaways] == old.get("takeaways")
    if untouched and not any(t.confirmed for t in takeaways):
        _set_takeaways(lesson, fresh["takeaways"], evidence.takeaways)
    current_tags = sorted(t.name for t in lesson.tags.all())
    if current_tags == sorted(old.get("tags", [])):
        # Nobody has curated these themes: new suggestions add to them, never remove.
        lesson.tags.add(*themer.themes(fresh["tags"]))
        fresh["tags"] = sorted({*current_tags, *fresh["tags"]})
    else:
        fresh["tags"] = old.get("tags", [])
    lesson.imported = fresh
    lesson.save()


def _set_takeaways(lesson: Lesson, texts: list[str], moments: list[Link | None]) -> None:
    lesson.takeaways.all().delete()
    Takeaway.objects.bulk_create(
        Takeaway(
            lesson=lesson,
            text=text,
            position=n,
            start_seconds=moment.start_seconds if moment else None,
            score=moment.score if moment else None,
        )
        for n, (text, moment) in enumerate(zip(texts, moments, strict=True))
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


def _reanchor_quotes(video: Video, old: WordTimeline, new: WordTimeline) -> tuple[int, int]:
    moved = kept = 0
    for quote in video.quotes.all():
        span = locate_text(new, quote.text, near=quote.start_seconds)
        if span is None:
            kept += 1
            continue
        quote.start_seconds, quote.end_seconds = span
        quote.save(update_fields=["start_seconds", "end_seconds"])
        moved += 1
    return moved, kept


def attach_transcript(
    video: Video,
    cues: list,
    *,
    digest: str,
    update: bool = False,
    dry_run: bool = False,
) -> Outcome:
    """Replace a video's segments with exact ones and move every moment onto them."""
    with transaction.atomic():
        video = Video.objects.select_for_update().get(pk=video.pk)
        if video.imported.get("transcript_hash") == digest:
            return Outcome("unchanged", video, dry_run=dry_run)
        if video.transcript_exact and not update:
            raise DocumentError(
                f"video '{video.slug}' already has a timed transcript; "
                "use --update to replace it (editors' changes are kept)"
            )
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
                True,
            )
            for c in sorted(cues, key=lambda c: c.start_seconds)
        ]
        old, new = WordTimeline(_stored_segments(video)), WordTimeline(segments)

        moved = kept = 0
        for lesson in video.lessons.all():
            if lesson.start_seconds is None:
                continue
            found = reanchor(old, new, lesson.start_seconds)
            if found is None:
                kept += 1
            else:
                lesson.start_seconds, moved = found, moved + 1
                lesson.save(update_fields=["start_seconds"])
        for takeaway in Takeaway.objects.filter(lesson__video=video, start_seconds__isnull=False):
            found = reanchor(old, new, takeaway.start_seconds)
            if found is None:
                kept += 1
            else:
                takeaway.start_seconds, moved = found, moved + 1
                takeaway.save(update_fields=["start_seconds"])
        quotes_moved, quotes_kept = _reanchor_quotes(video, old, new)
        moved, kept = moved + quotes_moved, kept + quotes_kept
        for suggestion in QuoteSuggestion.objects.filter(lesson__video=video):
            span = locate_text(new, suggestion.text, near=suggestion.start_seconds)
            if span:
                suggestion.start_seconds, suggestion.end_seconds = span
                suggestion.save(update_fields=["start_seconds", "end_seconds"])

        _replace_segments(video, chapters, segments)
        video.transcript_exact = True
        video.imported = {**video.imported, "transcript_hash": digest}
        video.save(update_fields=["transcript_exact", "imported", "updated_at"])
        outcome = Outcome(
            "attached",
            video,
            {"segments": len(segments), "moments re-anchored": moved},
            [f"{kept} moments kept as estimates (their words were not found)"] if kept else [],
            dry_run,
        )
        if dry_run:
            transaction.set_rollback(True)
        return outcome
