"""The knowledge base: videos, their chapters and transcript, and the lessons and
quotes curated from them.

Visibility to readers is decided in one place per model: its queryset's
`published()`. Every public view, feed, sitemap and search goes through it.
"""

import functools
import heapq
import math
import re
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Lower
from django.urls import get_script_prefix, reverse
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.text import Truncator, slugify
from taggit.managers import TaggableManager
from taggit.models import NaturalKeyManager, TagBase, TaggedItemBase

from kb import timecodes


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


@functools.cache
def _slug_pattern(name: str, prefix: str) -> str:
    return reverse(name, kwargs={"slug": "__slug__"})


def slug_url(name: str, slug: str) -> str:
    """`reverse(name, kwargs={"slug": slug})`, at a fraction of the cost: list pages make
    hundreds of these. Quoted as `reverse` quotes."""
    return _slug_pattern(name, get_script_prefix()).replace(
        "__slug__", quote(slug, safe=RFC3986_SUBDELIMS + "/~:@")
    )


def unique_slug(model, text: str, fallback: str, max_length: int = 80) -> str:
    """A slug for `text` not yet used by `model` (suffixed -2, -3... on collision).

    Slugs are assigned once and then kept, so links stay stable when a title is edited.
    """
    base = slugify(text)[:max_length].strip("-") or fallback
    taken = set(model._default_manager.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug


# A video's long texts: only its own page shows them, never a list of its lessons or quotes.
VIDEO_LONG_FIELDS = ("description", "intro", "conclusion", "resources", "imported")


class ReaderQuerySet(models.QuerySet):
    """`published()` says what readers may see; staff may also preview drafts."""

    def visible_to(self, user):
        return self.all() if user.is_staff else self.published()

    def with_video(self, *related):
        """Joined with their video (and `related`), leaving out the video's long texts."""
        return self.select_related("video", *related).defer(
            *(f"video__{name}" for name in VIDEO_LONG_FIELDS)
        )


class ThemedQuerySet(ReaderQuerySet):
    """Lessons and quotes: filed under themes."""

    def under(self, theme):
        """Those filed under `theme`. A test of each row's link, not a join: in date order
        the first page is found after a few rows, where joining a theme's thousands of
        links meant sorting them all (SQLite; PostgreSQL plans both alike)."""
        links = self.model.tags.through.objects.filter(content_object_id=OuterRef("pk"))
        return self.filter(Exists(links.filter(tag=theme)))


def count_per(published: models.QuerySet, field: str):
    """How many rows of `published` point at the outer row through `field`: a subquery,
    so a list counts for every row at once, from readers' own definition of visible."""
    per_row = (
        published.filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(n=Count("pk", distinct=True))
        .values("n")[:1]
    )
    return Coalesce(Subquery(per_row), 0)


def kept_per_version(name: str, compute):
    """`compute()`, once per content version per process (kb.search.meaning.kept)."""
    from kb.cache import content_version
    from kb.search import meaning

    return meaning.kept(name, content_version(), compute)


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


@dataclass
class PublishedThemes:
    """How the published lessons are filed, read once per content version per process
    (see `published_themes`): what the theme and lesson pages rank by, without grouping
    a theme's thousands of lessons on every request."""

    themes_of: dict[int, tuple[int, ...]]  # lesson id: its themes
    lessons_of: dict[int, list[int]]  # theme id: its lessons, newest video first
    newness: dict[int, int]  # lesson id: its place in that order (0 is the newest)
    pairs: dict[int, Counter]  # theme id: {other theme id: lessons filed under both}


def published_themes() -> PublishedThemes:
    return kept_per_version("published themes", _read_published_themes)


def _read_published_themes() -> PublishedThemes:
    links = LessonTheme.objects.filter(content_object__in=Lesson.objects.published()).order_by(
        "-content_object__video__published_on",
        "content_object__video_id",
        "content_object__position",
        "content_object_id",
    )
    themes_of, lessons_of = defaultdict(list), defaultdict(list)
    for lesson_id, tag_id in links.values_list("content_object_id", "tag_id"):
        themes_of[lesson_id].append(tag_id)
        lessons_of[tag_id].append(lesson_id)
    pairs = defaultdict(Counter)
    for tags in themes_of.values():
        for one in tags:
            pairs[one].update(other for other in tags if other != one)
    return PublishedThemes(
        {pk: tuple(tags) for pk, tags in themes_of.items()},
        dict(lessons_of),
        {pk: n for n, pk in enumerate(themes_of)},
        dict(pairs),
    )


def published_theme_pairs() -> dict[int, Counter]:
    """{theme id: Counter({other theme id: published lessons filed under both})}."""
    return published_themes().pairs


def theme_speakers(theme: "Theme", most: int) -> list[tuple[int, list[int]]]:
    """The `most` people who give the most published lessons under `theme`, each with
    those lessons' ids (`Lesson.speakers`' rule), the most prolific first: worked out for
    every theme at once, once per content version per process."""
    ranked = kept_per_version("theme speakers", _rank_theme_speakers)
    return ranked.get(theme.pk, [])[:most]


# People kept per theme for `theme_speakers` (pages show a dozen).
SPEAKERS_KEPT = 30


def _rank_theme_speakers() -> dict[int, list[tuple[int, list[int]]]]:
    themes_of = published_themes().themes_of
    per_theme = defaultdict(lambda: defaultdict(list))
    for person_id, pks in Lesson.objects.published().ids_by_speaker().items():
        for pk in pks:
            for tag_id in themes_of.get(pk, ()):
                per_theme[tag_id][person_id].append(pk)
    return {
        tag_id: sorted(people.items(), key=lambda item: (-len(item[1]), item[0]))[:SPEAKERS_KEPT]
        for tag_id, people in per_theme.items()
    }


class ThemeQuerySet(models.QuerySet):
    def neighbours_of(self, theme: "Theme", most: int = 12) -> list["Theme"]:
        """The themes sharing the most published lessons with `theme` (then by name),
        each with `shared`: how many."""
        shared = published_theme_pairs().get(theme.pk, Counter())
        found = list(self.filter(pk__in=list(shared)))
        for other in found:
            other.shared = shared[other.pk]
        found.sort(key=lambda other: (-other.shared, other.name.lower(), other.name))
        return found[:most]

    def alphabetical(self, *first):
        """By name as a reader reads it: "asking for help" before "Prioritization"."""
        return self.order_by(*first, Lower("name"), "name")

    def with_counts(self):
        """Each theme's number of published lessons and quotes (readers' counts).

        Counted for every theme at once in one grouped query (run here), then attached
        to the rows as values: a count subquery per theme, run again wherever the
        counts filter or order, costs a knowledge base of ten thousand talks most of a
        second on its home page."""
        lessons, quotes = published_theme_counts()
        return self._with(lessons, quotes)

    def in_use(self):
        """Themes with something published under them, with their counts."""
        lessons, quotes = published_theme_counts()
        return self.filter(pk__in=set(lessons) | set(quotes))._with(lessons, quotes)

    def _with(self, lessons: dict[int, int], quotes: dict[int, int]):
        def value_of(counts):
            return Case(
                *(When(pk=pk, then=Value(n)) for pk, n in counts.items()),
                default=Value(0),
                output_field=models.IntegerField(),
            )

        return self.annotate(lesson_count=value_of(lessons), quote_count=value_of(quotes))


class ThemeManager(NaturalKeyManager.from_queryset(ThemeQuerySet)):
    pass


class Theme(TagBase):
    """A career theme (a taggit tag) that lessons and quotes are filed under."""

    description = models.TextField(blank=True)
    cues = models.JSONField(
        default=list,
        blank=True,
        help_text="Words and phrases that suggest this theme when found in a lesson.",
    )

    objects = ThemeManager()

    class Meta:
        ordering = [Lower("name"), "name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="kb_theme_name_ci_unique"),
        ]

    def get_absolute_url(self):
        return slug_url("kb:theme", self.slug)


def themes_of(item) -> list[Theme]:
    """A lesson's or quote's themes by name: given by `give_published_themes`, or the links
    `with_themes()` preloaded (as `theme_links`), else one query."""
    themes = getattr(item, "kept_themes", None)
    if themes is None:
        links = getattr(item, "theme_links", None)
        themes = [link.tag for link in links] if links is not None else list(item.tags.all())
    return sorted(themes, key=lambda theme: theme.name.lower())


def give_published_themes(lessons) -> None:
    """Give published lessons their themes from what is kept per content version
    (`published_themes`), without a query: for pages that show only published lessons,
    picked one by one (search results). A draft's themes are not kept: not for these."""
    filed = published_themes().themes_of
    by_id = kept_per_version("themes by id", Theme.objects.in_bulk)
    for lesson in lessons:
        lesson.kept_themes = [by_id[pk] for pk in filed.get(lesson.pk, ()) if pk in by_id]


def with_theme_links(queryset, links_model):
    """`queryset` with each row's theme links and their themes in one query, for
    `themes_of`; cheaper than taggit's own `prefetch_related("tags")`."""
    links = links_model.objects.select_related("tag")
    name = f"{links_model._meta.model_name}_set"
    return queryset.prefetch_related(Prefetch(name, links, to_attr="theme_links"))


class LessonTheme(TaggedItemBase):
    content_object = models.ForeignKey("Lesson", on_delete=models.CASCADE)
    tag = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="lesson_items")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="kb_lessontheme_unique")
        ]


