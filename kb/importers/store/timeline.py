"""A video's timeline as stored: its chapters, its transcript segments (each chapter's
whole text for search is derived from them: kb.importers.derived), and moving moments
from one timeline onto another."""

import bisect
from dataclasses import dataclass

from django.db import models

from kb.importers.derived import TRANSCRIPT, stale
from kb.importers.documents import Segment
from kb.importers.linking import WordTimeline, locate_text, reanchor
from kb.importers.store.refresh import CHAPTER_FIELDS, refresh
from kb.models import Chapter, TranscriptSegment, Video, insert_rows

# How `move_moments` moves a row: a span by its own words, a point by what was said there.
SPAN = ("start_seconds", "end_seconds")


POINT = ("start_seconds",)


@dataclass(frozen=True)
class ChapterStart:
    start_seconds: int
    title: str


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
    stale(TRANSCRIPT, video.pk)


def _replace_segments(
    video: Video, chapters: list[Chapter], segments: list[Segment], people: dict | None = None
) -> None:
    """`people`: the person of each speaker name the segments carry."""
    people = people or {}
    video.segments.all().delete()
    speakers = {name: person.pk for name, person in people.items() if person is not None}
    insert_rows(
        TranscriptSegment,
        (
            {
                "video_id": video.pk,
                "chapter_id": chapters[s.chapter].pk if s.chapter is not None else None,
                "start_seconds": s.start_seconds,
                "end_seconds": s.end_seconds,
                "text": s.text,
                "exact": s.exact,
                "speaker_id": speakers.get(s.speaker),
            }
            for s in segments
        ),
    )
    stale(TRANSCRIPT, video.pk)


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
