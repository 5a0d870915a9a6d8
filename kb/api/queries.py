"""What the API and the MCP tools read: `published()` rows only, whoever asks (no
preview of drafts here), each with what its schema shows loaded up front, so a list
costs the same few queries at any size. Slugs are resolved here too: an old slug of a
renamed or merged theme or person still finds it."""

from collections import defaultdict

from django.db.models import Count, Prefetch

from kb.kept import themes_in_use
from kb.models import (
    VIDEO_LONG_FIELDS,
    Credit,
    Evidence,
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


class Unknown(LookupError):
    """A slug that names nothing readers can see; `str()` says which, for the answer."""


def lessons():
    return (
        Lesson.objects.published()
        .with_video("chapter")
        .defer("imported", "keywords")
        .with_themes()
        .with_people()
        .prefetch_related("takeaways")
    )


def quotes():
    return (
        Quote.objects.published()
        .with_video("chapter", "lesson", "speaker")
        .defer("lesson__body", "lesson__imported", "lesson__keywords")
        .with_themes()
    )


def videos():
    credits = Credit.objects.select_related("person").order_by("role", "position", "pk")
    return (
        Video.objects.published()
        .with_counts()
        .defer(*VIDEO_LONG_FIELDS)
        .prefetch_related(Prefetch("credits", credits))
    )


def themes():
    return themes_in_use()


def people():
    return Person.objects.published().with_counts()


def insights():
    return Insight.objects.published().with_counts().prefetch_related("themes")


def evidence(insight: Insight):
    return insight.evidence.published().for_page().order_by("position", "pk")


def evidence_of(insights: list[Insight]) -> dict[int, list[Evidence]]:
    """The published voices of several insights at once, by insight id."""
    voices = defaultdict(list)
    for voice in (
        Evidence.objects.published()
        .filter(insight__in=insights)
        .for_page()
        .order_by("insight_id", "position", "pk")
    ):
        voices[voice.insight_id].append(voice)
    return voices


def _found(model, redirects, slug: str, what: str):
    found = model.objects.filter(slug=slug).first()
    if found is None:
        target = model._meta.model_name
        moved = redirects.objects.select_related(target).filter(old_slug=slug).first()
        found = getattr(moved, target) if moved else None
    if found is None:
        raise Unknown(f"no {what} {slug!r}")
    return found


def theme(slug: str) -> Theme:
    return _found(Theme, ThemeRedirect, slug, "theme")


def person(slug: str) -> Person:
    """Someone with something published (a person nobody can read about is unknown)."""
    found = _found(Person, PersonRedirect, slug, "person")
    if not Person.objects.published().filter(pk=found.pk).exists():
        raise Unknown(f"no person {slug!r}")
    return found


def video(slug: str) -> Video:
    found = Video.objects.published().filter(slug=slug).first()
    if found is None:
        raise Unknown(f"no video {slug!r}")
    return found


def lessons_filtered(themes_: list[Theme], by: Person | None, in_video: Video | None):
    """Lessons under every one of `themes_`, given by `by`, from `in_video`: the site's
    /lessons/ filters."""
    found = lessons()
    for one in themes_:
        found = found.under(one)
    if by is not None:
        found = found.by(by)
    if in_video is not None:
        found = found.filter(video=in_video)
    return found


def quotes_filtered(theme_: Theme | None, by: Person | None):
    found = quotes()
    if theme_ is not None:
        found = found.under(theme_)
    if by is not None:
        found = found.filter(speaker=by)
    return found


def person_videos(one: Person):
    return (
        Credit.objects.filter(person=one, video__status=Status.PUBLISHED)
        .select_related("video")
        .defer(*(f"video__{name}" for name in VIDEO_LONG_FIELDS))
        .order_by("-video__published_on", "video_id", "role")
    )


def person_themes(one: Person, most: int):
    return (
        Theme.objects.filter(lesson_items__content_object__in=Lesson.objects.published().by(one))
        .annotate(said=Count("lesson_items", distinct=True))
        .alphabetical("-said")[:most]
    )
