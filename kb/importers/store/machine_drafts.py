"""Machine drafts: lessons proposed from a transcript alone (kb.importers.drafts), stored
for editors to review, each with its passage."""

from dataclasses import dataclass, field

from django.db import models
from django.utils import timezone

from kb.importers import drafts as drafting
from kb.importers.linking import keywords
from kb.importers.store.lessons import _set_takeaways
from kb.importers.store.refresh import Outcome
from kb.importers.store.themer import current_themer, offer_themes
from kb.importers.store.timeline import _chapter_index
from kb.models import (
    DraftPassage,
    Lesson,
    Person,
    QuoteSuggestion,
    Role,
    Status,
    Suggestion,
    Video,
    unique_slug,
)
from kb.search import meaning


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
