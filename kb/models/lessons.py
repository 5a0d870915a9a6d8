"""Lessons, their takeaways, and the quotes curated from a video's transcript.

Visibility to readers is decided in one place per model: its queryset's
`published()`. Every public view, feed, sitemap and search goes through it.
"""

import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Prefetch, Q
from django.urls import reverse
from django.utils.text import Truncator
from taggit.managers import TaggableManager

from kb.models.base import ReaderQuerySet, Status, ThemedQuerySet, count_per, slug_url
from kb.models.catalogue import Chapter, Credit, Person, Role, Video
from kb.models.themes import LessonTheme, QuoteTheme, Theme, themes_of, with_theme_links

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
