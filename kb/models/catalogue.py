"""The catalogue: videos, their chapters and transcript, and the people in them."""

import math
from urllib.parse import quote

from django.db import models
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Lower

from kb import timecodes
from kb.models.base import ReaderQuerySet, Status, count_per, slug_url


class Role(models.TextChoices):
    GUEST = "guest", "Guest"
    HOST = "host", "Host"


class PersonQuerySet(models.QuerySet):
    def published(self):
        """People readers can see: credited on a published video, or the speaker of a
        published quote."""
        from kb.models.lessons import Quote

        on_video = Credit.objects.filter(video__status=Status.PUBLISHED).values("person_id")
        quoted = Quote.objects.published().exclude(speaker=None).values("speaker_id")
        return self.filter(Q(pk__in=on_video) | Q(pk__in=quoted))

    def with_counts(self):
        """Each person's published videos, lessons and quotes (readers' counts)."""
        from kb.models.lessons import Lesson, Quote

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
        from kb.models.lessons import Lesson, Quote

        return self.annotate(
            lesson_count=count_per(Lesson.objects.published(), "video"),
            quote_count=count_per(Quote.objects.published(), "video"),
        )

    def with_guests(self):
        """Each video's guests in the order it names them, as `guest_credits` (the
        attribute `Lesson.speakers` reads too), each with its person."""
        guests = Credit.objects.filter(role=Role.GUEST).select_related("person")
        return self.prefetch_related(
            models.Prefetch("credits", guests.order_by("position", "pk"), to_attr="guest_credits")
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


# Longer "words" (a URL, a run of letters) are never looked up by a reader's query.
LONGEST_EMPHASISED_WORD = 40


class LineEmphasis(models.Model):
    """A word one transcript line says more than once, and how often: where search finds
    the strongest lines of a word said in too many lines to rank one by one (kb.search).
    Derived from the segments, written with the chapters' texts (`refresh_chapter_texts`)."""

    segment = models.ForeignKey(TranscriptSegment, on_delete=models.CASCADE, related_name="+")
    chapter = models.ForeignKey(
        Chapter, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    word = models.CharField(max_length=LONGEST_EMPHASISED_WORD)
    said = models.PositiveSmallIntegerField()

    class Meta:
        # In the order search reads them (kb.search.moments.emphasised_lines): the first
        # few lines of a word are read straight off the index, not sorted from thousands.
        indexes = [
            models.Index(fields=["word", "-said", "segment"], name="kb_lineemphasis_word_line")
        ]

    def __str__(self):
        return f"{self.word} ×{self.said}"
