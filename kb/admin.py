"""Curation in Django admin: every model editable, lists constant in queries."""

from django.contrib import admin, messages
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.views.decorators.http import require_POST
from taggit.models import Tag as TaggitTag

from kb.curation import accept_suggestion, dismiss_suggestion
from kb.models import (
    Chapter,
    Lesson,
    Quote,
    QuoteSuggestion,
    Suggestion,
    Takeaway,
    Theme,
    TranscriptSegment,
    Video,
)
from kb.timecodes import format_timecode


class ChapterInline(admin.TabularInline):
    model = Chapter
    extra = 0
    fields = ["start_seconds", "title"]


class TakeawayInline(admin.TabularInline):
    model = Takeaway
    extra = 0
    fields = ["position", "text", "start_seconds", "confirmed", "score"]
    readonly_fields = ["score"]


class SuggestionInline(admin.TabularInline):
    """Passages proposed as quotes; Accept and Dismiss each take one click."""

    model = QuoteSuggestion
    extra = 0
    can_delete = False
    fields = ["moment", "text", "score", "status", "decide"]
    readonly_fields = fields
    verbose_name = "suggested quote"
    verbose_name_plural = "suggested quotes (from the transcript)"

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="at")
    def moment(self, obj):
        return format_timecode(obj.start_seconds)

    @admin.display(description="")
    def decide(self, obj):
        if obj.quote_id:
            return format_html(
                '<a href="{}">the quote</a>', reverse("admin:kb_quote_change", args=[obj.quote_id])
            )
        if obj.status != Suggestion.OPEN:
            return ""
        # Buttons of the lesson's own form, posted to their own URLs (forms can't nest).
        button = (
            '<button type="submit" class="button" formaction="{}" formmethod="post">{}</button>'
        )
        return format_html(
            f"{button} {button}",
            reverse("admin:kb_lesson_suggestion", args=[obj.lesson_id, obj.pk, "accept"]),
            "Accept",
            reverse("admin:kb_lesson_suggestion", args=[obj.lesson_id, obj.pk, "dismiss"]),
            "Dismiss",
        )


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
    inlines = [TakeawayInline, SuggestionInline]

    def get_queryset(self, request):
        return super().get_queryset(request).with_themes()

    def get_urls(self):
        decide = self.admin_site.admin_view(require_POST(self.decide_suggestion))
        return [
            path(
                "<int:lesson_id>/suggestions/<int:suggestion_id>/<str:decision>/",
                decide,
                name="kb_lesson_suggestion",
            ),
            *super().get_urls(),
        ]

    def decide_suggestion(self, request, lesson_id, suggestion_id, decision):
        suggestion = get_object_or_404(QuoteSuggestion, pk=suggestion_id, lesson_id=lesson_id)
        back = HttpResponseRedirect(reverse("admin:kb_lesson_change", args=[lesson_id]))
        if not self.has_change_permission(request, suggestion.lesson) or decision not in {
            "accept",
            "dismiss",
        }:
            messages.error(request, "You can't decide on suggested quotes.")
            return back
        if decision == "accept":
            if not request.user.has_perm("kb.add_quote"):
                messages.error(request, "You can't add quotes.")
                return back
            quote = accept_suggestion(suggestion)
            self.log_addition(request, quote, [{"added": {"name": "quote", "object": str(quote)}}])
            messages.success(request, f"Quote {quote} created as a draft.")
        else:
            dismiss_suggestion(suggestion)
            self.log_change(request, suggestion.lesson, f"Dismissed suggested quote {suggestion}")
            messages.info(request, "Suggestion dismissed: it won't be proposed again.")
        return back

    @admin.display(description="themes")
    def theme_list(self, obj):
        # Preloaded by with_themes(): taggit's names() would query once per row.
        return ", ".join(theme.name for theme in obj.themes)


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
