"""Share cards drawn by a task worker after an editor's save (`manage.py db_worker`,
docs/deployment.md), so that the first reader of a changed lesson or quote finds its
card drawn. A card's file is named by what it says (kb.cards), so what a task draws is
what the card's own page would have drawn; one not drawn yet is still drawn there.
"""

from django.db import transaction
from django_tasks import task

from kb import cards
from kb.models import Lesson, Quote


@task()
def draw_cards(lesson_ids: list[int], quote_ids: list[int]) -> str:
    """The cards of these lessons and quotes, those still published, drawn unless drawn
    already. Returns how many were looked at."""
    lessons = Lesson.objects.published().with_video().with_people().filter(pk__in=lesson_ids)
    quotes = Quote.objects.published().with_video("speaker").filter(pk__in=quote_ids)
    done = 0
    for lesson in lessons:
        cards.cached_png(f"lesson-{lesson.pk}", cards.lesson_card(lesson))
        done += 1
    for quote in quotes:
        cards.cached_png(f"quote-{quote.pk}", cards.quote_card(quote))
        done += 1
    return f"{done} card{'s' if done != 1 else ''}"


def after_edit(changed: dict[str, set[int]]) -> None:
    """Called once an edit's derived data is refreshed (kb.importers.derived): its
    lessons' and quotes' cards queued for drawing."""
    lesson_ids = sorted(changed.get("lesson", ()))
    quote_ids = sorted(changed.get("quote", ()))
    if lesson_ids or quote_ids:
        # Queued once this is committed (a worker then reads what the edit wrote).
        transaction.on_commit(lambda: draw_cards.enqueue(lesson_ids, quote_ids))
