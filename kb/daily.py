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

import numpy as np
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


def published_rows() -> tuple[np.ndarray, np.ndarray]:
    """Published lessons' ids in order, and when each was created (epoch seconds): kept
    once per content version per process, so a pick costs no query."""

    def rows():
        found = list(Lesson.objects.published().order_by("pk").values_list("pk", "created_at"))
        pks = np.fromiter((pk for pk, _ in found), dtype=np.int64, count=len(found))
        created = np.fromiter((c.timestamp() for _, c in found), dtype=np.float64, count=len(found))
        return pks, created

    return kept_per_version("daily lessons", rows)


def pick(day: datetime.date, rows=None) -> int | None:
    """The id of the lesson of `day`, None while nothing is published."""
    pks, created = published_rows() if rows is None else rows
    walk = pks[created < began(day).timestamp()]
    if not len(walk):
        walk = pks
    return int(walk[position(day, len(walk))]) if len(walk) else None


def lesson_for(day: datetime.date, lessons=None) -> Lesson | None:
    """The lesson of `day`, loaded from `lessons` (published ones with what the page
    shows; by default all published); None while nothing is published."""
    pk = pick(day)
    lessons = Lesson.objects.published() if lessons is None else lessons
    return lessons.filter(pk=pk).first() if pk is not None else None


def lessons_for(days: list[datetime.date], lessons) -> dict[datetime.date, Lesson]:
    """The lesson of each of `days` (for a feed), in one query."""
    rows = published_rows()
    picked = {day: pk for day in days if (pk := pick(day, rows)) is not None}
    found = lessons.in_bulk(set(picked.values()))
    return {day: found[pk] for day, pk in picked.items() if pk in found}
