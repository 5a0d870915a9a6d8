from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from kb.cache import reads_query
from kb.models import Lesson, Quote, QuoteSuggestion, Suggestion, Takeaway, Video
from kb.transcript import rows_html, transcript_rows
from kb.views.reading import preview


@reads_query()
@require_safe
def transcript(request, slug):
    video = get_object_or_404(Video.objects.visible_to(request.user), slug=slug)
    moments = [
        *Lesson.objects.visible_to(request.user)
        .filter(video=video, start_seconds__isnull=False)
        .values_list("start_seconds", flat=True),
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
    rows = transcript_rows(video.chapters.all(), segments, moments)
    response = render(request, "kb/transcript.html", {"video": video, "rows_html": rows_html(rows)})
    return preview(response, video.is_published)
