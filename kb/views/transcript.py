from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_safe

from kb.cache import reads_query
from kb.models import Lesson, Quote, QuoteSuggestion, Suggestion, Takeaway, Video
from kb.transcript import index_html, sections_html, transcript_sections
from kb.views.reading import preview


@reads_query("from")
@require_safe
def transcript(request, slug):
    video = get_object_or_404(Video.objects.visible_to(request.user), slug=slug)
    # One query gives the lessons' moments, the index's "said here" links and the lesson
    # a reader came from (a moment link from a lesson's page says `?from=<its slug>`).
    lessons = list(
        Lesson.objects.visible_to(request.user)
        .filter(video=video)
        .values_list("chapter_id", "start_seconds", "title", "slug")
    )
    came_from = request.GET.get("from")
    from_lesson = next((lesson for lesson in lessons if lesson[3] == came_from), None)
    if came_from is not None and from_lesson is None:
        # Not a lesson of this video a reader may see: the page without it (the browser
        # keeps the #t- fragment across the redirect), so made-up values are not cached.
        return redirect(request.path)
    moments = [
        *(start for _, start, _, _ in lessons if start is not None),
        *Takeaway.objects.visible_to(request.user)
        .filter(lesson__video=video, start_seconds__isnull=False)
        .values_list("start_seconds", flat=True),
        *Quote.objects.visible_to(request.user)
        .filter(video=video)
        .values_list("start_seconds", flat=True),
        *QuoteSuggestion.objects.filter(
            lesson__in=Lesson.objects.visible_to(request.user).filter(video=video),
            status=Suggestion.OPEN,
        ).values_list("start_seconds", flat=True),
    ]
    # Who speaks comes in the same query (a join), not one a line.
    segments = video.segments.values_list(
        "start_seconds", "text", "exact", "speaker__name", "speaker__slug"
    )
    sections = transcript_sections(
        video.chapters.values_list("id", "title", "start_seconds"),
        segments,
        moments,
        lessons,
        video.duration_seconds or 0,
    )
    context = {
        "video": video,
        "index_html": index_html(sections) if len(sections) > 1 else "",
        "sections_html": sections_html(sections, video.transcript_exact),
        "from_lesson": from_lesson and {"title": from_lesson[2], "slug": from_lesson[3]},
    }
    response = render(request, "kb/transcript.html", context)
    return preview(response, video.is_published)
