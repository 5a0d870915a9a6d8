"""The admin for each model: lists constant in queries, drafts published in bulk,
every change in the history."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IS_POPUP_VAR
from django.contrib.admin.widgets import (
    AutocompleteSelect,
    AutocompleteSelectMultiple,
    RelatedFieldWidgetWrapper,
)
from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, Count, ExpressionWrapper, Prefetch, Q
from django.db.models.functions import Lower
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.text import Truncator
from taggit.managers import TaggableManager
from taggit.models import Tag as TaggitTag

from kb.admin.forms import (
    ChapterForm,
    EvidenceForm,
    LessonForm,
    PersonForm,
    QuoteForm,
    TakeawayForm,
    ThemeForm,
    VideoForm,
)
from kb.admin.importing import import_status_view, import_view
from kb.admin.proposals import closeness, side_by_side
from kb.admin.start import LESSON_CHECKS
from kb.admin.transcript import transcript_view
from kb.curation import (
    accept_draft,
    accept_proposal,
    accept_suggestion,
    anchor_to_words,
    decide_theme,
    dismiss_draft,
    dismiss_proposal,
    dismiss_suggestion,
    merge_people,
    merge_themes,
)
from kb.models import (
    Chapter,
    Credit,
    Evidence,
    Insight,
    InsightProposal,
    Lesson,
    LessonTheme,
    Person,
    PersonRedirect,
    ProposalKind,
    ProposedLesson,
    Quote,
    QuoteSuggestion,
    QuoteTheme,
    Role,
    Stance,
    Status,
    Suggestion,
    Takeaway,
    Theme,
    ThemeRedirect,
    ThemeSuggestion,
    TranscriptSegment,
    Video,
)
from kb.search import meaning
from kb.timecodes import format_timecode


def _real_pks(values) -> list:
    return [v for v in values if str(v).isdigit()]


class SafeAutocompleteSelect(AutocompleteSelect):
    """Django's autocomplete widget queries the value it redraws: a forged one ("x")
    would be a server error instead of the form's own "Select a valid choice"."""

    def optgroups(self, name, value, attr=None):
        return super().optgroups(name, _real_pks(value), attr)


class SafeAutocompleteSelectMultiple(AutocompleteSelectMultiple):
    def optgroups(self, name, value, attr=None):
        return super().optgroups(name, _real_pks(value), attr)


class SafeAutocomplete:
    """Autocomplete fields drawn with the widgets above."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request):
            kwargs.setdefault(
                "widget",
                SafeAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using")),
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request):
            kwargs.setdefault(
                "widget",
                SafeAutocompleteSelectMultiple(
                    db_field, self.admin_site, using=kwargs.get("using")
                ),
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class ThemesChoiceField(forms.ModelMultipleChoiceField):
    """Themes by id; an empty value is no theme (as the typed field took it), not an error."""

    def clean(self, value):
        return super().clean([v for v in value or [] if v != ""])


class ThemesPicked:
    """A lesson's and a quote's themes picked as an insight's are (its autocomplete_fields):
    found by name as you type among the themes there are, shown as one chip each, with +
    to add a new theme (its description and cues with it, which the importer's theming
    reads). One widget for one idea on every form; a typed list made a new theme of
    every typo."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if not isinstance(db_field, TaggableManager):
            return super().formfield_for_dbfield(db_field, request, **kwargs)
        themes = self.admin_site.get_model_admin(Theme)
        widget = RelatedFieldWidgetWrapper(
            SafeAutocompleteSelectMultiple(db_field, self.admin_site),
            db_field.remote_field,
            self.admin_site,
            can_add_related=themes.has_add_permission(request),
        )
        return ThemesChoiceField(
            Theme.objects.alphabetical(), required=False, widget=widget, label="Themes"
        )


def set_status(model_admin, request, queryset, status, verb) -> int:
    """Give each object of `queryset` that lacks it `status`, logged in its history."""
    changed = 0
    for obj in queryset.exclude(status=status):
        obj.status = status
        obj.save(update_fields=["status", "updated_at"])
        model_admin.log_change(request, obj, f"{verb} (bulk action)")
        changed += 1
    return changed


def frozen(queryset):
    """The selected objects, fixed before an action changes them: the changelist's filter
    may be on what the action changes (the Draft filter while publishing), and the lazy
    queryset would then select none of them afterwards."""
    return queryset.model.objects.filter(pk__in=list(queryset.values_list("pk", flat=True)))


