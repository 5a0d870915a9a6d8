"""Lessons as imported: their values, takeaways, suggested quotes, and their
places on a transcript attached later."""

from collections import Counter

from django.utils.text import slugify

from kb.importers.analysis import place
from kb.importers.documents import Segment
from kb.importers.linking import (
    CANDIDATE_PASSAGES,
    ChapterIndex,
    Link,
    SectionEvidence,
    passage_of,
    section_query,
    suggest_passages,
)
from kb.importers.store.refresh import LESSON_FIELDS, refresh
from kb.importers.store.themer import offer_themes
from kb.importers.summary import Section
from kb.models import Chapter, Lesson, QuoteSuggestion, Suggestion, Takeaway, Video

SUGGESTIONS_SHOWN = 3


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


def _store_lesson(lesson, section, link, evidence, chapters, themer) -> int:
    """Create or refresh one lesson with its takeaways, themes and suggested quotes;
    returns how many takeaways it has."""
    imported = lesson.imported if lesson.pk else None
    snapshot = refresh(lesson, LESSON_FIELDS, _lesson_values(section, link, chapters), imported)
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


def lesson_keys(titles: list[str]) -> list[str]:
    """Each lesson's import identity, stable across re-imports: its title, numbered when
    a title repeats (a page's sections, a Markdown file's lessons)."""
    keys, seen = [], Counter()
    for title in titles:
        base = slugify(title)[:180] or "section"
        seen[base] += 1
        keys.append(base if seen[base] == 1 else f"{base}-{seen[base]}")
    return keys


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
