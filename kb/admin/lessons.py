"""The lessons' admin: lessons (with their takeaways and what the machine suggests for
them), takeaways and quotes."""

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode

from kb.admin.forms import LessonForm, QuoteForm, TakeawayForm
from kb.admin.shared import (
    SafeAutocomplete,
    StatusActions,
    ThemesPicked,
    choice_page,
    frozen,
    moment,
    short,
    theme_names,
    video_title,
)
from kb.admin.start import LESSON_CHECKS
from kb.curation import (
    accept_draft,
    accept_suggestion,
    anchor_to_words,
    decide_theme,
    dismiss_draft,
    dismiss_suggestion,
)
from kb.models import (
    Chapter,
    Lesson,
    Quote,
    QuoteSuggestion,
    Status,
    Suggestion,
    Takeaway,
    Theme,
    ThemeSuggestion,
)
from kb.timecodes import format_timecode


class TakeawayInline(admin.TabularInline):
    model = Takeaway
    form = TakeawayForm
    extra = 0
    fields = ["position", "text", "start_seconds", "confirmed", "score"]
    readonly_fields = ["score"]
    ordering = ["position", "id"]


DECIDE = "_decide_suggestion"


def decision_buttons(suggestion, name: str, accept: str) -> str:
    """Accept and Dismiss for an open suggestion: submit buttons of the lesson's own form,
    so the editor's unsaved edits are saved first, then the decision is made
    (LessonAdmin.response_change)."""
    if suggestion.status != Suggestion.OPEN:
        return ""
    button = '<button type="submit" class="button" name="{}" value="{}-{}">{}</button>'
    return format_html(
        f"{button} {button}",
        name, "accept", suggestion.pk, accept,
        name, "dismiss", suggestion.pk, "Dismiss",
    )  # fmt: skip


class SuggestionInline(admin.TabularInline):
    """Passages proposed as quotes; Accept and Dismiss each take one click."""

    model = QuoteSuggestion
    extra = 0
    can_delete = False
    fields = ["at", "text", "score", "status", "decide"]
    readonly_fields = fields
    verbose_name = "suggested quote"
    verbose_name_plural = "suggested quotes (from the transcript)"

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="at")
    def at(self, obj):
        return moment(obj.start_seconds)

    @admin.display(description="")
    def decide(self, obj):
        if obj.quote_id:
            url = reverse("admin:kb_quote_change", args=[obj.quote_id])
            return format_html('<a href="{}">the quote</a>', url)
        return decision_buttons(obj, DECIDE, "Accept")


DECIDE_THEME = "_decide_theme"
DECIDE_DRAFT = "_decide_draft"


class ThemeSuggestionInline(admin.TabularInline):
    """Themes the importer was not sure enough of to apply; Add and Dismiss take one click."""

    model = ThemeSuggestion
    extra = 0
    can_delete = False
    fields = ["theme", "confidence", "status", "decide"]
    readonly_fields = fields
    verbose_name = "suggested theme"
    verbose_name_plural = "suggested themes (not applied: the importer was not sure enough)"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("theme")

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="")
    def decide(self, obj):
        return decision_buttons(obj, DECIDE_THEME, "Add theme")


class ThemeFilter(admin.SimpleListFilter):
    title = "theme"
    parameter_name = "theme"

    def lookups(self, request, model_admin):
        return [(t.slug, t.name) for t in Theme.objects.alphabetical()]

    def queryset(self, request, queryset):
        return queryset.filter(tags__slug=self.value()) if self.value() else queryset


class ChapterFilter(admin.SimpleListFilter):
    """The chapters of the video picked in the video filter: every chapter of every video
    would be thousands of links (5,700 at 300 videos)."""

    title = "chapter"
    parameter_name = "chapter__id__exact"

    def lookups(self, request, model_admin):
        video = request.GET.get("video__id__exact", "")
        if not video.isdigit():
            return []
        chapters = Chapter.objects.filter(video_id=video).order_by("start_seconds")
        return [(str(chapter.pk), str(chapter)) for chapter in chapters]

    def queryset(self, request, queryset):
        return queryset.filter(chapter_id=self.value()) if self.value() else queryset