class QuoteTheme(TaggedItemBase):
    content_object = models.ForeignKey("Quote", on_delete=models.CASCADE)
    tag = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="quote_items")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="kb_quotetheme_unique")
        ]


class Role(models.TextChoices):
    GUEST = "guest", "Guest"
    HOST = "host", "Host"


class PersonQuerySet(models.QuerySet):
    def published(self):
        """People readers can see: credited on a published video, or the speaker of a
        published quote."""
        on_video = Credit.objects.filter(video__status=Status.PUBLISHED).values("person_id")
        quoted = Quote.objects.published().exclude(speaker=None).values("speaker_id")
        return self.filter(Q(pk__in=on_video) | Q(pk__in=quoted))

    def with_counts(self):
        """Each person's published videos, lessons and quotes (readers' counts)."""
        return self.annotate(
            video_count=count_per(Credit.objects.filter(video__status=Status.PUBLISHED), "person"),
            lesson_count=Coalesce(
                Subquery(
                    Lesson.objects.published()
                    .by(OuterRef("pk"))
                    .order_by()
                    .annotate(one=models.Value(1))
                    .values("one")
                    .annotate(n=Count("pk", distinct=True))
                    .values("n")[:1]
                ),
                0,
            ),
            quote_count=count_per(Quote.objects.published(), "speaker"),
        )


