"""Curation in Django admin: every model editable, lists constant in queries."""

from django.contrib import admin
from django.db.models import Count
from taggit.models import Tag as TaggitTag

from kb.models import Chapter, Lesson, Quote, Takeaway, Theme, TranscriptSegment, Video


class ChapterInline(admin.TabularInline):
    model = Chapter
    extra = 0
    fields = ["start_seconds", "title"]


class TakeawayInline(admin.TabularInline):
    model = Takeaway
    extra = 0
    fields = ["position", "text", "start_seconds"]


@admin.register(Video)
class VideoAdmin(admin.ModelAdmin):
    list_display = ["title", "channel", "published_on", "status", "lesson_count"]
    list_filter = ["status", "channel", "transcript_exact"]
    search_fields = ["title", "channel", "slug", "youtube_id"]
    date_hierarchy = "published_on"
    readonly_fields = ["source_hash", "created_at", "updated_at"]
    inlines = [ChapterInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(lesson_count=Count("lessons"))

    @admin.display(ordering="lesson_count", description="lessons")
    def lesson_count(self, obj):
        return obj.lesson_count


@admin.register(Chapter)
class ChapterAdmin(admin.ModelAdmin):
    list_display = ["title", "video", "start_seconds"]
    list_select_related = ["video"]
    list_filter = ["video"]
    search_fields = ["title", "video__title"]


@admin.register(TranscriptSegment)
class TranscriptSegmentAdmin(admin.ModelAdmin):
    list_display = ["start_seconds", "text", "video", "chapter", "exact"]
    list_select_related = ["video", "chapter"]
    list_filter = ["exact", "video"]
    search_fields = ["text"]
    raw_id_fields = ["video", "chapter"]


@admin.register(Lesson)
class LessonAdmin(admin.ModelAdmin):
    list_display = ["title", "video", "chapter", "status", "start_seconds", "theme_list"]
    list_select_related = ["video", "chapter"]
    list_filter = ["status", "video", "tags"]
    search_fields = ["title", "body", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    raw_id_fields = ["video", "chapter"]
    inlines = [TakeawayInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("tags")

    @admin.display(description="themes")
    def theme_list(self, obj):
        # Read the prefetched tags: taggit's names() would query once per row.
        return ", ".join(sorted(tag.name for tag in obj.tags.all()))


@admin.register(Takeaway)
class TakeawayAdmin(admin.ModelAdmin):
    list_display = ["text", "lesson", "position", "start_seconds"]
    list_select_related = ["lesson"]
    search_fields = ["text", "lesson__title"]
    raw_id_fields = ["lesson"]


@admin.register(Quote)
class QuoteAdmin(admin.ModelAdmin):
    list_display = ["__str__", "speaker", "video", "lesson", "start_seconds", "status"]
    list_select_related = ["video", "lesson"]
    list_filter = ["status", "video", "tags"]
    search_fields = ["text", "speaker"]
    raw_id_fields = ["video", "chapter", "lesson"]


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "lesson_count", "quote_count"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                lesson_count=Count("lesson_items", distinct=True),
                quote_count=Count("quote_items", distinct=True),
            )
        )

    @admin.display(ordering="lesson_count", description="lessons")
    def lesson_count(self, obj):
        return obj.lesson_count

    @admin.display(ordering="quote_count", description="quotes")
    def quote_count(self, obj):
        return obj.quote_count


# Themes replace taggit's own Tag model, which nothing here uses.
admin.site.unregister(TaggitTag)