class CheckFilter(admin.SimpleListFilter):
    """Lessons waiting for an editor, as the start page counts them (kb.admin.start)."""

    title = "waiting for"
    parameter_name = "check"

    def lookups(self, request, model_admin):
        return [(name, check.label) for name, check in LESSON_CHECKS.items()]

    def queryset(self, request, queryset):
        check = LESSON_CHECKS.get(self.value())
        return queryset.filter(check.test) if check else queryset


class ThemeChoiceForm(forms.Form):
    theme = forms.ModelChoiceField(Theme.objects.alphabetical())


@admin.register(Lesson)
class LessonAdmin(ThemesPicked, SafeAutocomplete, StatusActions, admin.ModelAdmin):
    form = LessonForm
    # Narrow enough for a 1280 px screen beside the filters (the chapter is a filter).
    list_display = ["short_title", video_title, "at", "status", "theme_list"]
    list_editable = ["status"]
    list_select_related = ["video", "chapter"]
    list_filter = ["status", CheckFilter, ThemeFilter, "video", ChapterFilter]
    search_fields = ["title", "body", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["video", "people"]
    inlines = [TakeawayInline, SuggestionInline, ThemeSuggestionInline]
    actions = [
        "publish", "unpublish", "accept_drafts", "dismiss_drafts", "add_theme", "remove_theme"
    ]  # fmt: skip
    fields = [
        "video", "title", "slug", "status", "chapter", "start_seconds", "body", "tags",
        "theme_fit",
    ]  # fmt: skip
    readonly_fields = ["theme_fit"]

    def get_queryset(self, request):
        return super().get_queryset(request).with_themes()

    @admin.display(description="")
    def theme_fit(self, obj):
        """A lesson no theme fits says so, and offers to start one for it: a negotiation
        talk wants a "negotiation" theme, not the nearest wrong one."""
        if obj is None or obj.pk is None or obj.tags.exists():
            return ""
        offered = list(
            obj.theme_suggestions.filter(status=Suggestion.OPEN)
            .order_by("-confidence")
            .values_list("theme__name", flat=True)[:3]
        )
        start = reverse("admin:kb_theme_add") + "?" + urlencode({"for_lesson": obj.pk})
        closest = (
            format_html(" (the closest, only suggested below: {})", ", ".join(offered))
            if offered
            else ""
        )
        return format_html(
            'No theme fits this lesson well{}. <a href="{}">Start a theme for it</a>: '
            "named for what it is about, it is added to this lesson and taught to the "
            "importer by it.",
            closest,
            start,
        )

    def get_fields(self, request, obj=None):
        fields = [f for f in super().get_fields(request, obj) if f != "machine_review"]
        if obj is None or obj.pk is None or obj.tags.all():
            # Said only of a lesson no theme fits: elsewhere an empty row with a lone colon.
            fields.remove("theme_fit")
        return ["machine_review", *fields] if obj is not None and obj.machine_draft else fields

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "machine_review"]

    @admin.display(ordering="start_seconds")
    def at(self, obj):
        return moment(obj.start_seconds)

    @admin.display(description="machine draft")
    def machine_review(self, obj):
        """What a machine draft is, and its two decisions: buttons of this form, so the
        editor's edits are saved first (response_change)."""
        passage = getattr(obj, "draft_passage", None)
        span = (
            f"{format_timecode(passage.start_seconds)}–{format_timecode(passage.end_seconds)}"
            if passage is not None
            else ""
        )
        button = '<button type="submit" class="button" name="{}" value="{}">{}</button>'
        return format_html(
            "<p>Drafted by the machine from the transcript alone (the passage {}): the "
            "takeaways are the speaker's own words, the themes and quote are suggestions. "
            "Readers never see it. Accept it to make it an ordinary draft you then edit and "
            "publish, or dismiss it: its passage is not proposed again.</p>"
            f"<p>{button} {button}</p>",
            span,
            DECIDE_DRAFT, "accept", "Accept draft",
            DECIDE_DRAFT, "dismiss", "Dismiss draft",
        )  # fmt: skip

    @admin.display(ordering="title", description="title")
    def short_title(self, obj):
        if obj.machine_draft:
            return format_html(
                '<span class="machine-draft">machine draft</span> {}', short(obj.title, 46)
            )
        return short(obj.title, 60)

    @admin.action(description="Publish selected", permissions=["change"])
    def publish(self, request, queryset):
        machine = queryset.filter(machine_draft=True).count()
        if machine:
            self.message_user(
                request,
                f"{machine} of them are machine drafts: accept each first (then it is an "
                "ordinary draft to publish). They were left as they are.",
                messages.WARNING,
            )
        self._set_status(request, queryset.filter(machine_draft=False), Status.PUBLISHED,
                         "Published")  # fmt: skip

    @admin.action(description="Accept selected machine drafts", permissions=["change"])
    def accept_drafts(self, request, queryset):
        accepted = 0
        for lesson in frozen(queryset.filter(machine_draft=True)):
            if accept_draft(lesson):
                self.log_change(request, lesson, "Accepted the machine draft (bulk action)")
                accepted += 1
        self.message_user(
            request,
            f"Accepted {accepted} machine drafts: each is now an ordinary draft to edit and "
            "publish.",
        )

    @admin.action(description="Dismiss selected machine drafts", permissions=["delete"])
    def dismiss_drafts(self, request, queryset):
        dismissed = 0
        for lesson in frozen(queryset.filter(machine_draft=True)):
            if dismiss_draft(lesson):
                dismissed += 1
        self.message_user(
            request,
            f"Dismissed {dismissed} machine drafts: their passages won't be proposed again.",
        )

    @admin.display(description="themes")
    def theme_list(self, obj):
        # Preloaded by with_themes(): taggit's names() would query once per row.
        return theme_names(obj.themes)

    def _theme_action(self, request, queryset, verb):
        form = ThemeChoiceForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            theme = form.cleaned_data["theme"]
            for lesson in queryset:
                getattr(lesson.tags, "add" if verb == "Add" else "remove")(theme)
                self.log_change(request, lesson, f"{verb} theme “{theme.name}” (bulk action)")
            done = {"Add": "Added", "Remove": "Removed"}[verb]
            self.message_user(request, f"{done} “{theme.name}”: {queryset.count()} lessons.")
            return None
        title = f"{verb} a theme: {queryset.count()} lessons"
        return choice_page(self, request, queryset, title, form, request.POST["action"])

    @admin.action(description="Add a theme to selected lessons", permissions=["change"])
    def add_theme(self, request, queryset):
        return self._theme_action(request, queryset, "Add")

    @admin.action(description="Remove a theme from selected lessons", permissions=["change"])
    def remove_theme(self, request, queryset):
        return self._theme_action(request, queryset, "Remove")

    def response_change(self, request, obj):
        """After a save, a machine draft's, a suggested quote's or a theme's decision
        (buttons of this form)."""
        if request.POST.get(DECIDE_DRAFT):
            return self._decide_draft(request, obj, request.POST[DECIDE_DRAFT])
        if request.POST.get(DECIDE_THEME):
            self.message_user(request, f"Saved “{obj}”.", messages.SUCCESS)
            self._decide_theme(request, obj, request.POST[DECIDE_THEME])
            return HttpResponseRedirect(reverse("admin:kb_lesson_change", args=[obj.pk]))
        decision, _, suggestion_id = request.POST.get(DECIDE, "").partition("-")
        if not decision:
            return super().response_change(request, obj)
        self.message_user(request, f"Saved “{obj}”.", messages.SUCCESS)
        suggestion = obj.suggestions.filter(pk=suggestion_id if suggestion_id.isdigit() else None)
        suggestion = suggestion.filter(status=Suggestion.OPEN).first()
        if suggestion is None or decision not in {"accept", "dismiss"}:
            messages.error(
                request, "That suggestion has already been decided, or is not this lesson's."
            )
        elif decision == "accept" and not request.user.has_perm("kb.add_quote"):
            messages.error(request, "You can't add quotes.")
        elif decision == "accept":
            quote = accept_suggestion(suggestion)
            self.log_addition(request, quote, [{"added": {"name": "quote", "object": str(quote)}}])
            messages.success(request, f"Quote “{quote}” created as a draft.")
        else:
            dismiss_suggestion(suggestion)
            self.log_change(request, obj, f"Dismissed suggested quote {suggestion}")
            messages.info(request, "Suggestion dismissed: it won't be proposed again.")
        return HttpResponseRedirect(reverse("admin:kb_lesson_change", args=[obj.pk]))

    def _decide_draft(self, request, lesson, decision: str):
        if decision == "dismiss" and not self.has_delete_permission(request, lesson):
            messages.error(request, "You can't dismiss lessons.")
        elif decision == "accept" and accept_draft(lesson):
            self.log_change(request, lesson, "Accepted the machine draft")
            messages.success(
                request, f"Accepted “{lesson}”: it is an ordinary draft now, to edit and publish."
            )
        elif decision == "dismiss":
            title = str(lesson)
            if dismiss_draft(lesson):
                messages.info(request, f"Dismissed “{title}”: its passage won't be proposed again.")
                url = reverse("admin:kb_lesson_changelist")
                return HttpResponseRedirect(f"{url}?check=machine")
            messages.error(request, "That draft has already been decided.")
        else:
            messages.error(request, "That draft has already been decided.")
        return HttpResponseRedirect(reverse("admin:kb_lesson_change", args=[lesson.pk]))

    def _decide_theme(self, request, lesson, value: str) -> None:
        decision, _, suggestion_id = value.partition("-")
        suggestion = (
            lesson.theme_suggestions.select_related("theme")
            .filter(pk=suggestion_id if suggestion_id.isdigit() else None)
            .first()
        )
        if (
            suggestion is None
            or decision not in {"accept", "dismiss"}
            or not decide_theme(suggestion, accept=decision == "accept")
        ):
            messages.error(request, "That theme has already been decided, or is not this lesson's.")
        elif decision == "accept":
            self.log_change(request, lesson, f"Added suggested theme “{suggestion.theme.name}”")
            messages.success(request, f"Theme “{suggestion.theme.name}” added.")
        else:
            self.log_change(request, lesson, f"Dismissed suggested theme “{suggestion.theme.name}”")
            messages.info(request, "Theme dismissed: it won't be suggested again.")


