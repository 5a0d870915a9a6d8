"""The reads that the site's pages, the read API, the feeds and the MCP tools share, in one
place (HackSoft's "selectors"): what readers may see (`published()`) with what every one
of them shows loaded up front, the filters of the lists, and a slug found again after its
theme or person was renamed or merged. Callers add only what their own answer shows more
(the API's takeaways, a page's paginator) and turn "moved" into their own answer (a 301
to a page, a 301 in the API, a tool's error).
"""

from dataclasses import dataclass

from django.db.models import Count, Prefetch

from kb.kept import theme_speakers, themes_in_use
from kb.models import (
    VIDEO_LONG_FIELDS,
    Credit,
    Insight,
    Lesson,
    Person,
    PersonRedirect,
    Quote,
    Status,
    Theme,
    ThemeRedirect,
    Video,
)

# ---------------------------------------------------------------- lists


def lessons():
    """Published lessons, newest video first, with their video, chapter, themes and
    people (not the long fields no list shows)."""
    return (
        Lesson.objects.published()
        .with_video("chapter")
        .defer("imported", "keywords")
        .with_themes()
        .with_people()
        .order_by("-video__published_on", "video_id", "position")
    )


def quotes():
    """Published quotes, newest video first, each with its video, chapter, lesson and
    speaker."""
    return (
        Quote.objects.published()
        .with_video("chapter", "lesson", "speaker")
        .defer("lesson__body", "lesson__imported", "lesson__keywords")
        .order_by("-video__published_on", "video_id", "start_seconds")
    )


def videos():
    """Published videos with readers' counts, newest first (not their long texts)."""
    return Video.objects.published().with_counts().defer(*VIDEO_LONG_FIELDS)


def videos_with_credits():
    credits = Credit.objects.select_related("person").order_by("role", "position", "pk")
    return videos().prefetch_related(Prefetch("credits", credits))


def themes():
    """Themes with something published under them, with readers' counts."""
    return themes_in_use()


def people():
    """People with something published, with readers' counts."""
    return Person.objects.published().with_counts()


def insights():
    """Published insights with their counts of voices and videos, and their themes."""
    return Insight.objects.published().with_counts().prefetch_related("themes")


def evidence(insight: Insight, drafts: bool = False):
    """An insight's voices in order, each with what its page shows; `drafts` for staff."""
    voices = insight.evidence.all() if drafts else insight.evidence.published()
    return voices.for_page().order_by("position", "pk")


# ---------------------------------------------------------------- share cards
# What each card's view and the task that draws it after an edit (kb.card_tasks) read:
# one queryset each, so that both build the same card (kb.cards) and no draft has one.


def card_lessons():
    return Lesson.objects.published().with_video().with_people()


def card_quotes():
    return Quote.objects.published().with_video("speaker")


def card_videos():
    return Video.objects.published().with_counts().with_guests()


def card_people():
    return people()


def card_themes():
    return themes_in_use()


def card_insights():
    return Insight.objects.published().with_counts()


def site_counts() -> tuple[int, int]:
    """(published lessons, published videos): what the site's card counts."""
    return Lesson.objects.published().count(), Video.objects.published().count()


# ---------------------------------------------------------------- filters


def lessons_filtered(themes_: list[Theme], by: Person | None = None, in_video=None):
    """Lessons under every one of `themes_`, given by `by`, from `in_video`: the filters
    of /lessons/ and of the API's lessons."""
    found = lessons()
    for one in themes_:
        found = found.under(one)
    if by is not None:
        found = found.by(by)
    if in_video is not None:
        found = found.filter(video=in_video)
    return found


def quotes_filtered(theme: Theme | None, by: Person | None = None):
    """Quotes under `theme`, said by `by`."""
    found = quotes()
    if theme is not None:
        found = found.under(theme)
    if by is not None:
        found = found.filter(speaker=by)
    return found


# ---------------------------------------------------------------- guests on a theme


@dataclass
class Voice:
    """One guest on a theme: how many of its published lessons they give, and those
    loaded, the strongest first (the most published quotes, then the latest)."""

    person: Person
    count: int
    lessons: list[Lesson]

    @property
    def lesson(self) -> Lesson:
        return self.lessons[0]


def voices_on(theme: Theme, most: int, lessons) -> list[Voice]:
    """The `most` people who give the most published lessons under `theme`, the most
    prolific first (`kept.theme_speakers`), each with their lessons of `lessons` (a
    queryset with what the caller shows loaded): a few queries at any size."""
    top = theme_speakers(theme, most)
    loaded = lessons.with_quote_count().in_bulk({pk for _, pks in top for pk in pks})
    people = Person.objects.in_bulk([pid for pid, _ in top])
    voices = []
    for pid, pks in top:
        theirs = sorted(
            (loaded[pk] for pk in pks if pk in loaded), key=lambda one: one.strength, reverse=True
        )
        if pid in people and theirs:
            voices.append(Voice(people[pid], len(pks), theirs))
    return voices


# ---------------------------------------------------------------- one person


def credits_of(person: Person):
    """A person's parts in published videos, newest video first."""
    return (
        Credit.objects.filter(person=person, video__status=Status.PUBLISHED)
        .select_related("video")
        .defer(*(f"video__{name}" for name in VIDEO_LONG_FIELDS))
        .order_by("-video__published_on", "video_id", "role")
    )


def themes_of(person: Person, most: int):
    """The themes a person gives the most published lessons under, with `said`: how many."""
    return (
        Theme.objects.filter(lesson_items__content_object__in=Lesson.objects.published().by(person))
        .annotate(said=Count("lesson_items", distinct=True))
        .alphabetical("-said")[:most]
    )


def has_published(person: Person) -> bool:
    return Person.objects.published().filter(pk=person.pk).exists()


# ---------------------------------------------------------------- slugs, old and new

# What keeps each model's old slugs.
REDIRECTS = {Theme: ThemeRedirect, Person: PersonRedirect}


@dataclass
class Found:
    """What a slug names: the object with it (`obj`), or the one a renamed or merged one
    became (`moved`, its slug now differs), or neither."""

    obj: Theme | Person | None = None
    moved: Theme | Person | None = None

    @property
    def either(self):
        return self.obj or self.moved


def find(model, slug: str) -> Found:
    """The theme or person with `slug`, or what a renamed or merged one became."""
    found = model.objects.filter(slug=slug).first()
    return Found(found) if found is not None else Found(moved=moved_from(model, slug))


def moved_from(model, old_slug: str):
    """What the theme or person once called `old_slug` is now, if it was renamed or
    merged."""
    target = model._meta.model_name
    moved = REDIRECTS[model].objects.select_related(target).filter(old_slug=old_slug).first()
    return getattr(moved, target) if moved else None


def find_each(model, slugs: list[str]) -> tuple[dict, dict[str, str]]:
    """({slug: object} of those that name one, {old slug: slug now} of the others that
    were renamed or merged): two queries at the most."""
    found = {obj.slug: obj for obj in model.objects.filter(slug__in=slugs)}
    missing = [s for s in slugs if s not in found]
    if not missing:
        return found, {}
    target = f"{model._meta.model_name}__slug"
    redirects = REDIRECTS[model].objects.filter(old_slug__in=missing)
    return found, dict(redirects.values_list("old_slug", target))
