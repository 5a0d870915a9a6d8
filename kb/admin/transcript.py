"""Cut a quote from a video's transcript: tick consecutive lines, name the speaker, done."""

from django.contrib import messages
from django.contrib.admin.models import ADDITION, LogEntry
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse

from kb.curation import cut_quote
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
        ids = [int(pk) for pk in request.POST.getlist("segment") if pk.isdigit()]
        segments = list(video.segments.filter(pk__in=ids).select_related("chapter"))
        try:
            if len(segments) != len(set(ids)):
                raise ValueError("Some selected lines are not in this video's transcript.")
            quote = cut_quote(
                video,
                segments,
                speaker=request.POST.get("speaker", "").strip()[:200],
                first_words=request.POST.get("first_words", "")[:500],
                last_words=request.POST.get("last_words", "")[:500],
            )
        except ValueError as exc:
            messages.error(request, str(exc))
            return HttpResponseRedirect(request.get_full_path())
        LogEntry.objects.log_actions(
            request.user.pk, [quote], ADDITION, "Cut from the transcript", single_object=True
        )
        messages.success(
            request,
            f"Quote “{quote}” created as a draft at {format_timecode(quote.start_seconds)}.",
        )
        return HttpResponseRedirect(reverse("admin:kb_quote_change", args=[quote.pk]))
    segments = video.segments.filter(chapter=chapter) if chapter else video.segments.all()
    context = {
        **model_admin.admin_site.each_context(request),
        "title": f"Cut a quote: {video.title}",
        "opts": Video._meta,
        "video": video,
        "chapters": [(c, format_timecode(c.start_seconds)) for c in chapters],
        "chapter": chapter,
        "rows": [
            (s, format_timecode(s.start_seconds)) for s in segments.order_by("start_seconds", "id")
        ],
    }
    return TemplateResponse(request, "admin/kb/transcript.html", context)
