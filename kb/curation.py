"""Editors' decisions that change more than one row: accepting and dismissing evidence."""

from dataclasses import dataclass

from django.db import transaction

from kb.importers.themes import ThemeCues, suggest_themes
from kb.models import Quote, QuoteSuggestion, Status, Suggestion, Theme


def themes_for_quote(quote: Quote) -> list[Theme]:
    """A quote's suggested themes: the vocabulary's hits in its words, else its lesson's."""
    vocabulary = list(Theme.objects.all())
    names = suggest_themes("", quote.text, [ThemeCues(t.name, t.cues) for t in vocabulary])
    by_name = {t.name: t for t in vocabulary}
    chosen = [by_name[name] for name in names if name in by_name]
    if not chosen and quote.lesson_id:
        chosen = list(quote.lesson.tags.all()[:2])
    return chosen


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


def cut_quote(video, segments: list, speaker: str = "") -> Quote:
    """A draft quote made of consecutive transcript segments, with their exact words and times.

    Raises ValueError when the segments are not consecutive lines of one video.
    """
    if not segments:
        raise ValueError("Select the transcript lines to quote.")
    ordered = sorted(segments, key=lambda s: (s.start_seconds, s.pk))
    if any(s.video_id != video.pk for s in ordered):
        raise ValueError("Those lines belong to another video.")
    first, last = ordered[0], ordered[-1]
    between = video.segments.filter(
        start_seconds__gte=first.start_seconds, start_seconds__lte=last.start_seconds
    ).count()
    if between != len(ordered):
        raise ValueError("Select consecutive lines: a quote is one passage, without gaps.")
    quote = Quote.objects.create(
        video=video,
        chapter=first.chapter,
        lesson=first.chapter.lessons.order_by("position").first() if first.chapter else None,
        text=" ".join(s.text for s in ordered),
        speaker=speaker,
        start_seconds=first.start_seconds,
        end_seconds=max(last.end_seconds, first.start_seconds),
        status=Status.DRAFT,
    )
    quote.tags.set(themes_for_quote(quote))
    return quote
