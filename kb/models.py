"""The knowledge base: videos, their chapters and transcript, and the lessons and
quotes curated from them.

Visibility to readers is decided in one place per model: its queryset's
`published()`. Every public view, feed, sitemap and search goes through it.
"""

from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.text import slugify
from taggit.managers import TaggableManager
from taggit.models import TagBase, TaggedItemBase

from kb import timecodes


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


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


class Theme(TagBase):
    """A career theme (a taggit tag) that lessons and quotes are filed under."""

    description = models.TextField(blank=True)
    cues = models.JSONField(
        default=list,
        blank=True,
        help_text="Words and phrases that suggest this theme when found in a lesson.",
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="kb_theme_name_ci_unique"),
        ]

    def get_absolute_url(self):
        return reverse("kb:theme", kwargs={"slug": self.slug})


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


class VideoQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Status.PUBLISHED)


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
    intro = models.TextField(blank=True)
    conclusion = models.TextField(blank=True)
    resources = models.JSONField(default=list, blank=True)
    transcript_exact = models.BooleanField(
        default=False, help_text="The transcript has real cue times, not estimated ones."
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
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="kb_video_status_valid"
            ),
        ]
        indexes = [models.Index(fields=["status", "-published_on"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("kb:video", kwargs={"slug": self.slug})

    @property
    def is_published(self) -> bool:
        return self.status == Status.PUBLISHED

    @property
    def duration_display(self) -> str:
        return timecodes.format_timecode(self.duration_seconds)


class ChapterQuerySet(models.QuerySet):
    def published(self):
        return self.filter(video__status=Status.PUBLISHED)


class Chapter(models.Model):
    video = models.ForeignKey(Video, on_delete=models.CASCADE, related_name="chapters")
    title = models.CharField(max_length=300)
    start_seconds = models.PositiveIntegerField()

    objects = ChapterQuerySet.as_manager()

    class Meta:
        ordering = ["video", "start_seconds"]
        constraints = [
            models.UniqueConstraint(
                fields=["video", "start_seconds"], name="kb_chapter_one_per_start"
            ),
        ]

    def __str__(self):
        return f"{timecodes.format_timecode(self.start_seconds)} {self.title}"

    def get_absolute_url(self):
        return reverse("kb:transcript", kwargs={"slug": self.video.slug}) + (
            f"#t-{self.start_seconds}"
        )


class TranscriptSegmentQuerySet(models.QuerySet):
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

    objects = TranscriptSegmentQuerySet.as_manager()

    class Meta:
        ordering = ["video", "start_seconds", "id"]
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


class LessonQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Status.PUBLISHED, video__status=Status.PUBLISHED)


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
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    tags = TaggableManager(through=LessonTheme, blank=True, verbose_name="themes")
    objects = LessonQuerySet.as_manager()

    class Meta:
        ordering = ["video", "position"]
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
        ]
        indexes = [models.Index(fields=["status", "video", "position"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("kb:lesson", kwargs={"slug": self.slug})


class TakeawayQuerySet(models.QuerySet):
    def published(self):
        return self.filter(lesson__status=Status.PUBLISHED, lesson__video__status=Status.PUBLISHED)


class Takeaway(models.Model):
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="takeaways")
    text = models.TextField()
    position = models.PositiveIntegerField(default=0)
    start_seconds = models.FloatField(null=True, blank=True)
    import_key = models.CharField(max_length=200, blank=True, editable=False)

    objects = TakeawayQuerySet.as_manager()

    class Meta:
        ordering = ["lesson", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_seconds__gte=0), name="kb_takeaway_start_nonnegative"
            ),
        ]

    def __str__(self):
        return self.text[:80]


class QuoteQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Status.PUBLISHED, video__status=Status.PUBLISHED)


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
    speaker = models.CharField(max_length=200, blank=True)
    start_seconds = models.FloatField()
    end_seconds = models.FloatField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    tags = TaggableManager(through=QuoteTheme, blank=True, verbose_name="themes")
    objects = QuoteQuerySet.as_manager()

    class Meta:
        ordering = ["video", "start_seconds"]
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
        return f"“{self.text[:70]}”"

    def get_absolute_url(self):
        return reverse("kb:video", kwargs={"slug": self.video.slug}) + f"#quote-{self.pk}"
