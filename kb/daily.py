"""The lesson of the day: chosen by the date alone, the same for every reader and server.

The lessons it walks are those published, in id order, that existed when the day began
(all published ones while none did: a knowledge base imported today), so a talk imported
at noon does not change the morning's pick. They are walked with a stride coprime with
their number, one step a day: every lesson comes once before any comes again, two days
in a row never give the same one, and neighbours in a video (neighbours in id order) are
days apart.
"""

import datetime
import math

from django.db.models import Count, F, Q, QuerySet, Subquery
from django.db.models.lookups import Exact
from django.utils import timezone

from kb.kept import kept_per_version
from kb.models import Lesson

GOLDEN = 0.618


def stride(count: int) -> int:
    """The step nearest the golden fraction of `count` that shares no factor with it."""
    step = max(1, round(count * GOLDEN))
    while math.gcd(step, count) != 1:
        step += 1
    return step


def position(day: datetime.date, count: int) -> int:
    """Where `day` falls in the walk over `count` lessons."""
    return (day.toordinal() % count) * stride(count) % count


def began(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), tzinfo=timezone.get_current_timezone())


def picks(days: list[datetime.date]) -> dict[datetime.date, QuerySet]:
    """The id of each day's lesson, as a one-row subquery of the published lessons (none
    for a day while nothing is published): how many each day walks is counted for every
    day at once (one query), and the database finds the lesson at that place in id order
    when it loads it. Nothing here is kept: after an edit the next pick costs what this one
    did."""
    published = Lesson.objects.published().order_by()
    before = {day: f"before_{n}" for n, day in enumerate(days)}
    counts = published.aggregate(
        every=Count("pk"),
        **{name: Count("pk", filter=Q(created_at__lt=began(day))) for day, name in before.items()},
    )
    found = {}
    for day, name in before.items():
        walk = published.filter(created_at__lt=began(day)) if counts[name] else published
        count = counts[name] or counts["every"]
        if count:
            at = position(day, count)
            found[day] = walk.order_by("pk").values("pk")[at : at + 1]
    return found


def lesson_for(day: datetime.date, lessons=None) -> Lesson | None:
    """The lesson of `day`, loaded from `lessons` (published ones with what the page
    shows; by default all published); None while nothing is published. Which lesson it
    is, once found, is remembered for this content version."""
    lessons = Lesson.objects.published() if lessons is None else lessons
    known = kept_per_version("lesson of the day", dict)
    if day in known:
        return lessons.filter(pk=known[day]).first()
    pk = picks([day]).get(day)
    lesson = lessons.filter(pk=Subquery(pk)).first() if pk is not None else None
    if lesson is not None:
        known[day] = lesson.pk
    return lesson


def lessons_for(days: list[datetime.date], lessons) -> dict[datetime.date, Lesson]:
    """The lesson of each of `days` (for a feed), in one query after the counts."""
    picked = picks(days)
    if not picked:
        return {}
    chosen = Q()
    for pk in picked.values():
        chosen |= Q(pk=Subquery(pk))
    found = lessons.filter(chosen).annotate(
        **{f"day_{n}": Exact(F("pk"), Subquery(pk)) for n, pk in enumerate(picked.values())}
    )
    by_day = {}
    for lesson in found:
        for n, day in enumerate(picked):
            if getattr(lesson, f"day_{n}"):
                by_day[day] = lesson
    return by_day
