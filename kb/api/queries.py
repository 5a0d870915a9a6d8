"""What the API and the MCP tools read: kb.reads' lists (the site's own), with what the
API's schemas show more (a lesson's takeaways, a quote's themes, a video's credits), so
a list costs the same few queries at any size. Slugs a client names are resolved here:
an old slug of a renamed or merged theme or person still finds it; one that names
nothing readers see is `Unknown`."""

from collections import defaultdict

from kb import reads
from kb.models import Evidence, Insight, Person, Theme, Video


class Unknown(LookupError):
    """A slug that names nothing readers can see; `str()` says which, for the answer."""


def lessons():
    return reads.lessons().prefetch_related("takeaways")


def quotes():
    return reads.quotes().with_themes()


videos = reads.videos_with_credits
themes = reads.themes
people = reads.people
insights = reads.insights
evidence = reads.evidence
person_videos = reads.credits_of
person_themes = reads.themes_of


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


def _found(model, slug: str, what: str):
    found = reads.find(model, slug).either
    if found is None:
        raise Unknown(f"no {what} {slug!r}")
    return found


def theme(slug: str) -> Theme:
    return _found(Theme, slug, "theme")


def person(slug: str) -> Person:
    """Someone with something published (a person nobody can read about is unknown)."""
    found = _found(Person, slug, "person")
    if not reads.has_published(found):
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
    return reads.lessons_filtered(themes_, by, in_video).prefetch_related("takeaways")


def quotes_filtered(theme_: Theme | None, by: Person | None):
    return reads.quotes_filtered(theme_, by).with_themes()