class Person(models.Model):
    """A guest or host: everything they said, across videos, on one page."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    bio = models.TextField(blank=True, help_text="A sentence or two: who they are.")
    link = models.URLField(blank=True, help_text="Their website or profile.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = [Lower("name"), "name"]
        verbose_name_plural = "people"
        constraints = [
            models.UniqueConstraint(Lower("name"), name="kb_person_name_ci_unique"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return slug_url("kb:person", self.slug)


class PersonRedirect(models.Model):
    """An old person address that now leads to another person (a merge or a rename)."""

    old_slug = models.SlugField(max_length=100, unique=True)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="redirects")

    def __str__(self):
        return f"/people/{self.old_slug}/ → {self.person.slug}"


class Credit(models.Model):
    """A person's part in a video: guest or host, in the order the video names them."""

    video = models.ForeignKey("Video", on_delete=models.CASCADE, related_name="credits")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="credits")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.GUEST)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["video_id", "role", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["video", "person", "role"], name="kb_credit_one_role_each"
            ),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="kb_credit_role_valid"),
        ]

    def __str__(self):
        return f"{self.person} ({self.get_role_display().lower()})"


class VideoQuerySet(ReaderQuerySet):
    def published(self):
        return self.filter(status=Status.PUBLISHED)

    def with_counts(self):
        """Each video's number of published lessons and quotes."""
        return self.annotate(
            lesson_count=count_per(Lesson.objects.published(), "video"),
            quote_count=count_per(Quote.objects.published(), "video"),
        )


