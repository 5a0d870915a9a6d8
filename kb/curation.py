"""Editors' decisions that change more than one row: accepting and dismissing evidence,
cutting quotes, merging themes."""

from collections import Counter
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from kb.importers.documents import Segment
from kb.importers.linking import WordTimeline, locate_text, normalise
from kb.importers.store.themer import Themer, offer_themes
from kb.models import (
    DraftPassage,
    Evidence,
    Insight,
    InsightProposal,
    Lesson,
    LessonTheme,
    Person,
    Quote,
    QuoteSuggestion,
    Status,
    Suggestion,
    Theme,
    ThemeSuggestion,
    unique_slug,
)


def themes_for_quote(quote: Quote) -> list[Theme]:
    """A quote's themes: those it is confidently about (kb.importers.themes), else its
    lesson's."""
    themer = Themer()
    chosen = themer.themes(themer.choose("", quote.text).names)
    if not chosen and quote.lesson_id:
        chosen = list(quote.lesson.tags.all()[:2])
    return chosen


def speaker_of(segments) -> Person | None:
    """The one person who says every one of these transcript segments, where the
    transcript says who speaks; None when it does not, or when several do."""
    speakers = {segment.speaker_id for segment in segments}
    if len(speakers) != 1 or None in speakers:
        return None
    return Person.objects.filter(pk=speakers.pop()).first()


def accept_suggestion(suggestion: QuoteSuggestion) -> Quote:
    """Turn a suggested passage into a draft quote with its exact words, times and chapter."""
    with transaction.atomic():
        suggestion = (
            QuoteSuggestion.objects.select_for_update(of=("self",))
            .select_related("lesson__video", "quote")
            .get(pk=suggestion.pk)
        )
        if suggestion.quote is not None:
            return suggestion.quote
        lesson = suggestion.lesson
        quote = Quote.objects.create(
            video=lesson.video,
            chapter=suggestion.chapter,
            lesson=lesson,
            text=suggestion.text,
            # Words a speaker-labelled transcript gives to one person are theirs.
            speaker=speaker_of(
                lesson.video.segments.filter(
                    start_seconds__lt=suggestion.end_seconds,
                    end_seconds__gt=suggestion.start_seconds,
                ).only("speaker_id")
            ),
            start_seconds=suggestion.start_seconds,
            end_seconds=suggestion.end_seconds,
            status=Status.DRAFT,
        )
        quote.tags.set(themes_for_quote(quote))
        suggestion.status = Suggestion.ACCEPTED
        suggestion.quote = quote
        suggestion.save(update_fields=["status", "quote"])
        return quote


def dismiss_suggestion(suggestion: QuoteSuggestion) -> None:
    """Dismissed passages stay recorded, so a re-import never proposes them again."""
    QuoteSuggestion.objects.filter(pk=suggestion.pk, status=Suggestion.OPEN).update(
        status=Suggestion.DISMISSED
    )


def _decide_draft_passage(lesson: Lesson, status: str) -> bool:
    """Decide the open passage of a machine draft (locked: two editors at once decide it
    once); False when the lesson is no open machine draft. Inside the caller's transaction."""
    passage = (
        DraftPassage.objects.select_for_update()
        .filter(lesson=lesson, status=Suggestion.OPEN, lesson__machine_draft=True)
        .first()
    )
    if passage is None:
        return False
    passage.status, passage.decided_at = status, timezone.now()
    passage.save(update_fields=["status", "decided_at"])
    return True


def accept_draft(lesson: Lesson) -> bool:
    """A machine draft becomes an ordinary draft lesson, for the editor to edit and
    publish; its passage is decided (never drafted again). False when it was no open
    machine draft (decided meanwhile, by another editor or another tab)."""
    with transaction.atomic():
        if not _decide_draft_passage(lesson, Suggestion.ACCEPTED):
            return False
        # Now it is a lesson like any other: what search and insights compare (its
        # vectors follow the save, kb.importers.derived).
        lesson.machine_draft = False
        lesson.save(update_fields=["machine_draft", "updated_at"])
    return True


def dismiss_draft(lesson: Lesson) -> bool:
    """A machine draft is not advice worth keeping: the lesson goes, its passage stays
    dismissed so that re-drafting never proposes it again. False when it was no open
    machine draft."""
    with transaction.atomic():
        if not _decide_draft_passage(lesson, Suggestion.DISMISSED):
            return False
        Lesson.objects.filter(pk=lesson.pk).delete()
    return True


def decide_theme(suggestion: ThemeSuggestion, accept: bool) -> bool:
    """Accept (the lesson gets the theme) or dismiss an offered theme; either way it stays
    decided, so a re-import never offers it again. False if it was already decided."""
    with transaction.atomic():
        status = Suggestion.ACCEPTED if accept else Suggestion.DISMISSED
        decided = ThemeSuggestion.objects.filter(pk=suggestion.pk, status=Suggestion.OPEN).update(
            status=status
        )
        if decided and accept:
            suggestion.lesson.tags.add(suggestion.theme)
    return bool(decided)


