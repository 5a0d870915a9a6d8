"""The themes' admin: the vocabulary, merging themes, and the old addresses kept."""

from django import forms
from django.contrib import admin
from django.contrib.admin.options import IS_POPUP_VAR
from django.db.models import Count, Q
from django.db.models.functions import Lower
from django.http import HttpResponseRedirect
from django.urls import reverse
from taggit.models import Tag as TaggitTag

from kb.admin.forms import ThemeForm
from kb.admin.shared import KeepsAddresses, annotation_column
from kb.curation import merge_themes
from kb.models import Lesson, LessonTheme, QuoteTheme, Status, Theme, ThemeRedirect


class MergeForm(forms.Form):
    target = forms.ModelChoiceField(
        Theme.objects.alphabetical(), label="Merge into", help_text="The theme that stays."
    )


@admin.register(Theme)
class ThemeAdmin(KeepsAddresses, admin.ModelAdmin):
    form = ThemeForm

    def response_add(self, request, obj, post_url_continue=None):
        """A theme started from a lesson no theme fitted (`?for_lesson=`) is added to it,
        and the editor goes back to that lesson."""
        lesson_id = request.GET.get("for_lesson", "")
        lesson = Lesson.objects.filter(pk=lesson_id).first() if lesson_id.isdigit() else None
        if lesson is None or IS_POPUP_VAR in request.POST or not self._may_tag(request):
            return super().response_add(request, obj, post_url_continue)
        lesson.tags.add(obj)
        self.log_change(request, lesson, f"Added new theme “{obj.name}”")
        self.message_user(request, f"Theme “{obj.name}” started and added to “{lesson}”.")
        return HttpResponseRedirect(reverse("admin:kb_lesson_change", args=[lesson.pk]))

    @staticmethod
    def _may_tag(request) -> bool:
        return request.user.has_perm("kb.change_lesson")

    list_display = [
        "name",
        "slug",
        "published_lessons",
        "draft_lessons",
        "published_quotes",
        "draft_quotes",
    ]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}
    actions = ["merge", "remove_unused"]
    # As readers read them, and in a stable order for the pages of the themes picker.
    ordering = [Lower("name"), "name"]

    def get_queryset(self, request):
        themes = super().get_queryset(request)
        if request.resolver_match and request.resolver_match.url_name == "autocomplete":
            return themes  # the themes picker of a form needs their names, not their counts

        def count(items, status):
            return Count(
                f"{items}__content_object",
                filter=Q(**{f"{items}__content_object__status": status}),
                distinct=True,
            )

        return themes.annotate(
            published_lessons=count("lesson_items", Status.PUBLISHED),
            draft_lessons=count("lesson_items", Status.DRAFT),
            published_quotes=count("quote_items", Status.PUBLISHED),
            draft_quotes=count("quote_items", Status.DRAFT),
        )

    published_lessons = annotation_column("published_lessons")
    draft_lessons = annotation_column("draft_lessons")
    published_quotes = annotation_column("published_quotes")
    draft_quotes = annotation_column("draft_quotes")

    redirects = ThemeRedirect
    merge_form = MergeForm
    merge_into = staticmethod(merge_themes)

    @admin.action(description="Delete selected themes that nothing uses", permissions=["delete"])
    def remove_unused(self, request, queryset):
        unused = queryset.filter(lesson_items__isnull=True, quote_items__isnull=True)
        deleted = len(unused)
        self.log_deletions(request, unused)
        unused.delete()
        self.message_user(
            request, f"Deleted {deleted} unused themes; kept {queryset.count()} in use."
        )


@admin.register(ThemeRedirect)
class ThemeRedirectAdmin(admin.ModelAdmin):
    list_display = ["old_slug", "theme"]
    list_select_related = ["theme"]
    search_fields = ["old_slug", "theme__name"]


# Themes replace taggit's own Tag model, which nothing here uses.
admin.site.unregister(TaggitTag)
for through in (LessonTheme, QuoteTheme):
    if admin.site.is_registered(through):
        admin.site.unregister(through)
