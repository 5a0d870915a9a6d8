"""Share cards drawn by a task worker after an editor's save (`manage.py db_worker`,
docs/deployment.md), so that readers find them drawn rather than waiting for the first
of them to draw one.

An edit's cards are those whose words it can change:
- a lesson's or quote's own card, and the cards of the videos they are from (counts);
- a video's own card, and the cards of its lessons and quotes (they name its title);
- the people credited on those videos, giving those lessons or speaking those quotes
  (their counts), the themes of those lessons and quotes (their counts), the insights
  those lessons and quotes are evidence of (their voices), and the site's card (its
  counts move when anything is published or unpublished);
- an insight's own card, after a save of it or of its evidence (`insight_changed`).

The task is given the ids the edit named, never "everything", and draws only what
readers may see: each card is read through the same queryset its view reads
(kb.reads' `card_…`), so a draft never gets a card. A card's file is named by what it
says (kb.cards), so what a task draws is what the card's own page would have drawn, and
a card whose words did not change is not drawn again. One not drawn yet (a theme a
lesson left, a person renamed) is still drawn by the request that asks for it.
"""

from django.db import transaction
from django.db.models import Q
from django_tasks import task

from kb import cards, reads
from kb.importers import derived
from kb.models import Credit, Evidence, Insight, Lesson, LessonTheme, Quote, QuoteTheme
from kb.text import counted

# Each kind of card: what readers may see of it (the queryset its view reads) and what
# it says.
DRAWN = (
    ("lesson", reads.card_lessons, cards.lesson_card),
    ("quote", reads.card_quotes, cards.quote_card),
    ("video", reads.card_videos, cards.video_card),
    ("person", reads.card_people, cards.person_card),
    ("theme", reads.card_themes, cards.theme_card),
    ("insight", reads.card_insights, cards.insight_card),
)


@task()
def draw_cards(
    lesson_ids: list[int],
    quote_ids: list[int],
    video_ids: list[int] | None = None,
    insight_ids: list[int] | None = None,
) -> str:
    """The cards an edit of these lessons, quotes, videos and insights changed, those
    readers may see, drawn unless drawn already. Returns how many were looked at."""
    touched = cards_touched(lesson_ids, quote_ids, video_ids or [], insight_ids or [])
    done = 0
    for kind, readable, card in DRAWN:
        for found in readable().filter(pk__in=touched[kind]):
            cards.cached_png(f"{kind}-{found.pk}", card(found))
            done += 1
    if touched["site"]:
        cards.cached_png("site", cards.site_card(*reads.site_counts()))
        done += 1
    return counted(done, "card")


def cards_touched(lesson_ids, quote_ids, video_ids, insight_ids) -> dict:
    """{kind: ids} of the cards whose words an edit of these rows can change, drafts
    included (an unpublished lesson changes its video's counts); the site's card is
    touched (True) by any lesson, quote or video."""
    videos = set(video_ids)
    # A video's lessons and quotes name its title.
    lessons = set(lesson_ids) | set(
        Lesson.objects.filter(video__in=videos).values_list("pk", flat=True)
    )
    quotes = set(quote_ids) | set(
        Quote.objects.filter(video__in=videos).values_list("pk", flat=True)
    )
    videos |= set(Lesson.objects.filter(pk__in=lesson_ids).values_list("video_id", flat=True))
    videos |= set(Quote.objects.filter(pk__in=quote_ids).values_list("video_id", flat=True))
    people = set(Credit.objects.filter(video__in=videos).values_list("person_id", flat=True))
    people |= set(
        Lesson.people.through.objects.filter(lesson__in=lessons).values_list("person_id", flat=True)
    )
    people |= set(
        Quote.objects.filter(pk__in=quotes, speaker__isnull=False).values_list(
            "speaker_id", flat=True
        )
    )
    themes = set(
        LessonTheme.objects.filter(content_object__in=lessons).values_list("tag_id", flat=True)
    )
    themes |= set(
        QuoteTheme.objects.filter(content_object__in=quotes).values_list("tag_id", flat=True)
    )
    insights = set(insight_ids) | set(
        Evidence.objects.filter(Q(lesson__in=lessons) | Q(quote__in=quotes)).values_list(
            "insight_id", flat=True
        )
    )
    return {
        "lesson": lessons,
        "quote": quotes,
        "video": videos,
        "person": people,
        "theme": themes,
        "insight": insights,
        "site": bool(lessons or quotes or videos),
    }


def after_edit(changed: dict[str, set[int]]) -> None:
    """Called once an edit's derived data is refreshed (kb.importers.derived): the cards
    its lessons, quotes and videos changed queued for drawing."""
    lesson_ids = sorted(changed.get("lesson", ()))
    quote_ids = sorted(changed.get("quote", ()))
    video_ids = sorted(changed.get("video", ()))
    if lesson_ids or quote_ids or video_ids:
        # Queued once this is committed (a worker then reads what the edit wrote).
        transaction.on_commit(lambda: draw_cards.enqueue(lesson_ids, quote_ids, video_ids))


def insight_changed(sender, instance, raw=False, **kwargs) -> None:
    """A receiver (kb.apps) for a save of an insight, or a save or delete of its evidence:
    its card queued for drawing once the transaction commits (an admin form saves the
    insight, then each voice: the later tasks find the card drawn)."""
    if raw or derived.importing():  # a restore's insights: like an import's edits, none
        return
    pk = instance.pk if isinstance(instance, Insight) else instance.insight_id
    transaction.on_commit(lambda: draw_cards.enqueue([], [], [], [pk]))
