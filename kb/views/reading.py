"""Pages readers browse: themes, lessons, quotes, videos.

Every query starts from `published()` (or `visible_to()`, which lets staff preview
drafts); related rows are loaded up front so each page runs a fixed number of queries.
The lists, filters and slug lookups the API, feeds and MCP tools share are kb.reads'.
"""

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import F, OuterRef, Subquery
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from kb import daily, markdown, reads
from kb.cache import reads_query
from kb.kept import (
    published_theme_counts,
    related_lessons,
    theme_neighbours,
)
from kb.models import (
    Lesson,
    Person,
    Quote,
    Suggestion,
    Theme,
    Video,
)
from kb.timeline import build_timeline
from kb.views.jsonld import video_json_ld

PER_PAGE = 20
FEATURED = 6
INSIGHTS_ON_THEME = 5


TOP_GUESTS = 12


def guests_saying(theme) -> list[reads.Voice]:
    """A theme's guests, the most prolific first, each with their strongest lesson."""
    lessons = Lesson.objects.with_video("chapter").defer("imported", "keywords", "body")
    return reads.voices_on(theme, TOP_GUESTS, lessons)


def site_root(request) -> str:
    """This site's scheme and host, for links read away from its pages."""
    return request.build_absolute_uri("/")[:-1]


class CountedPaginator(Paginator):
    """A paginator given its count, where it is already known (kept per content version),
    instead of counting thousands of rows again."""

    def __init__(self, object_list, per_page, count: int):
        super().__init__(object_list, per_page)
        self.known_count = count

    @property
    def count(self) -> int:
        return self.known_count


def paginate(request, queryset, count: int | None = None):
    """The page `?page=` asks for; `count`, when known, saves counting the rows."""
    paginator = (
        Paginator(queryset, PER_PAGE)
        if count is None
        else CountedPaginator(queryset, PER_PAGE, count)
    )
    return paginator.get_page(request.GET.get("page"))


def preview(response, obj_is_published: bool):
    """Drafts shown to staff must never be indexed or cached."""
    if not obj_is_published:
        response["X-Robots-Tag"] = "noindex, nofollow"
        response["Cache-Control"] = "no-cache, no-store, private"
    return response


@dataclass
class PersonFilter:
    person: Person | None
    unknown: str = ""
    redirect: HttpResponse | None = None


def person_filter(request) -> PersonFilter:
    """`?person=<slug>`: the person; an old slug redirects (301) to the new one; a slug
    nobody has is returned for the page to say so."""
    by = slug_filter(request, "person", Person, limit=1)
    return PersonFilter(
        by.found[0] if by.found else None, by.unknown[0] if by.unknown else "", by.redirect
    )


def first_lessons(videos):
    """Each of these videos' first published lesson: the home page's recent lessons come
    from several talks, not all from the newest one. One query (the first of each video
    is a subquery over that video's lessons only)."""
    first = (
        Lesson.objects.published()
        .filter(video=OuterRef("video_id"))
        .order_by("position", "pk")
        .values("pk")[:1]
    )
    return reads.lessons().filter(video__in=videos, pk=Subquery(first))


@reads_query()
@require_safe
def home(request):
    videos = list(Video.objects.published().with_counts()[:FEATURED])
    return render(
        request,
        "kb/home.html",
        {
            "themes": reads.themes().alphabetical("-lesson_count")[:24],
            "videos": videos,
            "featured": first_lessons(videos),
            "today": daily.lesson_for(
                timezone.localdate(), Lesson.objects.published().with_video()
            ),
        },
    )


@reads_query()
@require_safe
def theme_list(request):
    return render(request, "kb/theme_list.html", {"themes": reads.themes()})


def found_or_moved(request, model, slug: str, url_name: str):
    """(the object with `slug`, None), or (None, a permanent redirect to `url_name` for
    its slug now) when it was renamed or merged away; 404 when neither."""
    found = reads.find(model, slug)
    if found.obj is not None:
        return found.obj, None
    if found.moved is None:
        raise Http404(f"No {model._meta.verbose_name} {slug!r}.")
    query = f"?{request.GET.urlencode()}" if request.GET else ""
    url = reverse(url_name, args=[found.moved.slug])
    return None, HttpResponsePermanentRedirect(url + query)


