"""What is kept per content version, per process: the few values that many pages read,
that one grouped query or one list of names computes for the whole base, and that a
write may change (each theme's published lessons and quotes, videos' and people's
names for search), computed once for each content version and read from memory until
the next one; and answers remembered for the ids searches asked.

What grows with the base and a page reads only a slice of (how lessons are filed under
a theme, who speaks under it, the lessons related to one) is asked of the database for
that page instead, and the answer remembered for the version under the page's key
(`remembered`): keeping all of it meant every worker re-read all of it after each edit.

Above the models: they are what it is computed from; reads that use what is kept (the
lessons related to a lesson) live here with it. The version is `kb.stamp`'s; the
per-process store is here too (`store`).
"""

import threading

from django.db.models import Count, Value

from kb.models import Lesson, LessonTheme, Quote, QuoteTheme, Theme
from kb.stamp import content_version

# The per-process store: what is kept per content version, each value dropped when a
# newer version of it is kept.
store: dict = {}
store_lock = threading.RLock()  # re-entrant: one kept value may be computed from another


def kept(name: str, version: int, compute):
    """`compute()`, once per content version per process (kept until the next version)."""
    key = ("kept", name, version)
    with store_lock:
        if key not in store:
            for old in [k for k in store if k[:2] == ("kept", name)]:
                del store[old]
            store[key] = compute()
        return store[key]


def kept_per_version(name: str, compute):
    """`compute()`, once per content version per process."""
    return kept(name, content_version(), compute)


def remembered(name: str, key, compute):
    """`compute()` for `key`, remembered under this content version in this process for
    the keys asked (at most REMEMBERED of them): a page's own answer, such as a theme's
    neighbours, asked of the database once per version, so that after an edit the next
    page costs its own answer, never a rebuild of every page's."""
    known = kept_per_version(name, dict)
    if key not in known:
        if len(known) >= REMEMBERED:
            known.clear()
        known[key] = compute()
    return known[key]


def published_theme_counts() -> tuple[dict[int, int], dict[int, int]]:
    """({theme id: published lessons}, {theme id: published quotes}): counted once per
    content version per process (they change only with it), in one grouped query."""
    return kept_per_version("theme counts", _count_published_themes)


def _count_published_themes() -> tuple[dict[int, int], dict[int, int]]:
    lessons = (
        LessonTheme.objects.filter(content_object__in=Lesson.objects.published())
        .values("tag_id")
        .annotate(kind=Value("lesson"), n=Count("pk"))
        .values_list("tag_id", "kind", "n")
    )
    quotes = (
        QuoteTheme.objects.filter(content_object__in=Quote.objects.published())
        .values("tag_id")
        .annotate(kind=Value("quote"), n=Count("pk"))
        .values_list("tag_id", "kind", "n")
    )
    counts = {"lesson": {}, "quote": {}}
    for tag_id, kind, n in lessons.order_by().union(quotes.order_by(), all=True):
        counts[kind][tag_id] = n
    return counts["lesson"], counts["quote"]


def theme_speakers(theme: "Theme", most: int) -> list[tuple[int, list[int]]]:
    """The `most` people who give the most published lessons under `theme`, each with
    those lessons' ids (`Lesson.speakers`' rule), the most prolific first: asked of the
    database for this theme's lessons alone (two queries), so that an edit costs the
    next theme page nothing more than its own lessons."""

    def rank():
        people = Lesson.objects.published().under(theme).ids_by_speaker()
        return sorted(people.items(), key=lambda item: (-len(item[1]), item[0]))[:SPEAKERS_KEPT]

    return remembered("theme speakers", theme.pk, rank)[:most]


# People remembered per theme for `theme_speakers` (pages show a dozen).
SPEAKERS_KEPT = 30


def give_themes(lessons) -> None:
    """Give lessons their themes (for `themes_of`): asked of the database for the lessons
    not asked before under this content version (one query), remembered until it moves.
    Search results pick their lessons one by one: filing every published lesson's themes
    after each edit, to show one page of them, cost each worker tens of milliseconds."""
    known = kept_per_version("lesson themes", dict)
    missing = [lesson.pk for lesson in lessons if lesson.pk not in known]
    if missing:
        found = {pk: [] for pk in missing}
        links = LessonTheme.objects.filter(content_object_id__in=missing).select_related("tag")
        for link in links:
            found[link.content_object_id].append(link.tag)
        if len(known) + len(found) > REMEMBERED:
            known.clear()
        known.update(found)
    else:
        found = {}
    for lesson in lessons:
        lesson.given_themes = found.get(lesson.pk) or known.get(lesson.pk, [])


# Keys whose answers are remembered per content version, at most, for each name (lessons'
# themes, themes' neighbours, lessons' related lessons...).
REMEMBERED = 20_000


def theme_neighbours(theme: Theme, most: int = 12) -> list[Theme]:
    """The themes sharing the most published lessons with `theme` (then by name),
    each with `shared`: how many. One grouped query over this theme's lessons' links,
    remembered for this content version."""

    def ask():
        under = Lesson.objects.published().under(theme).values("pk")
        found = list(
            Theme.objects.filter(lesson_items__content_object__in=under)
            .exclude(pk=theme.pk)
            .annotate(shared=Count("lesson_items"))
            .order_by()
        )
        found.sort(key=lambda other: (-other.shared, other.name.lower(), other.name))
        return found

    return remembered("theme neighbours", theme.pk, ask)[:most]


def themes_with_counts(themes):
    """Each theme's number of published lessons and quotes (readers' counts).

    Counted for every theme at once in one grouped query (run here), then attached
    to the rows as values: a count subquery per theme, run again wherever the
    counts filter or order, costs a knowledge base of ten thousand talks most of a
    second on its home page."""
    lessons, quotes = published_theme_counts()
    return themes.with_count_values(lessons, quotes)


def themes_in_use():
    """Themes with something published under them, with their counts."""
    lessons, quotes = published_theme_counts()
    return Theme.objects.filter(pk__in=set(lessons) | set(quotes)).with_count_values(
        lessons, quotes
    )


def related_lessons(lesson: Lesson, among, limit: int = 5) -> list[Lesson]:
    """Lessons of `among` (a readers' queryset), across videos, sharing the most themes with
    `lesson` and then the most words."""
    theme_ids = [theme.pk for theme in lesson.themes]
    if not theme_ids:
        return []

    # The published lessons sharing its themes, the most shared first, then the newest
    # video's: one grouped query over those themes' links, remembered for this content
    # version (an edit costs the next lesson page this query, nothing more).
    def ask():
        links = (
            LessonTheme.objects.filter(
                tag_id__in=theme_ids, content_object__in=Lesson.objects.published().values("pk")
            )
            .exclude(content_object_id=lesson.pk)
            .values("content_object_id")
            .annotate(shared=Count("pk"))
            .order_by(
                "-shared",
                "-content_object__video__published_on",
                "content_object__video_id",
                "content_object__position",
                "content_object_id",
            )
            .values_list("content_object_id", "shared")[: limit * 6]
        )
        return dict(links)

    shared = remembered("related lessons", (lesson.pk, tuple(theme_ids), limit), ask)
    loaded = among.in_bulk(list(shared))
    candidates = [loaded[pk] for pk in shared if pk in loaded]
    for other in candidates:
        other.shared = shared[other.pk]
    mine = set(lesson.keywords.split())

    def closeness(other):
        theirs = set(other.keywords.split())
        overlap = len(mine & theirs) / len(mine | theirs) if mine | theirs else 0.0
        return other.shared + 2 * overlap

    return sorted(candidates, key=closeness, reverse=True)[:limit]
