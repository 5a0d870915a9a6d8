"""The read API, /api/v1/ (django-ninja): what readers see on the site, as JSON, with
its OpenAPI document at /api/v1/openapi.json and docs at /api/v1/docs.

Read-only and published-only: a draft is a 404 here as on the site, for everyone,
signed in or not. HTTP rules (cursor pagination, ETag and 304, Cache-Control, the
rate limit) are in kb.api.http; who reads what in kb.api.queries; the answers' shapes
in kb.api.schemas.
"""

from django.http import Http404, HttpRequest, HttpResponsePermanentRedirect
from django.urls import reverse
from ninja import NinjaAPI, Query
from ninja.errors import HttpError

from kb import reads
from kb import search as kb_search
from kb.api import answers, queries
from kb.api import schemas as out
from kb.api.http import Paging, http_rules, next_url, page_of, page_schema
from kb.models import Lesson, Person, Theme
from kb.search.query import MAX_QUERY_CHARS

SEARCH_PER_PAGE = 10
PERSON_LESSONS = 20
PERSON_QUOTES = 10
PERSON_THEMES = 12

api = NinjaAPI(
    title="Career lessons",
    version="1",
    description=(
        "Read-only: the published lessons, quotes, videos, themes, people and insights, "
        "each with its page `url` and, where it was said, `start_seconds` and "
        "`moment_url` (the moment on YouTube, or in the transcript). Lists are walked "
        "with `next` links (a cursor in id order)."
    ),
    urls_namespace="api",
)
api.add_decorator(http_rules, mode="view")

# What any operation may answer besides its own: 304 to a conditional GET (kb.api.http),
# 422 when a parameter is not of its type, 429 over the rate limit. Declared, so that the
# OpenAPI document tells clients every answer they can get.
EVERY = {304: None, 422: out.InvalidOut, 429: out.ErrorOut}
NOT_FOUND = {404: out.ErrorOut, **EVERY}
BAD_FILTER = {400: out.ErrorOut, **EVERY}
MOVED = {301: None, **NOT_FOUND}


def listing(item):
    """A list's answers: a page, or 400 for a cursor or filter it does not know."""
    return {200: page_schema(item), **BAD_FILTER}


def _absolute(request: HttpRequest):
    return request.build_absolute_uri


def _filter(resolve, slug: str | None):
    """A filter's slug as its object; one that names nothing is the client's mistake."""
    if not slug:
        return None
    try:
        return resolve(slug)
    except queries.Unknown as exc:
        raise HttpError(400, str(exc)) from None


def _one(queryset, what: str, **lookup):
    """The one row readers may see with `lookup`, else a JSON 404 naming what is missing."""
    found = queryset.filter(**lookup).first()
    return found if found is not None else _not_found(what, next(iter(lookup.values())))


def _not_found(what: str, value):
    raise Http404(f"no {what} {value!r}")


def _item(resolve, slug: str):
    try:
        return resolve(slug)
    except queries.Unknown as exc:
        raise Http404(str(exc)) from None


def _found_or_moved(request, queryset, model, slug: str, name: str):
    """The theme or person readers see with `slug`; for an old slug of a renamed or merged
    one, a permanent redirect to its slug now; else a JSON 404."""
    found = queryset.filter(slug=slug).first()
    if found is not None:
        return found
    moved = reads.moved_from(model, slug)
    if moved is None:
        _not_found(name, slug)
    url = reverse(f"{api.urls_namespace}:{name}", kwargs={"slug": moved.slug}, query=request.GET)
    return HttpResponsePermanentRedirect(url)


@api.get("/lessons", response=listing(out.LessonOut), tags=["lessons"])
def list_lessons(
    request,
    paging: Query[Paging],
    theme: list[str] = Query([], description="Lessons under every one of these themes."),
    person: str | None = Query(None, description="Lessons this person gives."),
    video: str | None = Query(None, description="Lessons from this video."),
):
    """Published lessons with their takeaways, themes and people."""
    themes = [_filter(queries.theme, slug) for slug in dict.fromkeys(theme) if slug]
    found = queries.lessons_filtered(
        themes, _filter(queries.person, person), _filter(queries.video, video)
    )
    absolute = _absolute(request)
    return page_of(request, found, paging, lambda lesson: out.lesson_out(lesson, absolute))