def accept_proposal(proposal: InsightProposal) -> Insight | None:
    """A draft insight from a proposal: its title, its lessons as evidence in order (the
    one that says otherwise as a different view), its theme. None if already decided."""
    with transaction.atomic():
        decided = InsightProposal.objects.filter(pk=proposal.pk, status=Suggestion.OPEN).update(
            status=Suggestion.ACCEPTED
        )
        if not decided:
            return None
        insight = Insight.objects.create(
            title=proposal.title,
            slug=unique_slug(Insight, proposal.title, "insight"),
            status=Status.DRAFT,
        )
        members = list(proposal.members.order_by("position"))
        Evidence.objects.bulk_create(
            Evidence(insight=insight, lesson_id=member.lesson_id, stance=member.stance, position=n)
            for n, member in enumerate(members)
        )
        insight.themes.set(_shared_themes([member.lesson_id for member in members]))
        InsightProposal.objects.filter(pk=proposal.pk).update(insight=insight)
    return insight


def _shared_themes(lesson_ids: list[int]) -> list[int]:
    """An insight's themes: those two of its lessons or more are filed under, else its
    first (most central) lesson's."""
    links = list(
        LessonTheme.objects.filter(content_object_id__in=lesson_ids).values_list(
            "content_object_id", "tag_id"
        )
    )
    counts = Counter(tag for _, tag in links)
    shared = [tag for tag, n in counts.items() if n >= 2]
    return shared or [tag for lesson, tag in links if lesson == lesson_ids[0]]


def dismiss_proposal(proposal: InsightProposal) -> bool:
    """Kept as dismissed, so the same lessons are never proposed together again."""
    return bool(
        InsightProposal.objects.filter(pk=proposal.pk, status=Suggestion.OPEN).update(
            status=Suggestion.DISMISSED
        )
    )


@dataclass
class Merged:
    """What a merge did: the lessons and quotes now under the target theme, and how many
    of them already had it (they keep it once)."""

    lessons: int = 0
    quotes: int = 0
    had_both: int = 0

    def __str__(self):
        both = f" ({self.had_both} of them already had both)" if self.had_both else ""
        return f"{self.lessons} lessons and {self.quotes} quotes now under it{both}"


def merge_themes(sources: list[Theme], target: Theme) -> Merged:
    """Move everything tagged with `sources` to `target`, keep their addresses as redirects,
    and delete them."""
    from kb.models import LessonTheme, QuoteTheme, ThemeRedirect

    merged = Merged()
    with transaction.atomic():
        for source in sources:
            if source.pk == target.pk:
                continue
            for through, kind in ((LessonTheme, "lessons"), (QuoteTheme, "quotes")):
                items = through.objects.filter(tag=source)
                already = set(
                    through.objects.filter(tag=target).values_list("content_object_id", flat=True)
                )
                moved = items.exclude(content_object_id__in=already).update(tag=target)
                both = items.count()
                items.delete()  # what was tagged with both keeps the one target tag
                setattr(merged, kind, getattr(merged, kind) + moved + both)
                merged.had_both += both
            ThemeRedirect.objects.filter(theme=source).update(theme=target)
            ThemeRedirect.objects.update_or_create(old_slug=source.slug, defaults={"theme": target})
            source.delete()
    return merged


@dataclass
class Passage:
    """Words cut from consecutive transcript lines, with where they are said."""

    text: str
    start_seconds: float
    end_seconds: float
    chapter: object  # the first line's Chapter, or None


def cut_passage(video, segments: list, first_words: str = "", last_words: str = "") -> Passage:
    """The words of consecutive transcript segments, with their exact times;
    `first_words` and `last_words` start it at any word of the first line and end it at
    any word of the last ("I learned…" in the middle of a caption).

    Raises ValueError when the segments are not consecutive lines of one video, or the
    words are not in the first or last line.
    """
    if not segments:
        raise ValueError("Select the transcript lines to cut.")
    ordered = sorted(segments, key=lambda s: (s.start_seconds, s.pk))
    if any(s.video_id != video.pk for s in ordered):
        raise ValueError("Those lines belong to another video.")
    first, last = ordered[0], ordered[-1]
    between = video.segments.filter(
        start_seconds__gte=first.start_seconds, start_seconds__lte=last.start_seconds
    ).count()
    if between != len(ordered):
        raise ValueError("Select consecutive lines: one passage, without gaps.")
    words = [
        (word, line, n, len(line.text.split()))
        for line in ordered
        for n, word in enumerate(line.text.split())
    ]
    start = _word_at(words, first, first_words, "first", "starts")
    end = _word_at(words, last, last_words, "last", "ends", from_end=True)
    if end < start:
        raise ValueError("The passage would end before it starts: check the words.")

    def time_of(index: int, after: bool = False) -> float:
        _, line, n, count = words[index]
        return line.start_seconds + (line.end_seconds - line.start_seconds) * (n + after) / count

    return Passage(
        " ".join(word for word, _, _, _ in words[start : end + 1]),
        round(time_of(start), 3),
        round(max(time_of(end, after=True), time_of(start)), 3),
        first.chapter,
    )


