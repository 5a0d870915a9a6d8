"""Insights: advice several videos give, and the evidence for it."""

from django.db import models
from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce

from kb.models.base import VIDEO_LONG_FIELDS, ReaderQuerySet, Status, count_per, slug_url
from kb.models.catalogue import Credit, Person, Role, Video
from kb.models.lessons import Lesson, Quote, published_quotes_of
from kb.models.themes import Theme


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
        """Each insight's number of published supporting voices and of videos they are
        from, and of its published voices that say otherwise."""
        supports = Evidence.objects.published().filter(stance=Stance.SUPPORTS)
        contrasts = Evidence.objects.published().filter(stance=Stance.CONTRASTS)
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
            contrast_count=count_per(contrasts, "insight"),
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