@api.get("/lessons/{slug}", response={200: out.LessonDetail, **NOT_FOUND}, tags=["lessons"])
def get_lesson(request, slug: str):
    """One lesson, with the quotes behind it."""
    return _item(lambda s: answers.lesson_detail(s, _absolute(request)), slug)


@api.get("/quotes", response=listing(out.QuoteOut), tags=["quotes"])
def list_quotes(
    request,
    paging: Query[Paging],
    theme: str | None = Query(None, description="Quotes under this theme."),
    person: str | None = Query(None, description="Quotes this person said."),
):
    """Published quotes: the words, who said them, and the span to play."""
    found = queries.quotes_filtered(_filter(queries.theme, theme), _filter(queries.person, person))
    absolute = _absolute(request)
    return page_of(request, found, paging, lambda quote: out.quote_out(quote, absolute))


@api.get("/quotes/{int:quote_id}", response={200: out.QuoteOut, **NOT_FOUND}, tags=["quotes"])
def get_quote(request, quote_id: int):
    quote = _one(queries.quotes(), "quote", pk=quote_id)
    return out.quote_out(quote, _absolute(request))


@api.get("/videos", response=listing(out.VideoOut), tags=["videos"])
def list_videos(request, paging: Query[Paging]):
    """Published videos, with their guests and hosts."""
    absolute = _absolute(request)
    return page_of(request, queries.videos(), paging, lambda row: out.video_out(row, absolute))


@api.get("/videos/{slug}", response={200: out.VideoDetail, **NOT_FOUND}, tags=["videos"])
def get_video(request, slug: str):
    """A video with its chapters and lessons, each on its moment."""
    video = _one(queries.videos(), "video", slug=slug)
    absolute = _absolute(request)
    lessons = (
        Lesson.objects.published()
        .filter(video=video)
        .only("slug", "title", "start_seconds", "video_id")
        .order_by("start_seconds", "position")
    )
    return out.VideoDetail(
        **out.video_out(video, absolute).model_dump(),
        headline=video.headline,
        chapters=[out.chapter_out(c, video, absolute) for c in video.chapters.all()],
        lessons=[out.lesson_ref(lesson, absolute, video) for lesson in lessons],
    )


@api.get("/themes", response=listing(out.ThemeOut), tags=["themes"])
def list_themes(request, paging: Query[Paging]):
    """Themes with something published under them, with readers' counts."""
    absolute = _absolute(request)
    return page_of(request, queries.themes(), paging, lambda row: out.theme_out(row, absolute))


@api.get("/themes/{slug}", response={200: out.ThemeOut, **MOVED}, tags=["themes"], url_name="theme")
def get_theme(request, slug: str):
    """A theme; its lessons are `/lessons?theme=<slug>`, its quotes `/quotes?theme=<slug>`."""
    theme = _found_or_moved(request, queries.themes(), Theme, slug, "theme")
    if isinstance(theme, HttpResponsePermanentRedirect):
        return theme
    return out.theme_out(theme, _absolute(request))


@api.get("/themes/{slug}/guests", response={200: out.GuestsOut, **NOT_FOUND}, tags=["themes"])
def get_theme_guests(request, slug: str):
    """What each guest says on this theme (their lessons, on their moments), and the
    insights several of them share, with the evidence."""
    theme = _item(queries.theme, slug)
    return answers.guests_on(theme, _absolute(request))


@api.get("/people", response=listing(out.PersonOut), tags=["people"])
def list_people(request, paging: Query[Paging]):
    """Guests and hosts with something published, with readers' counts."""
    absolute = _absolute(request)
    return page_of(request, queries.people(), paging, lambda row: out.person_out(row, absolute))