class Video(models.Model):
    slug = models.SlugField(max_length=100, unique=True)
    title = models.CharField(max_length=300)
    channel = models.CharField(max_length=200, blank=True)
    published_on = models.DateField(null=True, blank=True)
    duration_seconds = models.PositiveIntegerField()
    youtube_id = models.CharField(
        "YouTube id", max_length=11, blank=True, help_text="The 11 characters after watch?v="
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    headline = models.CharField(max_length=500, blank=True)
    description = models.TextField(blank=True, help_text="YouTube's own description of it.")
    intro = models.TextField(blank=True)
    conclusion = models.TextField(blank=True)
    resources = models.JSONField(default=list, blank=True)
    transcript_exact = models.BooleanField(
        default=False, help_text="The transcript has real cue times, not estimated ones."
    )
    people = models.ManyToManyField(Person, through=Credit, related_name="videos", blank=True)

    import_key = models.CharField(
        max_length=64,
        blank=True,
        editable=False,
        help_text="The import identity: a hash of the page header's title, channel, date and "
        "length. Re-imports find their video by it (or by YouTube id), never by slug.",
    )
    source_hash = models.CharField(max_length=64, blank=True, editable=False)
    imported = models.JSONField(default=dict, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = VideoQuerySet.as_manager()

    class Meta:
        ordering = ["-published_on", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["youtube_id"],
                condition=~Q(youtube_id=""),
                name="kb_video_youtube_id_unique",
            ),
            # One video per identity and YouTube id: two imports of one new page at once
            # make one video, and the second finds it.
            models.UniqueConstraint(
                fields=["import_key", "youtube_id"],
                condition=~Q(import_key=""),
                name="kb_video_import_identity_unique",
            ),
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="kb_video_status_valid"
            ),
        ]
        indexes = [models.Index(fields=["status", "-published_on"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return slug_url("kb:video", self.slug)

    @property
    def is_published(self) -> bool:
        return self.status == Status.PUBLISHED

    @property
    def duration_display(self) -> str:
        return timecodes.format_timecode(self.duration_seconds)

    @property
    def youtube_url(self) -> str:
        return f"https://www.youtube.com/watch?v={self.youtube_id}" if self.youtube_id else ""

    def moment_url(self, seconds: float, site: str = "") -> str:
        """Where a reader hears `seconds` into this video: YouTube at that second when the id
        is known, else the transcript's anchor for that second (under `site`, when given,
        for links read away from the site: feeds, decks, notes)."""
        second = int(seconds)
        if self.youtube_id:
            return f"{self.youtube_url}&t={second}s"
        return site + slug_url("kb:transcript", self.slug) + f"#t-{second}"

    def embed_url(self, start: float, end: float | None = None) -> str:
        """The privacy-enhanced player from `start` (whole seconds), stopping at `end` (rounded
        up, so the last word is heard); empty without a YouTube id."""
        if not self.youtube_id:
            return ""
        youtube_id = quote(self.youtube_id, safe="")
        url = f"https://www.youtube-nocookie.com/embed/{youtube_id}?autoplay=1&start={int(start)}"
        if end is not None and math.ceil(end) > int(start):
            url += f"&end={math.ceil(end)}"
        return url


class ChapterQuerySet(ReaderQuerySet):
    def published(self):
        return self.filter(video__status=Status.PUBLISHED)


class Chapter(models.Model):
    video = models.ForeignKey(Video, on_delete=models.CASCADE, related_name="chapters")
    title = models.CharField(max_length=300)
    start_seconds = models.PositiveIntegerField()

    objects = ChapterQuerySet.as_manager()

    class Meta:
        ordering = ["video_id", "start_seconds"]
        constraints = [
            models.UniqueConstraint(
                fields=["video", "start_seconds"], name="kb_chapter_one_per_start"
            ),
        ]

    def __str__(self):
        return f"{timecodes.format_timecode(self.start_seconds)} {self.title}"

    def get_absolute_url(self):
        return slug_url("kb:transcript", self.video.slug) + (f"#t-{self.start_seconds}")


class TranscriptSegmentQuerySet(ReaderQuerySet):
    def published(self):
        return self.filter(video__status=Status.PUBLISHED)


class TranscriptSegment(models.Model):
    video = models.ForeignKey(Video, on_delete=models.CASCADE, related_name="segments")
    chapter = models.ForeignKey(
        Chapter, on_delete=models.SET_NULL, null=True, blank=True, related_name="segments"
    )
    start_seconds = models.FloatField()
    end_seconds = models.FloatField()
    text = models.TextField()
    exact = models.BooleanField(
        default=False, help_text="From a timed transcript, not interpolated."
    )
    speaker = models.ForeignKey(
        "Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="segments",
        help_text="Who says it, when the transcript names them.",
    )

    objects = TranscriptSegmentQuerySet.as_manager()

    class Meta:
        ordering = ["video_id", "start_seconds", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_seconds__gte=0), name="kb_segment_start_nonnegative"
            ),
            models.CheckConstraint(
                condition=Q(end_seconds__gte=F("start_seconds")), name="kb_segment_end_after_start"
            ),
        ]
        indexes = [models.Index(fields=["video", "start_seconds"])]

    def __str__(self):
        return f"{timecodes.format_timecode(self.start_seconds)} {self.text[:60]}"


MACHINE_DRAFT_UNPUBLISHED = (
    "A machine draft can't be published: accept it first (it then becomes an ordinary draft)."
)


class LessonQuerySet(ThemedQuerySet):
    def published(self):
        return self.filter(status=Status.PUBLISHED, video__status=Status.PUBLISHED)

    def with_themes(self):
        """Load each lesson's themes in one query, for `Lesson.themes`.

        Cheaper than taggit's own `prefetch_related("tags")` (a third of the time on a
        page of twenty lessons), which list pages feel.
        """
        return with_theme_links(self, LessonTheme)

    def by(self, person):
        """Lessons a person gives: set on the lesson, or, where none is, the video's guests."""
        return self.filter(
            Q(people=person)
            | Q(people=None, video__credits__person=person, video__credits__role=Role.GUEST)
        ).distinct()

    def with_people(self):
        """Load each lesson's own people and its video's guests, for `Lesson.speakers`."""
        guests = Credit.objects.filter(role=Role.GUEST).select_related("person")
        return self.prefetch_related(
            "people", Prefetch("video__credits", guests, to_attr="guest_credits")
        )

    def with_quote_count(self):
        return self.annotate(quote_count=count_per(Quote.objects.published(), "lesson"))

    def with_published_quotes(self, *related):
        """Load each lesson's published quotes as `published_quotes` (see below)."""
        return self.prefetch_related(published_quotes_of("quotes", *related))

    def for_notes(self):
        """With all a lesson's note shows away from the site (an Anki deck, a Markdown
        note): video, themes, people, takeaways, published quotes; in video order."""
        return (
            self.with_video()
            .with_themes()
            .with_people()
            .prefetch_related("takeaways")
            .with_published_quotes()
            .order_by("video_id", "position", "pk")
        )

    def ids_by_speaker(self) -> dict[int, list[int]]:
        """Each speaker's lesson ids among these: `Lesson.speakers`' rule (a lesson's own
        people, else its video's guests) read from plain values in two queries, since
        asking each lesson of a big theme for its speakers is several times slower."""
        own, videos = defaultdict(set), {}
        for pk, video_id, person_id in self.values_list("pk", "video_id", "people"):
            videos[pk] = video_id
            if person_id:
                own[pk].add(person_id)
        guests = defaultdict(set)
        # The videos as a subquery, not a list of their ids: a big theme's thousands of
        # ids cost PostgreSQL more to plan than the query, and SQLite caps parameters.
        without = self.filter(people=None).order_by().values("video_id")
        for video_id, person_id in Credit.objects.filter(
            video_id__in=without, role=Role.GUEST
        ).values_list("video_id", "person_id"):
            guests[video_id].add(person_id)
        by_person = defaultdict(list)
        for pk, video_id in videos.items():
            for person_id in own.get(pk) or guests.get(video_id, ()):
                by_person[person_id].append(pk)
        return by_person

    def related_to(self, lesson: "Lesson", limit: int = 5) -> list["Lesson"]:
        """Lessons, across videos, sharing the most themes and then the most words."""
        theme_ids = [theme.pk for theme in lesson.themes]
        if not theme_ids:
            return []
        # Counted from how the published lessons are filed, kept per content version:
        # grouping every lesson of a big theme by lesson on each request costs tens of
        # milliseconds at thousands of videos.
        filed = published_themes()
        shared = Counter()
        for theme_id in theme_ids:
            shared.update(filed.lessons_of.get(theme_id, ()))
        shared.pop(lesson.pk, None)
        best = heapq.nsmallest(limit * 6, shared, key=lambda pk: (-shared[pk], filed.newness[pk]))
        loaded = self.in_bulk(best)
        candidates = [loaded[pk] for pk in best if pk in loaded]
        for other in candidates:
            other.shared = shared[other.pk]
        mine = set(lesson.keywords.split())

        def closeness(other):
            theirs = set(other.keywords.split())
            overlap = len(mine & theirs) / len(mine | theirs) if mine | theirs else 0.0
            return other.shared + 2 * overlap

        return sorted(candidates, key=closeness, reverse=True)[:limit]


def published_quotes_of(lookup: str, *related) -> Prefetch:
    """Lessons' published quotes (through `lookup`) as `published_quotes`, in the order
    they were said, each with its video, its speaker and `related`."""
    quotes = Quote.objects.published().with_video("speaker", *related)
    return Prefetch(lookup, quotes.order_by("start_seconds", "pk"), to_attr="published_quotes")


class Lesson(models.Model):
    """One section of a video's summary: a piece of advice with its takeaways."""

    video = models.ForeignKey(Video, on_delete=models.CASCADE, related_name="lessons")
    chapter = models.ForeignKey(
        Chapter, on_delete=models.SET_NULL, null=True, blank=True, related_name="lessons"
    )
    slug = models.SlugField(max_length=100, unique=True)
    title = models.CharField(max_length=300)
    body = models.TextField(
        blank=True,
        help_text="Paragraphs separated by a blank line; lines starting '- ' or '1. ' are lists.",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    start_seconds = models.FloatField(null=True, blank=True)
    position = models.PositiveIntegerField(default=0)
    import_key = models.CharField(max_length=200, blank=True, editable=False)
    imported = models.JSONField(default=dict, blank=True, editable=False)
    keywords = models.TextField(
        blank=True, editable=False, help_text="Distinctive words, for finding related lessons."
    )
    machine_draft = models.BooleanField(
        default=False,
        editable=False,
        help_text="Drafted by the machine from the transcript alone (kb.importers.drafts) and "
        "not yet accepted by an editor: it can't be published until it is.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    people = models.ManyToManyField(
        Person,
        blank=True,
        related_name="lessons",
        help_text="Who gives this advice, when not the video's guests (the host, one of two).",
    )
    tags = TaggableManager(through=LessonTheme, blank=True, verbose_name="themes")
    objects = LessonQuerySet.as_manager()

    class Meta:
        ordering = ["video_id", "position"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="kb_lesson_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(start_seconds__gte=0), name="kb_lesson_start_nonnegative"
            ),
            models.UniqueConstraint(
                fields=["video", "import_key"],
                condition=~Q(import_key=""),
                name="kb_lesson_import_key_unique",
            ),
            # A machine draft is never published by itself: an editor accepts it first
            # (kb.curation.accept_draft), whatever path would publish it.
            models.CheckConstraint(
                condition=~Q(machine_draft=True, status=Status.PUBLISHED),
                name="kb_lesson_machine_draft_unpublished",
                violation_error_message=MACHINE_DRAFT_UNPUBLISHED,
            ),
        ]
        indexes = [
            models.Index(fields=["status", "video", "position"]),
            # The newest first (feeds): read in order instead of sorting every lesson.
            models.Index(fields=["created_at"]),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return slug_url("kb:lesson", self.slug)

    def clean(self):
        # Also where the status is the only field of a form (the lessons list's column),
        # which validates no constraint on a field it does not show.
        if self.machine_draft and self.status == Status.PUBLISHED:
            raise ValidationError({"status": MACHINE_DRAFT_UNPUBLISHED})

    @property
    def is_published(self) -> bool:
        return self.status == Status.PUBLISHED and self.video.status == Status.PUBLISHED

    @property
    def strength(self) -> tuple:
        """How well it stands for its speaker (the higher the better): most published
        quotes behind it, then the latest. Needs `with_quote_count()`."""
        return (self.quote_count, self.video.published_on or self.created_at.date(), -self.pk)

    @property
    def themes(self) -> list[Theme]:
        """The lesson's themes by name: preloaded by `with_themes()`, else one query."""
        return themes_of(self)

    def body_blocks(self) -> list["BodyBlock"]:
        return parse_body(self.body)

    @property
    def speakers(self) -> list["Person"]:
        """Who gives the lesson: its own people, else its video's guests (`with_people()`)."""
        own = list(self.people.all())
        if own:
            return own
        credits = getattr(self.video, "guest_credits", None)
        if credits is None:
            credits = self.video.credits.filter(role=Role.GUEST).select_related("person")
        return [credit.person for credit in credits]


@dataclass
class BodyBlock:
    kind: str  # "p", "ul" or "ol"
    text: str = ""
    items: list[str] = field(default_factory=list)


LIST_ITEM = re.compile(r"^\s*(?:(?P<bullet>[-•*])|(?P<number>\d{1,3})[.)])\s+(?P<text>.+)$")


def parse_body(body: str) -> list[BodyBlock]:
    """A lesson body as editors write it: paragraphs apart, `- ` and `1. ` lines as lists."""
    blocks: list[BodyBlock] = []
    for chunk in re.split(r"\n\s*\n", body.strip()):
        paragraph: list[str] = []
        for line in chunk.splitlines():
            item = LIST_ITEM.match(line)
            if not item:
                paragraph.append(line.strip())
                continue
            if paragraph:
                blocks.append(BodyBlock("p", text=" ".join(paragraph)))
                paragraph = []
            kind = "ol" if item.group("number") else "ul"
            if blocks and blocks[-1].kind == kind:
                blocks[-1].items.append(item.group("text").strip())
            else:
                blocks.append(BodyBlock(kind, items=[item.group("text").strip()]))
        if any(paragraph):
            blocks.append(BodyBlock("p", text=" ".join(p for p in paragraph if p)))
    return blocks


class TakeawayQuerySet(ReaderQuerySet):
    def published(self):
        return self.filter(lesson__status=Status.PUBLISHED, lesson__video__status=Status.PUBLISHED)


class Takeaway(models.Model):
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="takeaways")
    text = models.TextField()
    position = models.PositiveIntegerField(default=0)
    start_seconds = models.FloatField(null=True, blank=True)
    score = models.FloatField(
        null=True, blank=True, editable=False, help_text="How well the transcript there matches."
    )
    confirmed = models.BooleanField(
        default=False, help_text="An editor checked that the moment says this."
    )

    objects = TakeawayQuerySet.as_manager()

    class Meta:
        ordering = ["lesson_id", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_seconds__gte=0), name="kb_takeaway_start_nonnegative"
            ),
        ]

    def __str__(self):
        return self.text[:80]


