"""A video's timeline as stored: its chapters, its transcript segments, each chapter's
whole text for search, and moving moments from one timeline onto another."""

import bisect
from dataclasses import dataclass

from django.db import models

from kb.importers.documents import Segment
from kb.importers.linking import WordTimeline, locate_text, reanchor
from kb.importers.store.refresh import CHAPTER_FIELDS, refresh
from kb.models import (
    LONGEST_EMPHASISED_WORD,
    Chapter,
    ChapterTranscript,
    LineEmphasis,
    TranscriptSegment,
    Video,
)
from kb.search.query import repeated_words

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
    refresh_chapter_texts(video)


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


# A line that says a word this often says it as often as a line can usefully (and the
# count fits any small integer column).
MOST_SAID = 100


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
