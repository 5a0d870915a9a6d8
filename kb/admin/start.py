"""The editors' start page (the admin's index): what is waiting for them, how much, and a
link to the list that shows exactly that; their imports at work or ended badly; the
import one click away.

Each count is one query over its whole table, whatever the data's size; the lessons'
counts share one. The lists' filters read the same definitions (LESSON_CHECKS), so a
count and the list it links to always agree.
"""

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from kb.admin import background
from kb.models import (
    Insight,
    InsightProposal,
    Lesson,
    LessonTheme,
    PendingImport,
    Quote,
    QuoteSuggestion,
    Status,
    Suggestion,
    ThemeSuggestion,
    Video,
)

State = PendingImport.State


def _open_theme_suggestions():
    return ThemeSuggestion.objects.filter(lesson=OuterRef("pk"), status=Suggestion.OPEN)


def _open_quote_suggestions():
    return QuoteSuggestion.objects.filter(lesson=OuterRef("pk"), status=Suggestion.OPEN)


def _quotes():
    return Quote.objects.filter(lesson=OuterRef("pk"))


@dataclass
class Check:
    """Something a lesson may be waiting for: what the lessons list's filter calls it, what
    a video's list of lessons says of one, and the test."""

    label: str
    short: str
    test: object  # a boolean expression over a lesson


# By the `check` filter's value (LessonAdmin's "waiting for"). A lesson's open quote
# suggestions wait only while it has no quote: readers see the best suggestion, marked
# unchecked, until an editor accepts one; the ones left after that are alternatives. A
# machine draft waits for one thing, its review: the rest waits once it is accepted.
REVIEWED = Q(machine_draft=False)
LESSON_CHECKS = {
    "machine": Check(
        "machine drafts to review", "a machine draft to review", Q(machine_draft=True)
    ),
    "themes": Check(
        "suggested themes to add or dismiss",
        "suggested themes",
        Exists(_open_theme_suggestions()) & REVIEWED,
    ),
    "quotes": Check(
        "a suggested quote and no quote yet",
        "a quote to pick",
        Exists(_open_quote_suggestions()) & ~Exists(_quotes()) & REVIEWED,
    ),
    "unthemed": Check(
        "no theme",
        "no theme",
        ~Exists(LessonTheme.objects.filter(content_object=OuterRef("pk"))) & REVIEWED,
    ),
}


@dataclass
class Waiting:
    """One line of the start page: `count` things, what they wait for, where they are."""

    count: int
    one: str  # "draft lesson"
    many: str  # "draft lessons"
    then: str  # what to do with them
    url: str

    @property
    def what(self) -> str:
        return self.one if self.count == 1 else self.many


def _changelist(model, **filters) -> str:
    url = reverse(f"admin:kb_{model._meta.model_name}_changelist")
    return f"{url}?{urlencode(filters)}" if filters else url


def waiting_work(site, request) -> list[Waiting]:
    """Everything waiting, in the order an editor does it (lists the user may not see are
    left out)."""
    allowed = {
        model
        for model in (Video, Lesson, Quote, Insight, InsightProposal)
        if model in site._registry and site._registry[model].has_view_permission(request)
    }
    rows = []
    if InsightProposal in allowed:
        proposals = InsightProposal.objects.filter(status=Suggestion.OPEN).count()
        rows.append(
            Waiting(
                proposals, "insight proposal", "insight proposals",
                "accept as a draft insight, or dismiss",
                _changelist(InsightProposal, status__exact=Suggestion.OPEN),
            )
        )  # fmt: skip
    if Video in allowed:
        videos = Video.objects.filter(status=Status.DRAFT).count()
        rows.append(
            Waiting(
                videos, "draft video", "draft videos", "publish when its lessons are checked",
                _changelist(Video, status__exact=Status.DRAFT),
            )
        )  # fmt: skip
    if Lesson in allowed:
        counts = Lesson.objects.aggregate(
            draft=Count("pk", filter=Q(status=Status.DRAFT)),
            **{name: Count("pk", filter=check.test) for name, check in LESSON_CHECKS.items()},
        )
        rows += [
            Waiting(
                counts["machine"], "machine draft to review", "machine drafts to review",
                "accept, edit or dismiss each: drafted from a transcript alone",
                _changelist(Lesson, check="machine"),
            ),
            Waiting(
                counts["draft"], "draft lesson", "draft lessons", "check the wording, publish",
                _changelist(Lesson, status__exact=Status.DRAFT),
            ),
            Waiting(
                counts["quotes"], "lesson shows a machine-cut passage",
                "lessons show a machine-cut passage", "accept a suggested quote, or dismiss",
                _changelist(Lesson, check="quotes"),
            ),
            Waiting(
                counts["themes"], "lesson has suggested themes",
                "lessons have suggested themes", "add them, or dismiss",
                _changelist(Lesson, check="themes"),
            ),
            Waiting(
                counts["unthemed"], "lesson fits no theme", "lessons fit no theme",
                "give each a theme", _changelist(Lesson, check="unthemed"),
            ),
        ]  # fmt: skip
    if Quote in allowed:
        quotes = Quote.objects.filter(status=Status.DRAFT).count()
        rows.append(
            Waiting(
                quotes, "draft quote", "draft quotes", "check the words and speaker, publish",
                _changelist(Quote, status__exact=Status.DRAFT),
            )
        )  # fmt: skip
    if Insight in allowed:
        insights = Insight.objects.filter(status=Status.DRAFT).count()
        rows.append(
            Waiting(
                insights, "draft insight", "draft insights", "write its summary, publish",
                _changelist(Insight, status__exact=Status.DRAFT),
            )
        )  # fmt: skip
    return rows


@dataclass
class Upload:
    """An import of the user's that is not over: at work, awaiting confirmation, stopped
    or failed."""

    job: PendingImport
    state: str
    url: str


# What the start page calls each state of an import that is not over.
UPLOAD_STATES = {
    State.PREVIEWING: "reading the file",
    State.PREVIEWED: "previewed: waiting for you to confirm",
    State.IMPORTING: "importing",
    State.FAILED: "failed",
}


def unfinished_imports(request) -> tuple[list[Upload], int]:
    """(the user's imports not over, how many of other editors' are at work): one query.
    Each of the user's links to its page (only its owner may open it)."""
    from kb.admin.importing import KEPT_FOR

    jobs = (
        PendingImport.objects.exclude(state=State.DONE)
        .filter(created_at__gte=timezone.now() - KEPT_FOR)
        .defer("data", "preview", "result")
        .order_by("-created_at")
    )
    mine, others = [], 0
    for job in jobs:
        stopped = background.interrupted(job)
        if job.user_id != request.user.pk:
            others += job.state in background.WORKING and not stopped
            continue
        state = "stopped without finishing" if stopped else UPLOAD_STATES[job.state]
        mine.append(Upload(job, state, reverse("admin:kb_video_import_status", args=[job.pk])))
    return mine, others


def start_page(site, request) -> dict:
    """The start page's context."""
    rows = waiting_work(site, request)
    uploads, others = unfinished_imports(request)
    can_import = request.user.has_perm("kb.add_video") and request.user.has_perm("kb.change_video")
    return {
        "waiting": rows,
        "anything_waiting": any(row.count for row in rows),
        "uploads": uploads,
        "others_importing": others,
        "others_importing_said": f"{others} import{pluralize(others)}",
        "import_url": reverse("admin:kb_video_import") if can_import else "",
    }
