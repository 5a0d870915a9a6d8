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

from django.utils import timezone

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


def lesson_for(day: datetime.date, lessons=None) -> Lesson | None:
    """The lesson of `day` among `lessons` (published ones, loaded with what the page
    shows; by default all published), None while nothing is published."""
    lessons = (Lesson.objects.published() if lessons is None else lessons).order_by("pk")
    older = lessons.filter(created_at__lt=began(day))
    count = older.count()
    if not count:
        older, count = lessons, lessons.count()
    return older[position(day, count)] if count else None


def lessons_for(days: list[datetime.date], lessons) -> dict[datetime.date, Lesson]:
    """The lesson of each of `days`, as `lesson_for` picks it, in two queries: for a feed."""
    rows = list(lessons.order_by("pk").values_list("pk", "created_at"))
    picked = {}
    for day in days:
        walk = [pk for pk, created in rows if created < began(day)] or [pk for pk, _ in rows]
        if walk:
            picked[day] = walk[position(day, len(walk))]
    found = lessons.in_bulk(set(picked.values()))
    return {day: found[pk] for day, pk in picked.items()}
