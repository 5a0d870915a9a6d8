"""The public, read-only site. Every query starts from a `published()` queryset."""

from django.db import connection
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from kb.models import Lesson, Quote, Theme, TranscriptSegment, Video


@require_safe
def home(request):
    videos = Video.objects.published()[:10]
    return render(request, "kb/home.html", {"videos": videos})


@require_safe
def video_detail(request, slug):
    video = get_object_or_404(Video.objects.published(), slug=slug)
    lessons = Lesson.objects.published().filter(video=video).select_related("chapter")
    chapters = video.chapters.all()
    return render(
        request, "kb/video_detail.html", {"video": video, "lessons": lessons, "chapters": chapters}
    )


@require_safe
def lesson_detail(request, slug):
    lesson = get_object_or_404(
        Lesson.objects.published()
        .select_related("video", "chapter")
        .prefetch_related("takeaways", "tags"),
        slug=slug,
    )
    quotes = Quote.objects.published().filter(lesson=lesson)
    return render(request, "kb/lesson_detail.html", {"lesson": lesson, "quotes": quotes})


@require_safe
def transcript(request, slug):
    video = get_object_or_404(Video.objects.published(), slug=slug)
    segments = TranscriptSegment.objects.published().filter(video=video)
    return render(request, "kb/transcript.html", {"video": video, "segments": segments})


@require_safe
def theme_detail(request, slug):
    theme = get_object_or_404(Theme, slug=slug)
    lessons = (
        Lesson.objects.published()
        .filter(tags=theme)
        .select_related("video")
        .order_by("-video__published_on", "video", "position")
    )
    return render(request, "kb/theme_detail.html", {"theme": theme, "lessons": lessons})


@never_cache
@require_safe
def healthz(request):
    """For load balancers: 200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # noqa: BLE001 - any database failure means "unhealthy"
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")