class QuoteQuerySet(ThemedQuerySet):
    def published(self):
        return self.filter(status=Status.PUBLISHED, video__status=Status.PUBLISHED)

    def with_themes(self):
        """Load each quote's themes in one query, for `Quote.themes`."""
        return with_theme_links(self, QuoteTheme)


class Quote(models.Model):
    """Verbatim words from a video's transcript, with where they were said."""

    video = models.ForeignKey(Video, on_delete=models.CASCADE, related_name="quotes")
    chapter = models.ForeignKey(
        Chapter, on_delete=models.SET_NULL, null=True, blank=True, related_name="quotes"
    )
    lesson = models.ForeignKey(
        Lesson, on_delete=models.SET_NULL, null=True, blank=True, related_name="quotes"
    )
    text = models.TextField()
    speaker = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="quotes"
    )
    speaker_name = models.CharField(
        max_length=200,
        blank=True,
        help_text="Who said it, while nobody has made them a person (then: speaker).",
    )
    start_seconds = models.FloatField()
    end_seconds = models.FloatField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    tags = TaggableManager(through=QuoteTheme, blank=True, verbose_name="themes")
    objects = QuoteQuerySet.as_manager()

    class Meta:
        ordering = ["video_id", "start_seconds"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="kb_quote_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(start_seconds__gte=0), name="kb_quote_start_nonnegative"
            ),
            models.CheckConstraint(
                condition=Q(end_seconds__gte=F("start_seconds")), name="kb_quote_end_after_start"
            ),
            models.CheckConstraint(condition=~Q(text=""), name="kb_quote_text_not_empty"),
        ]
        indexes = [models.Index(fields=["status", "video", "start_seconds"])]

    def __str__(self):
        # No quotation marks: the admin's messages put their own around it.
        return Truncator(self.text).chars(70)

    def get_absolute_url(self):
        return reverse("kb:quote", args=[self.pk])

    @property
    def in_video_url(self) -> str:
        """The quote among its video's (the video page's anchor)."""
        return slug_url("kb:video", self.video.slug) + f"#quote-{self.pk}"

    @property
    def is_published(self) -> bool:
        return self.status == Status.PUBLISHED and self.video.status == Status.PUBLISHED

    @property
    def shown_lesson(self) -> "Lesson | None":
        """The lesson these words back, while it is published: a draft's title stays hidden."""
        lesson = self.lesson
        return lesson if lesson is not None and lesson.status == Status.PUBLISHED else None

    @property
    def clip_url(self) -> str:
        """YouTube's embed playing just these words: from their start to their end."""
        return self.video.embed_url(self.start_seconds, self.end_seconds)

    @property
    def said_by(self) -> str:
        return self.speaker.name if self.speaker_id else self.speaker_name

    @property
    def themes(self) -> list[Theme]:
        """The quote's themes by name: preloaded by `with_themes()`, else one query."""
        return themes_of(self)


