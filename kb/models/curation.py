"""Curation: what the machine suggests (passages for quotes, themes, drafted lessons,
insights) for editors to keep, accept or dismiss."""

from django.db import models
from django.db.models import F, Q

from kb import timecodes
from kb.models.catalogue import Chapter, Video
from kb.models.insights import Insight, Stance
from kb.models.lessons import Lesson, Quote
from kb.models.themes import Theme


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