def theme_or_redirect(request, slug, url_name="kb:theme"):
    return found_or_moved(request, Theme, slug, url_name)


@dataclass
class SlugFilter:
    """What a page's query string names by slug (`?tag=a&tag=b`, `?and=c`, `?person=d`)."""

    found: list
    unknown: list[str]
    redirect: HttpResponse | None = None


def slug_filter(request, param: str, model, limit: int) -> SlugFilter:
    """Old slugs of merged or renamed objects redirect (301) to the same page with their
    slug now; slugs nothing has are returned, for the page to say so."""
    slugs = list(dict.fromkeys(s for s in request.GET.getlist(param) if s))[:limit]
    if not slugs:
        return SlugFilter([], [])
    found, moved = reads.find_each(model, slugs)
    missing = [s for s in slugs if s not in found]
    if moved:
        query = request.GET.copy()
        query.setlist(param, [moved.get(s, s) for s in slugs])
        return SlugFilter([], [], HttpResponsePermanentRedirect(f"?{query.urlencode()}"))
    return SlugFilter([found[s] for s in slugs if s in found], missing)


def theme_filter(request, param: str, limit: int = 5) -> SlugFilter:
    return slug_filter(request, param, Theme, limit)


@reads_query("and", "person", "page")
@require_safe
def theme_detail(request, slug):
    theme, moved = theme_or_redirect(request, slug)
    if moved:
        return moved
    narrow, by = theme_filter(request, "and", limit=1), person_filter(request)
    if narrow.redirect or by.redirect:
        return narrow.redirect or by.redirect
    lessons = reads.lessons().under(theme)
    quotes = reads.quotes().under(theme)
    if by.person or by.unknown:
        lessons = lessons.by(by.person) if by.person else lessons.none()
        quotes = quotes.filter(speaker=by.person) if by.person else quotes.none()
    for other in narrow.found:
        lessons, quotes = lessons.under(other), quotes.under(other)
    if narrow.unknown:
        lessons, quotes = lessons.none(), quotes.none()
    neighbours = theme_neighbours(theme)  # themes to narrow by
    whole = not (narrow.found or narrow.unknown or by.person or by.unknown)
    return render(
        request,
        "kb/theme_detail.html",
        {
            "theme": theme,
            # Across guests first, on the theme's own page (not when narrowed).
            "insights": reads.insights().filter(themes=theme)[:INSIGHTS_ON_THEME] if whole else [],
            "guests": guests_saying(theme) if whole else [],
            "narrow": narrow.found[0] if narrow.found else None,
            "unknown": narrow.unknown,
            "person": by.person,
            "unknown_person": by.unknown,
            "neighbours": neighbours,
            "page": paginate(
                request, lessons, published_theme_counts()[0].get(theme.pk, 0) if whole else None
            ),
            "quotes": quotes[:10],
        },
    )


@reads_query("tag", "person", "video", "page")
@require_safe
def lesson_list(request):
    tags, by = theme_filter(request, "tag"), person_filter(request)
    if tags.redirect or by.redirect:
        return tags.redirect or by.redirect
    video, video_slug = None, request.GET.get("video", "")
    if video_slug:
        video = Video.objects.published().filter(slug=video_slug).first()
    lessons = reads.lessons_filtered(tags.found, by.person, video)
    if tags.unknown or by.unknown or (video_slug and video is None):
        lessons = lessons.none()  # an unknown theme, person or video matches nothing
    return render(
        request,
        "kb/lesson_list.html",
        {
            "page": paginate(request, lessons),
            "selected": tags.found,
            "unknown": tags.unknown,
            "video": video,
            "unknown_video": video_slug if video is None else "",
            "person": by.person,
            "unknown_person": by.unknown,
        },
    )


