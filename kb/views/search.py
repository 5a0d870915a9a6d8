from django.shortcuts import render
from django.views.decorators.http import require_safe

from kb import search as kb_search
from kb.views.reading import paginate

MAX_QUERY = 200


@require_safe
def search(request):
    query = request.GET.get("q", "").replace("\x00", "").strip()[:MAX_QUERY]
    results = kb_search.search(query) if query else None
    page = paginate(request, results.lessons) if results else None
    return render(request, "kb/search.html", {"query": query, "results": results, "page": page})
