"""Curation's admin: quote suggestions, insights with their evidence, and the insights
the machine proposes."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from kb.admin.forms import EvidenceForm
from kb.admin.proposals import closeness, side_by_side
from kb.admin.shared import SafeAutocomplete, StatusActions, short, theme_names
from kb.curation import accept_proposal, dismiss_proposal, dismiss_suggestion
from kb.models import (
    Credit,
    Evidence,
    Insight,
    InsightProposal,
    ProposalKind,
    ProposedLesson,
    QuoteSuggestion,
    Role,
    Stance,
    Suggestion,
)


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