@reads_query()
@require_safe
def lesson_detail(request, slug):
    lesson = get_object_or_404(
        Lesson.objects.visible_to(request.user)
        .select_related("video", "chapter")
        .with_themes()
        .with_people()
        .prefetch_related("takeaways"),
        slug=slug,
    )
    quotes = list(
        Quote.objects.visible_to(request.user)
        .filter(lesson=lesson)
        .with_video("speaker")
        .order_by("start_seconds")
    )
    # Until an editor has confirmed a quote, show the best passage, marked as a suggestion.
    suggestion = (
        None
        if quotes
        else lesson.suggestions.filter(status=Suggestion.OPEN).order_by("rank").first()
    )
    related = related_lessons(lesson, Lesson.objects.published().with_video())
    response = render(
        request,
        "kb/lesson_detail.html",
        {
            "lesson": lesson,
            "quotes": quotes,
            "suggestion": suggestion,
            "related": related,
            # "N other guests say the same": counted by video, a video's guests one voice.
            "insights": reads.insights()
            .supported_by(lesson)
            .annotate(others=F("video_count") - 1)
            .filter(others__gt=0),
        },
    )
    return preview(response, lesson.is_published)


@reads_query("tag", "person", "page")
@require_safe
def quote_list(request):
    tags, by = theme_filter(request, "tag", limit=1), person_filter(request)
    if tags.redirect or by.redirect:
        return tags.redirect or by.redirect
    theme = tags.found[0] if tags.found else None
    quotes = reads.quotes_filtered(theme, by.person)
    if tags.unknown or by.unknown:
        quotes = quotes.none()
    return render(
        request,
        "kb/quote_list.html",
        {
            "page": paginate(request, quotes),
            "theme": theme,
            "unknown": tags.unknown,
            "person": by.person,
            "unknown_person": by.unknown,
        },
    )


@reads_query()
@require_safe
def quote_detail(request, pk):
    """A quote's own page: the words, who said them, where, and the clip that plays them."""
    quote = get_object_or_404(
        Quote.objects.visible_to(request.user)
        .with_video("chapter", "lesson", "speaker")
        .with_themes(),
        pk=pk,
    )
    response = render(
        request,
        "kb/quote_detail.html",
        {"quote": quote},
    )
    return preview(response, quote.is_published)


@reads_query("page")
@require_safe
def video_list(request):
    return render(request, "kb/video_list.html", {"page": paginate(request, reads.videos())})


@reads_query()
@require_safe
def video_detail(request, slug):
    video = get_object_or_404(Video.objects.visible_to(request.user), slug=slug)
    chapters = list(video.chapters.all())
    credits = list(video.credits.select_related("person"))
    lessons = list(
        Lesson.objects.visible_to(request.user)
        .filter(video=video)
        .select_related("chapter")
        .with_themes()
        .order_by("start_seconds", "position")
    )
    quotes = list(
        Quote.objects.visible_to(request.user)
        .filter(video=video)
        .with_video("lesson", "speaker")
        .order_by("start_seconds")
    )
    response = render(
        request,
        "kb/video_detail.html",
        {
            "video": video,
            "credits": credits,
            "json_ld": video_json_ld(request, video, credits),
            "chapters": chapters,
            "lessons": lessons,
            "quotes": quotes,
            "timeline": build_timeline(video, chapters, lessons, quotes),
        },
    )
    return preview(response, video.is_published)


def markdown_response(text: str, name: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{name}.md"'
    return response


@require_safe
def video_markdown(request, slug):
    """A video's published lessons as Markdown, in the shape `import_video FILE.md` reads
    back (kb.markdown): for notes, for another tool, or to move lessons between sites."""
    video = get_object_or_404(Video.objects.published(), slug=slug)
    lessons = (
        Lesson.objects.published()
        .filter(video=video)
        .order_by("position", "pk")
        .prefetch_related("takeaways")
        .with_published_quotes()
    )
    text = markdown.video_markdown(
        video, lessons, request.build_absolute_uri(video.get_absolute_url())
    )
    return markdown_response(text, video.slug)


@require_safe
def theme_markdown(request, slug):
    """One theme's lessons as Markdown, for readers who keep notes (Obsidian and the like)."""
    theme, moved = theme_or_redirect(request, slug, "kb:theme-markdown")
    if moved:
        return moved
    lessons = reads.lessons().under(theme).prefetch_related("takeaways")
    quotes = reads.quotes().under(theme)
    text = render_to_string(
        "kb/theme.md",
        {
            "theme": theme,
            "lessons": lessons,
            "quotes": quotes,
            "site": site_root(request),
        },
    )
    return markdown_response(text, theme.slug)
