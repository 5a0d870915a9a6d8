"""Cut a quote or a lesson from a video's transcript: tick consecutive lines, name the
speaker (a quote) or give a title (a lesson), done."""

from django.contrib import messages
from django.contrib.admin.models import ADDITION, LogEntry
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse

from kb.curation import cut_lesson, cut_quote
from kb.models import Video
from kb.timecodes import format_timecode


def transcript_view(model_admin, request, video_id):
    if not request.user.has_perm("kb.add_quote"):
        raise PermissionDenied
    video = get_object_or_404(Video, pk=video_id)
    chapters = list(video.chapters.all())
    chapter = next(
        (c for c in chapters if str(c.pk) == request.GET.get("chapter")),
        chapters[0] if chapters else None,
    )
    if request.method == "POST":
        return _cut(request, video)
    segments = video.segments.filter(chapter=chapter) if chapter else video.segments.all()
    context = {
        **model_admin.admin_site.each_context(request),
        "title": f"Cut a quote or a lesson: {video.title}",
        "opts": Video._meta,
        "video": video,
        "chapters": [(c, format_timecode(c.start_seconds)) for c in chapters],
        "chapter": chapter,
        "rows": [
            (s, format_timecode(s.start_seconds)) for s in segments.order_by("start_seconds", "id")
        ],
    }
    return TemplateResponse(request, "admin/kb/transcript.html", context)


def _cut(request, video):
    """The ticked lines become a draft quote, or, with "lesson" pressed, a draft lesson."""
    as_lesson = "lesson" in request.POST
    if as_lesson and not request.user.has_perm("kb.add_lesson"):
        raise PermissionDenied
    ids = [int(pk) for pk in request.POST.getlist("segment") if pk.isdigit()]
    segments = list(video.segments.filter(pk__in=ids).select_related("chapter"))
    words = {
        "first_words": request.POST.get("first_words", "")[:500],
        "last_words": request.POST.get("last_words", "")[:500],
    }
    try:
        if len(segments) != len(set(ids)):
            raise ValueError("Some selected lines are not in this video's transcript.")
        if as_lesson:
            made = cut_lesson(video, segments, request.POST.get("title", "")[:300], **words)
        else:
            speaker = request.POST.get("speaker", "").strip()[:200]
            made = cut_quote(video, segments, speaker=speaker, **words)
    except ValueError as exc:
        messages.error(request, str(exc))
        return HttpResponseRedirect(request.get_full_path())
    LogEntry.objects.log_actions(
        request.user.pk, [made], ADDITION, "Cut from the transcript", single_object=True
    )
    kind = "Lesson" if as_lesson else "Quote"
    messages.success(
        request,
        f"{kind} “{made}” created as a draft at {format_timecode(made.start_seconds)}.",
    )
    model = "lesson" if as_lesson else "quote"
    return HttpResponseRedirect(reverse(f"admin:kb_{model}_change", args=[made.pk]))