class StatusActions:
    """Publish / unpublish in bulk, each change logged in the objects' history."""

    actions = ["publish", "unpublish"]

    def _set_status(self, request, queryset, status, verb):
        queryset = frozen(queryset)
        changed = set_status(self, request, queryset, status, verb)
        self.message_user(request, f"{verb} {changed} of {queryset.count()} selected.")
        if status == Status.PUBLISHED and any(f.name == "video" for f in self.model._meta.fields):
            hidden = queryset.exclude(video__status=Status.PUBLISHED)
            titles = sorted(set(hidden.values_list("video__title", flat=True)))
            if titles:
                self.message_user(
                    request,
                    f"{len(hidden)} of them stay hidden from readers until their video is "
                    f"published: {', '.join(titles[:5])}{' …' if len(titles) > 5 else ''}.",
                    messages.WARNING,
                )

    @admin.action(description="Publish selected", permissions=["change"])
    def publish(self, request, queryset):
        self._set_status(request, queryset, Status.PUBLISHED, "Published")

    @admin.action(description="Unpublish selected (back to draft)", permissions=["change"])
    def unpublish(self, request, queryset):
        self._set_status(request, queryset, Status.DRAFT, "Unpublished")


def moment(seconds):
    return "" if seconds is None else format_timecode(seconds)


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


class TakeawayInline(admin.TabularInline):
    model = Takeaway
    form = TakeawayForm
    extra = 0
    fields = ["position", "text", "start_seconds", "confirmed", "score"]
    readonly_fields = ["score"]
    ordering = ["position", "id"]


def short(text: str, chars: int) -> str:
    """`text` cut to `chars` characters for a list's column, whole on hover."""
    cut = Truncator(text).chars(chars)
    if cut == text:
        return text
    return format_html('<span title="{}">{}</span>', text, cut)


def theme_names(themes, most: int = 3) -> str:
    """A short comma list of themes: the first `most`, then how many more (all on hover)."""
    names = [theme.name for theme in themes]
    if len(names) <= most:
        return ", ".join(names)
    return format_html(
        '<span title="{}">{}, +{}</span>', ", ".join(names), ", ".join(names[:most]),
        len(names) - most,
    )  # fmt: skip


@admin.display(description="video", ordering="video__title")
def video_title(obj):
    """A lesson's or quote's video in a list: its title cut short (whole on hover)."""
    return short(obj.video.title, 32)


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


def annotation_column(name: str, description: str = ""):
    """A list column showing the queryset's annotation `name`, sortable by it."""

    @admin.display(ordering=name, description=description or name.replace("_", " "))
    def column(model_admin, obj):
        return getattr(obj, name)

    return column


def choice_page(model_admin, request, queryset, title, form, action):
    """The intermediate page of an action that asks one question about the selection."""
    context = {
        **model_admin.admin_site.each_context(request),
        "title": title,
        "form": form,
        "queryset": queryset,
        "action": action,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "opts": model_admin.model._meta,
    }
    return TemplateResponse(request, "admin/kb/choose_theme.html", context)


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

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Its words, takeaways included, are now what search by meaning knows it by. A
        # machine draft has none until accepted: insights never compare drafts nobody read.
        if not form.instance.machine_draft:
            meaning.index_lesson(form.instance)

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
        meaning.index_quote(obj)


class MergeForm(forms.Form):
    target = forms.ModelChoiceField(
        Theme.objects.alphabetical(), label="Merge into", help_text="The theme that stays."
    )


