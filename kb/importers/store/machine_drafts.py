"""Machine drafts: lessons proposed from a transcript alone (kb.importers.drafts), stored
for editors to review, each with its passage."""

from dataclasses import dataclass, field

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from kb.importers import drafting_llm
from kb.importers import drafts as drafting
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
    # What the language model did, when one was asked (kb.importers.drafting_llm).
    rewritten: drafting_llm.Rewritten | None = None


def draft_if_lessonless(outcome: Outcome) -> None:
    """A transcript with no summary: a video with no lessons of its own (only machine
    drafts, if any) gets draft lessons from it; the summary line says how many."""
    video = outcome.video
    if video.lessons.filter(draft_passage__isnull=True).exists():
        return
    # Offline drafts now; a language model (DJANGO_DRAFT_MODEL) may take minutes, so it is
    # asked by a task once the import has committed, never inside its transaction.
    drafted = store_drafts(video, model="")
    outcome.counts["lessons drafted"] = len(drafted.proposed)
    model = settings.DRAFT_MODEL
    if model and drafted.proposed and not outcome.dry_run:
        from kb.importers.tasks import rewrite_drafts

        transaction.on_commit(lambda: rewrite_drafts.enqueue(video.pk, model))
        outcome.notes.append(f"the drafts are queued for {model} to rewrite (a task)")


def _drafted_as_is(lesson: Lesson) -> bool:
    """No editor has changed the draft since the machine wrote it (title, takeaways)."""
    drafted = lesson.imported or {}
    takeaways = [t.text for t in lesson.takeaways.all()]
    return lesson.title == drafted.get("title") and takeaways == drafted.get("takeaways")


@dataclass
class Proposal:
    """Drafts proposed for a video and not yet stored (`propose_drafts`)."""

    drafts: list[drafting.Draft]
    rewritten: drafting_llm.Rewritten | None = None


def _passages_left(video: Video) -> tuple[list[DraftPassage], list[DraftPassage]]:
    """The video's passages as editors left them (accepted, dismissed, their draft deleted
    or edited), and its open drafts as the machine wrote them."""
    kept, stale = [], []
    passages = video.draft_passages.select_related("lesson").prefetch_related("lesson__takeaways")
    for passage in passages:
        lesson = passage.lesson
        if lesson is None or passage.decided or not lesson.machine_draft:
            kept.append(passage)
        elif not _drafted_as_is(lesson):
            kept.append(passage)
        else:
            stale.append(passage)
    return kept, stale


def _taken_spans(video: Video, kept: list[DraftPassage]) -> list[tuple[float, float]]:
    """Where no draft may be proposed: passages kept, moments of the video's own lessons."""
    moments = list(
        video.lessons.filter(draft_passage__isnull=True, start_seconds__isnull=False)
        .values_list("start_seconds", flat=True)
    )  # fmt: skip
    return [(p.start_seconds, p.end_seconds) for p in kept] + [(m, m) for m in moments]


def propose_drafts(video: Video, model: str | None = None) -> Proposal:
    """Draft lessons for `video` from its transcript (kb.importers.drafts), rewritten by a
    language model when one is named (`model`, else settings.DRAFT_MODEL; "" for none:
    kb.importers.drafting_llm). Reads only: a model may take a minute a passage, so a
    caller runs this outside the transaction that stores them (store_drafts)."""
    kept, _ = _passages_left(video)
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
    found = drafting.draft(talk, meaning.embed, avoid=_taken_spans(video, kept))
    model = settings.DRAFT_MODEL if model is None else model
    if not (found and model):
        return Proposal(found)
    found, rewritten = drafting_llm.rewrite(
        found, talk, model, timeout=settings.DRAFT_MODEL_TIMEOUT
    )
    return Proposal(found, rewritten)


def store_drafts(
    video: Video, model: str | None = None, proposal: Proposal | None = None
) -> Drafted:
    """Machine drafts for `video` for editors to review, each with its passage
    (DraftPassage): `proposal`, or what propose_drafts(video, model) proposes now. Open
    drafts no editor has touched are replaced; passages accepted or dismissed (or whose
    draft an editor deleted) and drafts an editor edited are kept, and no draft is stored
    over them (an editor may have decided one since the proposal), nor over the moment of
    a lesson the video has of its own."""
    if proposal is None:
        proposal = propose_drafts(video, model)
    done = Drafted(rewritten=proposal.rewritten)
    kept, stale = _passages_left(video)
    for passage in kept:
        if passage.status == Suggestion.OPEN and passage.lesson is None:
            # Its draft was deleted: that is a dismissal.
            passage.status, passage.decided_at = Suggestion.DISMISSED, timezone.now()
            passage.save(update_fields=["status", "decided_at"])
    done.kept = len(kept)
    Lesson.objects.filter(pk__in=[p.lesson_id for p in stale]).delete()
    DraftPassage.objects.filter(pk__in=[p.pk for p in stale]).delete()
    done.replaced = len(stale)
    avoid = _taken_spans(video, kept)
    found = [
        draft
        for draft in proposal.drafts
        if not any(drafting.taken(draft.start_seconds, draft.end_seconds, a, b) for a, b in avoid)
    ]
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