class Suggestion(models.TextChoices):
    OPEN = "open", "Open"
    ACCEPTED = "accepted", "Accepted"
    DISMISSED = "dismissed", "Dismissed"


class QuoteSuggestion(models.Model):
    """A transcript passage proposed as evidence for a lesson, for an editor to accept or dismiss.

    Dismissed suggestions are kept so the same passage is never proposed again.
    """

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="suggestions")
    chapter = models.ForeignKey(
        Chapter, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    text = models.TextField()
    start_seconds = models.FloatField()
    end_seconds = models.FloatField()
    score = models.FloatField(default=0.0)
    rank = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(max_length=10, choices=Suggestion.choices, default=Suggestion.OPEN)
    quote = models.OneToOneField(
        Quote, on_delete=models.SET_NULL, null=True, blank=True, related_name="suggestion"
    )

    class Meta:
        ordering = ["lesson_id", "rank"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_seconds__gte=F("start_seconds")), name="kb_suggestion_span"
            ),
        ]

    def __str__(self):
        return f"{timecodes.format_timecode(self.start_seconds)} “{self.text[:60]}”"


class ThemeSuggestion(models.Model):
    """A theme the importer was not sure enough of to apply (kb.importers.themes), offered
    to editors. Decided ones are kept, so a re-import never offers a dismissed theme again."""

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="theme_suggestions")
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="+")
    confidence = models.FloatField()
    status = models.CharField(max_length=10, choices=Suggestion.choices, default=Suggestion.OPEN)

    class Meta:
        ordering = ["lesson_id", "-confidence", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["lesson", "theme"], name="kb_themesuggestion_unique")
        ]

    def __str__(self):
        return f"{self.theme.name} ({self.confidence:.2f})"

    @property
    def is_open(self) -> bool:
        return self.status == Suggestion.OPEN


class DraftPassage(models.Model):
    """A passage of a video's transcript that the machine drafted a lesson from
    (kb.importers.drafts), and what became of it: open while its draft (`lesson`, a
    machine draft) awaits review, then accepted or dismissed. Kept once decided, so that
    re-drafting the video (`draft_lessons`) never proposes that passage again; a draft an
    editor deleted counts as dismissed."""

    video = models.ForeignKey(Video, on_delete=models.CASCADE, related_name="draft_passages")
    lesson = models.OneToOneField(
        Lesson, on_delete=models.SET_NULL, null=True, blank=True, related_name="draft_passage"
    )
    start_seconds = models.FloatField()
    end_seconds = models.FloatField()
    title = models.CharField(max_length=300, help_text="The title the machine proposed.")
    score = models.FloatField(default=0.0, help_text="How much advice the machine found there.")
    status = models.CharField(max_length=10, choices=Suggestion.choices, default=Suggestion.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["video_id", "start_seconds", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_seconds__gte=F("start_seconds")), name="kb_draftpassage_span"
            ),
            models.CheckConstraint(
                condition=Q(status__in=Suggestion.values), name="kb_draftpassage_status_valid"
            ),
        ]

    def __str__(self):
        span = f"{timecodes.format_timecode(self.start_seconds)}–"
        span += timecodes.format_timecode(self.end_seconds)
        return f"{span} {self.title} ({self.get_status_display().lower()})"

    @property
    def decided(self) -> bool:
        """Accepted or dismissed, or its draft deleted: never proposed again."""
        return self.status != Suggestion.OPEN or self.lesson_id is None