class KeepsAddresses:
    """A model with a page whose slug outlives renames and merges: a renamed object's
    old slug, and a merged one's, redirect to it (`redirects`: the redirect model)."""

    redirects = None
    merge_form = None
    merge_into = None  # (sources, target) -> what moved

    def save_model(self, request, obj, form, change):
        model = type(obj)
        old_slug = model.objects.filter(pk=obj.pk).values_list("slug", flat=True).first()
        super().save_model(request, obj, form, change)
        if change and old_slug and old_slug != obj.slug:
            self.redirects.objects.update_or_create(
                old_slug=old_slug, defaults={model._meta.model_name: obj}
            )

    @admin.action(description="Merge selected into one", permissions=["change"])
    def merge(self, request, queryset):
        form = self.merge_form(request.POST if "apply" in request.POST else None)
        form.fields["target"].queryset = queryset.order_by(Lower("name"))
        if form.is_valid():
            target = form.cleaned_data["target"]
            sources = [obj for obj in queryset if obj.pk != target.pk]
            names = ", ".join(f"“{obj.name}”" for obj in sources)
            moved = self.merge_into(sources, target)
            self.log_change(request, target, f"Merged {names} into this one: {moved}")
            self.message_user(request, f"Merged {names} into “{target.name}”: {moved}.")
            return None
        title = f"Merge {queryset.count()} {self.model._meta.verbose_name_plural}"
        return choice_page(self, request, queryset, title, form, "merge")


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


@admin.register(ThemeRedirect)
class ThemeRedirectAdmin(admin.ModelAdmin):
    list_display = ["old_slug", "theme"]
    list_select_related = ["theme"]
    search_fields = ["old_slug", "theme__name"]