@api.get(
    "/people/{slug}",
    response={200: out.PersonDetail, **MOVED},
    tags=["people"],
    url_name="person",
)
def get_person(request, slug: str):
    """Everything one person said: their videos, themes, latest lessons and quotes."""
    person = _found_or_moved(request, queries.people(), Person, slug, "person")
    if isinstance(person, HttpResponsePermanentRedirect):
        return person
    absolute = _absolute(request)
    lessons = queries.lessons().by(person).order_by("-video__published_on", "video_id", "position")
    said = queries.quotes().filter(speaker=person).order_by("-video__published_on", "start_seconds")
    lessons_url = request.build_absolute_uri(f"/api/v1/lessons?person={person.slug}")
    return out.PersonDetail(
        **out.person_out(person, absolute).model_dump(),
        videos=[
            out.PersonVideo(video=out.video_ref(c.video, absolute), role=c.role)
            for c in queries.person_videos(person)
        ],
        themes=[
            out.ThemeCount(**out.theme_ref(t, absolute).model_dump(), lessons=t.said)
            for t in queries.person_themes(person, PERSON_THEMES)
        ],
        lessons=[out.lesson_out(lesson, absolute) for lesson in lessons[:PERSON_LESSONS]],
        lessons_url=lessons_url,
        quotes=[out.quote_out(q, absolute) for q in said[:PERSON_QUOTES]],
        quotes_url=request.build_absolute_uri(f"/api/v1/quotes?person={person.slug}"),
        insights=[
            out.insight_ref(i, absolute)
            for i in queries.insights().involving(person)[:PERSON_THEMES]
        ],
    )


@api.get("/insights", response=listing(out.InsightOut), tags=["insights"])
def list_insights(request, paging: Query[Paging]):
    """Advice several guests give, with how many voices and videos say it."""
    absolute = _absolute(request)
    return page_of(request, queries.insights(), paging, lambda row: out.insight_out(row, absolute))


@api.get("/insights/{slug}", response={200: out.InsightDetail, **NOT_FOUND}, tags=["insights"])
def get_insight(request, slug: str):
    """An insight with its evidence: each voice on its moment, supporting or not."""
    insight = _one(queries.insights(), "insight", slug=slug)
    absolute = _absolute(request)
    return out.InsightDetail(
        **out.insight_out(insight, absolute).model_dump(),
        evidence=[out.evidence_out(v, absolute) for v in queries.evidence(insight)],
    )


@api.get("/search", response={200: out.SearchOut, **BAD_FILTER}, tags=["search"])
def search(
    request,
    q: str = Query(..., min_length=1, max_length=MAX_QUERY_CHARS, description=(
        'Words (each required), "exact phrases" and -exclusions, as on /search/.'
    )),
    theme: str | None = Query(None),
    person: str | None = Query(None),
    speaker: str | None = Query(None, description=(
        "Only what this person says: their lessons, quotes and transcript lines."
    )),
    video: str | None = Query(None),
    page: int = Query(1, ge=1, le=kb_search.MAX_LESSONS // SEARCH_PER_PAGE),
):  # fmt: skip
    """The site's search: lessons ranked (ten a page, `next` for more), and on every
    page the best quotes, transcript moments, videos and people."""
    first = (page - 1) * SEARCH_PER_PAGE
    found = answers.search(
        q.replace("\x00", "").strip(),
        _absolute(request),
        theme=_filter(queries.theme, theme),
        person=_filter(queries.person, person),
        speaker=_filter(queries.person, speaker),
        video=_filter(queries.video, video),
        first=first,
        count=SEARCH_PER_PAGE,
    )
    if found.lesson_count > first + SEARCH_PER_PAGE:
        found.next = next_url(request, page=page + 1)
    return found


@api.get("/{path:rest}", include_in_schema=False)
def no_such_endpoint(request, rest: str):
    """A JSON 404 for any other address under /api/v1/, even with DEBUG on."""
    raise Http404(f"no endpoint /api/v1/{rest}")
