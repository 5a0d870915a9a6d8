from django.core.paginator import Paginator
from django.http import QueryDict
from django.shortcuts import render
from django.views.decorators.http import require_safe

from kb import search as kb_search
from kb.cache import reads_query
from kb.kept import kept_per_version
from kb.models import Person, Theme, Video
from kb.search.query import MAX_QUERY_CHARS

# Ten lessons a page, with quotes and transcript moments beside them: a page to scan.
SEARCH_PER_PAGE = 10


def _more_url(params) -> str:
    """This search again, with more lessons close in meaning (from the first page)."""
    kept = QueryDict(mutable=True)
    for name in ("q", "theme", "video", "person", "speaker"):
        if params.get(name):
            kept[name] = params[name]
    kept["more"] = "1"
    return "?" + kept.urlencode()


def _themes_by_name() -> list[Theme]:
    return list(Theme.objects.alphabetical())


@reads_query("q", "theme", "video", "person", "speaker", "page", "more")
@require_safe
def search(request):
    query = request.GET.get("q", "").replace("\x00", "").strip()[:MAX_QUERY_CHARS]
    theme = (
        Theme.objects.filter(slug=request.GET["theme"]).first()
        if request.GET.get("theme")
        else None
    )
    video = (
        Video.objects.published().filter(slug=request.GET["video"]).first()
        if request.GET.get("video")
        else None
    )
    person = (
        Person.objects.filter(slug=request.GET["person"]).first()
        if request.GET.get("person")
        else None
    )
    speaker = (
        Person.objects.filter(slug=request.GET["speaker"]).first()
        if request.GET.get("speaker")
        else None
    )
    results = (
        kb_search.search(
            query,
            theme=theme,
            video=video,
            person=person,
            speaker=speaker,
            more=request.GET.get("more") == "1",
        )  # fmt: skip
        if query
        else None
    )
    page = None
    if results:
        page = Paginator(results.lessons, SEARCH_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "kb/search.html",
        {
            "query": query,
            "results": results,
            "page": page,
            "theme": theme,
            "video": video,
            "person": person,
            "speaker": speaker,
            "more": request.GET.get("more") == "1",
            "more_url": _more_url(request.GET),
            # Every search page lists them: read once per content version (a rename moves it).
            "themes": kept_per_version("themes by name", _themes_by_name),
        },
    )