@admin.register(QuoteSuggestion)
class QuoteSuggestionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "lesson", "rank", "score", "status"]
    list_select_related = ["lesson"]
    list_filter = ["status"]
    readonly_fields = [
        "lesson",
        "chapter",
        "text",
        "start_seconds",
        "end_seconds",
        "score",
        "rank",
        "quote",
    ]
    actions = ["dismiss"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Dismiss selected suggestions", permissions=["change"])
    def dismiss(self, request, queryset):
        for suggestion in queryset.filter(status=Suggestion.OPEN):
            dismiss_suggestion(suggestion)
            self.log_change(request, suggestion, "Dismissed (bulk action)")


class EvidenceInline(SafeAutocomplete, admin.TabularInline):
    """The voices behind an insight: a lesson or a quote each, in order."""

    model = Evidence
    form = EvidenceForm
    extra = 1
    fields = ["position", "stance", "lesson", "quote", "note"]
    autocomplete_fields = ["lesson", "quote"]
    ordering = ["position", "pk"]


@admin.register(Insight)
class InsightAdmin(SafeAutocomplete, StatusActions, admin.ModelAdmin):
    list_display = ["short_title", "status", "voice_count", "video_count", "theme_list", "updated"]
    list_filter = ["status", "themes"]
    search_fields = ["title", "summary", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["themes"]
    fields = ["title", "slug", "summary", "status", "themes"]
    inlines = [EvidenceInline]

    def get_queryset(self, request):
        return super().get_queryset(request).with_counts().prefetch_related("themes")

    @admin.display(ordering="voice_count", description="voices")
    def voice_count(self, obj):
        return obj.voice_count

    @admin.display(ordering="video_count", description="videos")
    def video_count(self, obj):
        return obj.video_count

    @admin.display(description="themes")
    def theme_list(self, obj):
        return theme_names(obj.themes.all())

    @admin.display(ordering="title", description="title")
    def short_title(self, obj):
        return short(obj.title, 60)

    @admin.display(ordering="updated_at", description="updated")
    def updated(self, obj):
        return obj.updated_at.date().isoformat()


def _lines(members) -> str:
    """A proposal's lessons in a list's cell: each title and who gives it, a line each."""
    return format_html_join(
        "",
        '<div class="voice">{}<a href="{}">{}</a> <span class="quiet">({})</span></div>',
        (
            (
                "≠ " if member.stance != Stance.SUPPORTS else "",
                reverse("admin:kb_lesson_change", args=[member.lesson_id]),
                member.lesson.title,
                ", ".join(p.name for p in member.lesson.speakers) or "no one named",
            )
            for member in members
        ),
    )


DECISIONS = {"_accept": "accept", "_dismiss": "dismiss"}


@admin.register(InsightProposal)
class InsightProposalAdmin(admin.ModelAdmin):
    """The queue of what the machine found several guests saying (or disputing). A
    proposal's page shows its lessons side by side, with Accept and Dismiss."""

    list_display = ["title_kind", "voices", "close", "decided"]
    list_filter = ["status", "kind", "theme"]
    search_fields = ["title", "members__lesson__title"]
    fields = ["kind", "close", "theme", "status", "made"]  # the title is the page's
    readonly_fields = fields
    actions = ["accept", "dismiss"]

    def get_queryset(self, request):
        members = ProposedLesson.objects.select_related("lesson__video").prefetch_related(
            "lesson__people",
            "lesson__takeaways",
            Prefetch(
                "lesson__video__credits",
                Credit.objects.filter(role=Role.GUEST).select_related("person"),
                to_attr="guest_credits",
            ),
        )
        return (
            super()
            .get_queryset(request)
            .select_related("theme", "insight")
            .prefetch_related(Prefetch("members", members.order_by("position")))
        )

    def has_add_permission(self, request):
        return False

    @admin.display(description="proposal", ordering="title")
    def title_kind(self, obj):
        if obj.kind == ProposalKind.DIFFER:
            return format_html('{} <span class="quiet">(guests may disagree)</span>', obj.title)
        return obj.title

    @admin.display(description="lessons (guests)")
    def voices(self, obj):
        return _lines(obj.members.all())

    @admin.display(description="how close", ordering="score")
    def close(self, obj):
        return format_html('<span title="similarity {}">{}</span>', obj.score, closeness(obj.score))

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["voices"] = side_by_side(obj.members.all())
            context["can_decide"] = obj.is_open and self.has_change_permission(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """Accept or Dismiss from the proposal's own page, as the list's actions do."""
        decision = next((DECISIONS[name] for name in DECISIONS if name in request.POST), None)
        if request.method != "POST" or decision is None:
            return super().change_view(request, object_id, form_url, extra_context)
        proposal = self.get_object(request, object_id)
        if proposal is None or not self.has_change_permission(request, proposal):
            raise PermissionDenied
        getattr(self, decision)(
            request, InsightProposal.objects.filter(pk=proposal.pk), how="on its page"
        )
        proposal.refresh_from_db()
        if decision == "accept" and proposal.insight_id:
            return HttpResponseRedirect(
                reverse("admin:kb_insight_change", args=[proposal.insight_id])
            )
        url = reverse("admin:kb_insightproposal_changelist")
        return HttpResponseRedirect(f"{url}?status__exact={Suggestion.OPEN}")

    @admin.display(description="status", ordering="status")
    def decided(self, obj):
        if not obj.insight_id:
            return obj.get_status_display()
        url = reverse("admin:kb_insight_change", args=[obj.insight_id])
        return format_html('{}: <a href="{}">the insight</a>', obj.get_status_display(), url)

    @admin.display(description="insight")
    def made(self, obj):
        if not obj.insight_id:
            return self.get_empty_value_display()
        url = reverse("admin:kb_insight_change", args=[obj.insight_id])
        return format_html('<a href="{}">{}</a>', url, short(obj.insight.title, 30))

    @admin.action(description="Accept selected: a draft insight each", permissions=["change"])
    def accept(self, request, queryset, how="bulk action"):
        if not request.user.has_perm("kb.add_insight"):
            self.message_user(request, "You can't add insights.", messages.ERROR)
            return
        made = []
        for proposal in queryset.filter(status=Suggestion.OPEN):
            insight = accept_proposal(proposal)
            if insight is not None:
                made.append(insight)
                self.log_change(request, proposal, f"Accepted ({how})")
                self.admin_site._registry[Insight].log_addition(request, insight, [{"added": {}}])
        if len(made) == 1:
            url = reverse("admin:kb_insight_change", args=[made[0].pk])
            self.message_user(
                request,
                format_html(
                    'Draft insight <a href="{}">{}</a> created: write its summary, then '
                    "publish it.",
                    url,
                    made[0].title,
                ),
            )
        else:
            skipped = queryset.count() - len(made)
            self.message_user(
                request,
                f"{len(made)} draft insights created"
                + (f"; {skipped} were already decided" if skipped else "")
                + ".",
            )

    @admin.action(description="Dismiss selected (never proposed again)", permissions=["change"])
    def dismiss(self, request, queryset, how="bulk action"):
        dismissed = 0
        for proposal in queryset.filter(status=Suggestion.OPEN):
            if dismiss_proposal(proposal):
                dismissed += 1
                self.log_change(request, proposal, f"Dismissed ({how})")
        self.message_user(request, f"Dismissed {dismissed}: they won't be proposed again.")


# Themes replace taggit's own Tag model, which nothing here uses.
admin.site.unregister(TaggitTag)
for through in (LessonTheme, QuoteTheme):
    if admin.site.is_registered(through):
        admin.site.unregister(through)