def cut_quote(
    video, segments: list, speaker: str = "", first_words: str = "", last_words: str = ""
) -> Quote:
    """A draft quote made of consecutive transcript segments (`cut_passage`)."""
    passage = cut_passage(video, segments, first_words, last_words)
    chapter = passage.chapter
    quote = Quote.objects.create(
        video=video,
        chapter=chapter,
        lesson=chapter.lessons.order_by("position").first() if chapter else None,
        text=passage.text,
        # A speaker who is a person already is linked; any other name is kept as text.
        # Untyped, the transcript's own speaker of every line is the quote's.
        speaker=(
            Person.objects.filter(name__iexact=speaker).first() if speaker else speaker_of(segments)
        ),
        speaker_name=speaker,
        start_seconds=passage.start_seconds,
        end_seconds=passage.end_seconds,
        status=Status.DRAFT,
    )
    quote.tags.set(themes_for_quote(quote))
    return quote


@transaction.atomic
def cut_lesson(video, segments: list, title: str, first_words: str = "", last_words: str = ""):
    """A draft lesson at the moment consecutive transcript lines start (`cut_passage`), in
    their chapter, with those words as its evidence (an open quote suggestion, for the
    editor to accept as a quote) and the themes they are about offered, not applied."""
    title = " ".join(title.split())[:300]
    if not title:
        raise ValueError("Give the lesson a title.")
    passage = cut_passage(video, segments, first_words, last_words)
    last = video.lessons.order_by("-position").values_list("position", flat=True).first()
    lesson = Lesson.objects.create(
        video=video,
        chapter=passage.chapter,
        title=title,
        slug=unique_slug(Lesson, title, "lesson"),
        start_seconds=passage.start_seconds,
        position=(last + 1) if last is not None else 0,
        status=Status.DRAFT,
    )
    QuoteSuggestion.objects.create(
        lesson=lesson, chapter=passage.chapter, text=passage.text,
        start_seconds=passage.start_seconds, end_seconds=passage.end_seconds, score=1.0, rank=1,
    )  # fmt: skip
    themer = Themer()
    chosen = themer.choose(title, passage.text)
    offer_themes(lesson, [*chosen.applied, *chosen.offered], themer)
    return lesson


def _word_at(words, line, wanted: str, which: str, verb: str, from_end: bool = False) -> int:
    """Index in `words` where `wanted` begins (or, `from_end`, ends) inside `line`; the
    line's first (last) word when nothing is wanted."""
    positions = [i for i, (_, owner, _, _) in enumerate(words) if owner is line]
    wanted_words = [normalise(w) for w in wanted.split() if normalise(w)]
    if not wanted_words:
        return positions[-1] if from_end else positions[0]
    said = [normalise(words[i][0]) for i in positions]
    size = len(wanted_words)
    matches = [k for k in range(len(said) - size + 1) if said[k : k + size] == wanted_words]
    if not matches:
        raise ValueError(f"“{wanted}” is not in the {which} selected line: the quote {verb} there.")
    return positions[matches[-1] + size - 1] if from_end else positions[matches[0]]


# How far around a quote its words are looked for when its text is edited.
ANCHOR_REACH_SECONDS = 600


def anchor_to_words(quote: Quote) -> bool:
    """Move an edited quote's start and end to where its words are said, near where it
    was; False (and nothing changed) when the transcript does not say them."""
    near = quote.video.segments.filter(
        start_seconds__gte=quote.start_seconds - ANCHOR_REACH_SECONDS,
        start_seconds__lte=quote.end_seconds + ANCHOR_REACH_SECONDS,
    ).order_by("start_seconds", "id")
    timeline = WordTimeline(
        [Segment(None, s.start_seconds, s.end_seconds, s.text, s.exact) for s in near]
    )
    span = locate_text(timeline, quote.text, near=quote.start_seconds)
    if span is None:
        return False
    quote.start_seconds, quote.end_seconds = (round(t, 3) for t in span)
    return True


def merge_people(sources: list, target) -> str:
    """Move everything of `sources` (credits, lessons, quotes) to `target`, keep their
    addresses as redirects, and delete them. Says what moved."""
    from kb.models import Credit, PersonRedirect

    credits = lessons = quotes = 0
    with transaction.atomic():
        for source in sources:
            if source.pk == target.pk:
                continue
            for credit in Credit.objects.filter(person=source):
                if Credit.objects.filter(
                    video=credit.video_id, person=target, role=credit.role
                ).exists():
                    credit.delete()  # both credited alike: the one target credit stays
                else:
                    credit.person = target
                    credit.save(update_fields=["person"])
                    credits += 1
            for lesson in source.lessons.all():
                lesson.people.remove(source)
                lesson.people.add(target)
                lessons += 1
            quotes += source.quotes.update(speaker=target)
            PersonRedirect.objects.filter(person=source).update(person=target)
            PersonRedirect.objects.update_or_create(
                old_slug=source.slug, defaults={"person": target}
            )
            source.delete()
    return f"{credits} video credits, {lessons} lessons and {quotes} quotes moved"