@admin.register(Takeaway)
class TakeawayAdmin(admin.ModelAdmin):
    form = TakeawayForm
    list_display = ["text", "lesson", "at", "confirmed"]
    list_select_related = ["lesson"]
    list_filter = ["confirmed"]
    search_fields = ["text", "lesson__title"]

    @admin.display(ordering="start_seconds")
    def at(self, obj):
        return moment(obj.start_seconds)

    def get_fields(self, request, obj=None):
        return ["lesson", *TakeawayForm._meta.fields]

    def get_form(self, request, obj=None, **kwargs):
        kwargs["fields"] = self.get_fields(request, obj)
        return super().get_form(request, obj, **kwargs)


@admin.register(Quote)
class QuoteAdmin(ThemesPicked, SafeAutocomplete, StatusActions, admin.ModelAdmin):
    form = QuoteForm
    # Narrow enough for a 1280 px screen beside the filters (the lesson is on its page).
    list_display = ["words", "said_by", video_title, "at", "status"]
    list_select_related = ["video", "lesson", "speaker"]
    list_filter = ["status", ThemeFilter, "video"]
    search_fields = ["text", "speaker__name", "speaker_name"]
    autocomplete_fields = ["video", "speaker"]

    @admin.display(ordering="start_seconds")
    def at(self, obj):
        return moment(obj.start_seconds)

    @admin.display(ordering="text", description="quote")
    def words(self, obj):
        return short(obj.text, 90)

    def save_model(self, request, obj, form, change):
        """Edited words move the quote's start and end to where those words are said,
        unless the editor set the times too."""
        retimed = {"start_seconds", "end_seconds"} & set(form.changed_data)
        if change and "text" in form.changed_data and not retimed:
            if anchor_to_words(obj):
                self.message_user(
                    request, f"The quote now runs {moment(obj.start_seconds)}–"
                    f"{moment(obj.end_seconds)}, where its words are said."
                )  # fmt: skip
            else:
                self.message_user(
                    request,
                    "These words are not in the transcript near the quote, so its times "
                    "stay as they were: check them.",
                    messages.WARNING,
                )
        super().save_model(request, obj, form, change)
