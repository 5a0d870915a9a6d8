"""The catalogue's admin: videos (with their chapters, credits and lessons), chapters,
the transcript, and people."""

from django import forms
from django.contrib import admin, messages
from django.db.models import BooleanField, Count, ExpressionWrapper
from django.urls import path, reverse
from django.utils.html import format_html

from kb.admin.forms import ChapterForm, PersonForm, VideoForm
from kb.admin.importing import import_status_view, import_view
from kb.admin.shared import (
    KeepsAddresses,
    SafeAutocomplete,
    StatusActions,
    annotation_column,
    frozen,
    moment,
    set_status,
    short,
    theme_names,
)
from kb.admin.start import LESSON_CHECKS
from kb.admin.transcript import transcript_view
from kb.curation import merge_people
from kb.models import (
    Chapter,
    Credit,
    Lesson,
    Person,
    PersonRedirect,
    Quote,
    Status,
    TranscriptSegment,
    Video,
)


class CreditInline(SafeAutocomplete, admin.TabularInline):
    """The video's guests and hosts, in order."""

    model = Credit
    extra = 1
    fields = ["person", "role", "position"]
    autocomplete_fields = ["person"]
    verbose_name = "person"
    verbose_name_plural = "people (guests and hosts)"


class ChapterInline(admin.TabularInline):
    model = Chapter
    form = ChapterForm
    extra = 0
    fields = ["start_seconds", "title"]


class LessonListInline(admin.TabularInline):
    """The video's lessons, read-only, each a link to its own page: what an import made,
    and what is left to check on each."""

    model = Lesson
    fields = ["lesson", "moment_at", "status", "themes", "waiting_for"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = "lessons (open one to edit it)"
    ordering = ["position", "pk"]

    def get_queryset(self, request):
        checks = {
            f"needs_{name}": ExpressionWrapper(check.test, output_field=BooleanField())
            for name, check in LESSON_CHECKS.items()
        }
        return super().get_queryset(request).with_themes().annotate(**checks)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="lesson")
    def lesson(self, obj):
        url = reverse("admin:kb_lesson_change", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.title)

    @admin.display(description="at")
    def moment_at(self, obj):
        return moment(obj.start_seconds)

    @admin.display(description="themes")
    def themes(self, obj):
        return theme_names(obj.themes)

    @admin.display(description="waiting for")
    def waiting_for(self, obj):
        return "; ".join(
            check.short for name, check in LESSON_CHECKS.items() if getattr(obj, f"needs_{name}")
        )


