"""Import a summary page or a timed transcript from the browser: upload, preview, confirm.

The same importer as `manage.py import_video`, with the same rules and errors. The
preview is a dry run; the file travels to the confirm step signed, so what is confirmed
is exactly what was previewed.
"""

import base64

from django import forms
from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from kb.importers.analysis import parse_page
from kb.importers.captions import parse_captions
from kb.importers.documents import DocumentError, decode_text
from kb.importers.pipeline import FORMATS, detect, import_document
from kb.importers.youtube import parse_youtube_id
from kb.models import Video
from kb.timecodes import format_timecode

MAX_UPLOAD = 20 * 1024 * 1024
SALT = "kb.admin.import"


class ImportForm(forms.Form):
    file = forms.FileField(
        help_text="A summary page (.txt) or a timed transcript (.vtt, .srt, .json)."
    )
    video = forms.ModelChoiceField(
        Video.objects.order_by("title"),
        required=False,
        help_text="For a timed transcript: the video it belongs to.",
    )
    format = forms.ChoiceField(choices=[(f, f) for f in FORMATS], initial="auto", required=False)
    youtube = forms.CharField(required=False, label="YouTube URL or id")
    publish = forms.BooleanField(required=False, help_text="Publish what a summary page creates.")
    update = forms.BooleanField(
        required=False, help_text="Refresh a changed file, keeping editors' work."
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError("That file is larger than 20 MB.")
        return upload

    def clean_youtube(self):
        value = self.cleaned_data["youtube"].strip()
        if not value:
            return ""
        try:
            return parse_youtube_id(value)
        except DocumentError as exc:
            raise forms.ValidationError(exc.message) from None


def describe(name: str, data: bytes, fmt: str) -> dict:
    """What the preview shows besides the importer's own summary line."""
    text = decode_text(data)
    kind = detect(name, text, fmt)
    if kind == "summary":
        parsed = parse_page(text)
        chapters = parsed.page.chapters
        return {
            "kind": "summary page",
            "title": parsed.page.title,
            "chapters": [(format_timecode(c.start_seconds), c.title) for c in chapters],
            "lessons": [
                (
                    section.title,
                    len(section.takeaways),
                    chapters[link.chapter].title if link else "",
                    format_timecode(link.start_seconds) if link else "",
                )
                for section, link in zip(parsed.page.sections, parsed.links, strict=True)
            ],
        }
    cues = parse_captions(text, kind)
    return {
        "kind": f"timed transcript ({kind})",
        "cues": len(cues),
        "span": f"{format_timecode(cues[0].start_seconds)}–{format_timecode(cues[-1].end_seconds)}",
    }


def import_view(model_admin, request):
    if not (request.user.has_perm("kb.add_video") and request.user.has_perm("kb.change_video")):
        raise PermissionDenied
    context = {
        **model_admin.admin_site.each_context(request),
        "title": "Import a video",
        "opts": Video._meta,
    }
    if request.method == "POST" and "confirm" in request.POST:
        try:
            payload = signing.loads(request.POST["payload"], salt=SALT, max_age=3600)
        except signing.BadSignature:
            messages.error(
                request, "That preview has expired or was altered: upload the file again."
            )
            return HttpResponseRedirect(request.path)
        data = base64.b64decode(payload["data"])
        options = payload["options"]
        try:
            outcome = import_document(payload["name"], data, **options)
        except DocumentError as exc:
            messages.error(request, exc.located(payload["name"]))
            return HttpResponseRedirect(request.path)
        if outcome.action != "unchanged":
            log = (
                model_admin.log_addition if outcome.action == "imported" else model_admin.log_change
            )
            log(
                request,
                outcome.video,
                f"{outcome.summary_line()} (from {payload['name']}, in the browser)",
            )
        messages.success(request, outcome.summary_line())
        return HttpResponseRedirect(reverse("admin:kb_video_change", args=[outcome.video.pk]))

    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        video = form.cleaned_data["video"]
        options = {
            "fmt": form.cleaned_data["format"] or "auto",
            "video_slug": video.slug if video else "",
            "youtube_id": form.cleaned_data["youtube"],
            "publish": form.cleaned_data["publish"],
            "update": form.cleaned_data["update"],
        }
        try:
            outcome = import_document(upload.name, data, dry_run=True, **options)
            context["preview"] = describe(upload.name, data, options["fmt"])
            context["summary"] = outcome.summary_line()
            context["unchanged"] = outcome.action == "unchanged"
            context["payload"] = signing.dumps(
                {"name": upload.name, "data": base64.b64encode(data).decode(), "options": options},
                salt=SALT,
                compress=True,
            )
        except DocumentError as exc:
            context["error"] = exc.located(upload.name)
    context["form"] = form
    return TemplateResponse(request, "admin/kb/import.html", context)