class ChapterTranscript(models.Model):
    """A chapter's whole transcript as one text, for search to rank chapters by.

    Kept by the importer beside the segments, in a table of its own so that the large
    text is never loaded with a chapter.
    """

    chapter = models.OneToOneField(
        Chapter, on_delete=models.CASCADE, primary_key=True, related_name="transcript_text"
    )
    title = models.CharField(max_length=300)
    text = models.TextField(blank=True)

    def __str__(self):
        return f"Transcript of {self.title}"


class ThemeRedirect(models.Model):
    """An old theme address that now leads to another theme (after a merge or a rename)."""

    old_slug = models.SlugField(max_length=100, unique=True, allow_unicode=True)
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="redirects")

    def __str__(self):
        return f"/themes/{self.old_slug}/ → {self.theme.slug}"


class ContentVersion(models.Model):
    """One row whose number changes whenever readers' content may have changed.

    Database triggers (migration 0009) bump it on every write to the knowledge base, from
    any process: the admin, an import, a script. Cached pages are keyed by it, so every
    web worker sees a change on its very next request.
    """

    version = models.BigIntegerField(default=0)
    # Stamped by the database whenever `version` changes (migration 0025): the API's
    # Last-Modified.
    changed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"content version {self.version}"


class PendingImport(models.Model):
    """A file uploaded in the admin, kept on the server between its preview and its
    confirmation (never sent back and forth through the form), and the state of its work.

    In the database, so that any app server behind the load balancer can confirm what
    another previewed. Big files are previewed and imported outside the request; the
    page shows their progress. The file's bytes are dropped once it is imported or fails,
    and rows older than a day are removed. While it is at work, `options["worker"]` names
    the process doing it and `updated_at` is its heartbeat (kb.admin.background).
    """

    class State(models.TextChoices):
        PREVIEWING = "previewing", "Reading the file"
        PREVIEWED = "previewed", "Previewed"
        IMPORTING = "importing", "Importing"
        DONE = "done", "Imported"
        FAILED = "failed", "Failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    name = models.CharField(max_length=255)
    digest = models.CharField(max_length=64, db_index=True)
    data = models.BinaryField(blank=True)
    options = models.JSONField(default=dict)
    state = models.CharField(max_length=12, choices=State.choices, default=State.PREVIEWING)
    progress = models.CharField(max_length=300, blank=True)
    preview = models.JSONField(default=dict, blank=True)
    result = models.TextField(blank=True)
    video = models.ForeignKey(Video, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"{self.name} ({self.get_state_display()})"


class MeaningVector(models.Model):
    """What a lesson, or a window of a video's transcript, is about (kb.search.meaning)."""

    KINDS = [
        ("video", "video"),
        ("lesson", "lesson"),
        ("quote", "quote"),
        ("window", "transcript window"),
        ("pieces", "a lesson's title and takeaways"),
    ]
    kind = models.CharField(max_length=10, choices=KINDS)
    video = models.ForeignKey(Video, on_delete=models.CASCADE, related_name="+")
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, null=True, related_name="+")
    quote = models.ForeignKey("Quote", on_delete=models.CASCADE, null=True, related_name="+")
    chapter = models.ForeignKey(Chapter, on_delete=models.CASCADE, null=True, related_name="+")
    start_seconds = models.FloatField(null=True)
    excerpt = models.CharField(max_length=300, blank=True)
    vector = models.BinaryField()

    class Meta:
        indexes = [models.Index(fields=["kind"])]

    def __str__(self):
        return f"{self.kind} of video {self.video_id}"


class Stance(models.TextChoices):
    SUPPORTS = "supports", "Supports"
    CONTRASTS = "contrasts", "A different view"


class EvidenceQuerySet(models.QuerySet):
    def published(self):
        """Evidence readers may see: its lesson or quote is published, in a published video."""
        return self.filter(
            Q(
                lesson__status=Status.PUBLISHED,
                lesson__video__status=Status.PUBLISHED,
            )
            | Q(quote__status=Status.PUBLISHED, quote__video__status=Status.PUBLISHED)
        )

    def for_page(self):
        """With what a page shows of each voice: video, chapter, people, the quote."""
        guests = Credit.objects.filter(role=Role.GUEST).select_related("person")
        video_fields = [
            f"{side}__video__{name}" for side in ("lesson", "quote") for name in VIDEO_LONG_FIELDS
        ]
        return (
            self.select_related(
                "lesson__video",
                "lesson__chapter",
                "quote__video",
                "quote__speaker",
                "quote__lesson",
            )
            .defer(*video_fields, "lesson__imported", "lesson__keywords")
            .prefetch_related(
                "lesson__people",
                Prefetch("lesson__video__credits", guests, to_attr="guest_credits"),
                published_quotes_of("lesson__quotes"),
            )
        )


class InsightQuerySet(ReaderQuerySet):
    def published(self):
        """Published insights that readers can see a supporting voice of."""
        visible = Evidence.objects.published().filter(
            insight=OuterRef("pk"), stance=Stance.SUPPORTS
        )
        return self.filter(status=Status.PUBLISHED).filter(models.Exists(visible))

    def involving(self, person):
        """Insights a person is a published voice of: a lesson they give, a quote of theirs."""
        theirs = Evidence.objects.published().filter(
            Q(lesson__in=Lesson.objects.by(person).values("pk")) | Q(quote__speaker=person)
        )
        return self.filter(pk__in=theirs.values("insight_id"))

    def supported_by(self, lesson):
        return self.filter(
            pk__in=Evidence.objects.filter(lesson=lesson, stance=Stance.SUPPORTS).values(
                "insight_id"
            )
        )

    def with_counts(self):
        """Each insight's number of published supporting voices and of videos they are from."""
        supports = Evidence.objects.published().filter(stance=Stance.SUPPORTS)
        videos = (
            supports.filter(insight=OuterRef("pk"))
            .order_by()
            .annotate(video=Coalesce("lesson__video_id", "quote__video_id"))
            .values("insight")
            .annotate(n=Count("video", distinct=True))
            .values("n")[:1]
        )
        return self.annotate(
            voice_count=count_per(supports, "insight"),
            video_count=Coalesce(Subquery(videos), 0),
        )


