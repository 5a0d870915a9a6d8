"""Editors' decisions that change more than one row: accepting and dismissing evidence."""

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