@admin.register(Video)
class VideoAdmin(StatusActions, admin.ModelAdmin):
    form = VideoForm
    # Narrow enough for a 1280 px screen beside the filters.
    list_display = ["short_title", "channel", "date", "status", "lesson_count", "exact"]
    list_filter = ["status", "transcript_exact", "channel"]
    search_fields = ["title", "channel", "slug", "youtube_id"]
    date_hierarchy = "published_on"
    readonly_fields = ["transcript_exact", "source_hash", "created_at", "updated_at"]
    # The summary's long texts folded away, so that the lessons an import made are near
    # the top of the page it lands on.
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title", "slug", "status", "channel", "published_on", "duration_seconds",
                    "youtube_id",
                ]
            },
        ),
        (
            "The summary's texts",
            {"classes": ["collapse"], "fields": ["headline", "intro", "conclusion", "resources"]},
        ),
        (
            "Where it came from",
            {
                "classes": ["collapse"],
                "fields": ["transcript_exact", "source_hash", "created_at", "updated_at"],
            },
        ),
    ]  # fmt: skip
    inlines = [LessonListInline, CreditInline, ChapterInline]
    actions = ["publish", "publish_with_contents", "unpublish"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(lesson_count=Count("lessons"))

    @admin.action(description="Publish selected", permissions=["change"])
    def publish(self, request, queryset):
        super().publish(request, queryset)
        lessons = Lesson.objects.filter(video__in=queryset, status=Status.DRAFT).count()
        quotes = Quote.objects.filter(video__in=queryset, status=Status.DRAFT).count()
        if lessons or quotes:
            self.message_user(
                request,
                f"Readers see these videos now, but not their {lessons} draft lessons and "
                f"{quotes} draft quotes: to publish those too, choose “Publish selected with "
                "their draft lessons and quotes”, or publish them one by one.",
                messages.WARNING,
            )

    @admin.action(
        description="Publish selected with their draft lessons and quotes", permissions=["change"]
    )
    def publish_with_contents(self, request, queryset):
        queryset = frozen(queryset)
        if not all(
            self.admin_site._registry[model].has_change_permission(request)
            for model in (Lesson, Quote)
        ):
            self.message_user(request, "You can't publish lessons and quotes.", messages.ERROR)
            return
        videos = set_status(self, request, queryset, Status.PUBLISHED, "Published")
        counts = [
            set_status(
                self.admin_site._registry[model],
                request,
                # A machine draft is published only once an editor has accepted it.
                rows.filter(machine_draft=False) if model is Lesson else rows,
                Status.PUBLISHED,
                "Published with its video",
            )
            for model in (Lesson, Quote)
            for rows in [model.objects.filter(video__in=queryset)]
        ]
        self.message_user(
            request, f"Published {videos} videos, {counts[0]} lessons and {counts[1]} quotes."
        )
        machine = Lesson.objects.filter(video__in=queryset, machine_draft=True).count()
        if machine:
            self.message_user(
                request,
                f"{machine} machine drafts stay hidden until an editor accepts and publishes "
                "each (Lessons, waiting for: machine drafts to review).",
                messages.WARNING,
            )

    @admin.display(ordering="lesson_count", description="lessons")
    def lesson_count(self, obj):
        return obj.lesson_count

    @admin.display(ordering="title", description="title")
    def short_title(self, obj):
        return short(obj.title, 60)

    @admin.display(ordering="published_on", description="date")
    def date(self, obj):
        return obj.published_on.isoformat() if obj.published_on else None

    @admin.display(ordering="transcript_exact", description="exact", boolean=True)
    def exact(self, obj):
        return obj.transcript_exact

    def get_urls(self):
        def view(function):
            return self.admin_site.admin_view(
                lambda request, **kwargs: function(self, request, **kwargs)
            )

        return [
            path("import/", view(import_view), name="kb_video_import"),
            path("import/<uuid:job_id>/", view(import_status_view), name="kb_video_import_status"),
            path("<int:video_id>/transcript/", view(transcript_view), name="kb_video_transcript"),
            *super().get_urls(),
        ]


@admin.register(Chapter)
class ChapterAdmin(SafeAutocomplete, admin.ModelAdmin):
    form = ChapterForm
    fields = ["video", "title", "start_seconds"]
    list_display = ["title", "video", "at"]
    list_select_related = ["video"]
    list_filter = ["video"]
    search_fields = ["title", "video__title"]
    autocomplete_fields = ["video"]

    @admin.display(ordering="start_seconds")
    def at(self, obj):
        return moment(obj.start_seconds)


@admin.register(TranscriptSegment)
class TranscriptSegmentAdmin(admin.ModelAdmin):
    """Read-only: the transcript comes from imports; quotes are cut from it (video page)."""

    list_display = ["at", "text", "video", "chapter", "exact"]
    list_select_related = ["video", "chapter"]
    list_filter = ["exact", "video"]
    search_fields = ["text"]

    @admin.display(ordering="start_seconds")
    def at(self, obj):
        return moment(obj.start_seconds)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class PersonMergeForm(forms.Form):
    target = forms.ModelChoiceField(
        Person.objects.all(), label="Merge into", help_text="The person who stays."
    )


@admin.register(Person)
class PersonAdmin(KeepsAddresses, admin.ModelAdmin):
    form = PersonForm
    list_display = ["name", "video_count", "own_lessons", "quote_count"]
    search_fields = ["name", "bio"]
    prepopulated_fields = {"slug": ["name"]}
    actions = ["merge"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                video_count=Count("credits__video", distinct=True),
                own_lessons=Count("lessons", distinct=True),
                quote_count=Count("quotes", distinct=True),
            )
        )

    video_count = annotation_column("video_count", "videos")
    # Lessons set on the person; those they give as a video's guest are on their page.
    own_lessons = annotation_column("own_lessons")
    quote_count = annotation_column("quote_count", "quotes")

    redirects = PersonRedirect
    merge_form = PersonMergeForm
    merge_into = staticmethod(merge_people)