class Insight(models.Model):
    """Advice several videos give: a claim with its evidence, each voice on its moment.
    Proposed by the machine (`InsightProposal`), written and published by editors."""

    title = models.CharField(max_length=300, help_text="The advice, in one line.")
    slug = models.SlugField(max_length=100, unique=True)
    summary = models.TextField(blank=True, help_text="A few sentences: what the guests agree on.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    themes = models.ManyToManyField(Theme, blank=True, related_name="insights")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = InsightQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="kb_insight_status_valid"
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return slug_url("kb:insight", self.slug)

    @property
    def is_published(self) -> bool:
        return self.status == Status.PUBLISHED


class Evidence(models.Model):
    """One voice behind an insight: a lesson or a quote, supporting it or saying otherwise."""

    insight = models.ForeignKey(Insight, on_delete=models.CASCADE, related_name="evidence")
    stance = models.CharField(max_length=10, choices=Stance.choices, default=Stance.SUPPORTS)
    lesson = models.ForeignKey(
        Lesson, on_delete=models.CASCADE, null=True, blank=True, related_name="evidence"
    )
    quote = models.ForeignKey(
        Quote, on_delete=models.CASCADE, null=True, blank=True, related_name="evidence"
    )
    note = models.CharField(max_length=300, blank=True, help_text="One line: what this voice adds.")
    position = models.PositiveSmallIntegerField(default=0)

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        ordering = ["insight_id", "position", "pk"]
        verbose_name_plural = "evidence"
        constraints = [
            models.CheckConstraint(
                condition=Q(lesson__isnull=False, quote__isnull=True)
                | Q(lesson__isnull=True, quote__isnull=False),
                name="kb_evidence_lesson_or_quote",
            ),
            models.CheckConstraint(
                condition=Q(stance__in=Stance.values), name="kb_evidence_stance_valid"
            ),
            models.UniqueConstraint(
                fields=["insight", "lesson"],
                condition=Q(lesson__isnull=False),
                name="kb_evidence_lesson_once",
            ),
            models.UniqueConstraint(
                fields=["insight", "quote"],
                condition=Q(quote__isnull=False),
                name="kb_evidence_quote_once",
            ),
        ]

    def __str__(self):
        return str(self.lesson or self.quote)

    @property
    def video(self) -> Video:
        return self.lesson.video if self.lesson_id else self.quote.video

    @property
    def start_seconds(self) -> float | None:
        return self.lesson.start_seconds if self.lesson_id else self.quote.start_seconds

    @property
    def shown_quote(self) -> "Quote | None":
        """The words said: the quote itself, or the lesson's first published quote
        (loaded by `for_page()`)."""
        if self.quote_id:
            return self.quote
        quotes = getattr(self.lesson, "published_quotes", None)
        return quotes[0] if quotes else None

    @property
    def clip(self) -> tuple[int, int | None] | None:
        """(start, end) seconds of what a reader plays: the words said, else from the
        lesson's moment on; None when there is no moment."""
        said = self.shown_quote
        if said is not None:
            return int(said.start_seconds), int(said.end_seconds + 0.999)
        start = self.start_seconds
        return None if start is None else (int(start), None)

    @property
    def people(self) -> list[Person]:
        if self.quote_id:
            return [self.quote.speaker] if self.quote.speaker_id else []
        return self.lesson.speakers


class ProposalKind(models.TextChoices):
    AGREE = "agree", "Several guests say this"
    DIFFER = "differ", "Guests may disagree"


class InsightProposal(models.Model):
    """Lessons of different videos that the machine found saying the same thing (or, for
    `differ`, close in topic and opposite in advice), for an editor to accept or dismiss.

    Kept with the signature of its lessons: a dismissed proposal is never made again
    unless its lessons change (kb.insights).
    """

    kind = models.CharField(max_length=10, choices=ProposalKind.choices, default=ProposalKind.AGREE)
    title = models.CharField(max_length=300)
    theme = models.ForeignKey(
        Theme, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    lessons = models.ManyToManyField(Lesson, through="ProposedLesson", related_name="+")
    signature = models.CharField(max_length=64, unique=True, editable=False)
    score = models.FloatField(default=0.0, help_text="How close the lessons are (0–1).")
    status = models.CharField(max_length=10, choices=Suggestion.choices, default=Suggestion.OPEN)
    insight = models.ForeignKey(
        Insight, on_delete=models.SET_NULL, null=True, blank=True, related_name="proposals"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-score", "pk"]
        verbose_name = "insight proposal"

    def __str__(self):
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == Suggestion.OPEN


class ProposedLesson(models.Model):
    """A lesson in a proposal, in order: the most central first; for `differ`, the
    second says otherwise."""

    proposal = models.ForeignKey(InsightProposal, on_delete=models.CASCADE, related_name="members")
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)
    stance = models.CharField(max_length=10, choices=Stance.choices, default=Stance.SUPPORTS)

    class Meta:
        ordering = ["proposal_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "lesson"], name="kb_proposedlesson_once")
        ]

    def __str__(self):
        return str(self.lesson)
