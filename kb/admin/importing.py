"""Import a summary page or a timed transcript from the browser: upload, preview, confirm.

The same importer as `manage.py import_video`, with the same rules and errors. The
upload is kept on the server (`PendingImport`) between the preview, which is a dry run,
and the confirmation, so what is confirmed is exactly what was previewed and the form
never carries the file back. Files over BACKGROUND_BYTES are previewed and imported
outside the request, in a thread of the web process; their page shows the progress
until the work is done. An import is one transaction either way: a worker that dies
half-way stores nothing, and its page then says so.
"""

import datetime
import logging
import threading

from django import forms
from django.contrib import messages
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from kb.importers.documents import DocumentError, source_hash
from kb.importers.pipeline import FORMATS, Document, import_document, read_document, store_document
from kb.importers.summary import reading_report
from kb.importers.youtube import parse_youtube_id
from kb.models import PendingImport, Video
from kb.timecodes import format_timecode

MAX_UPLOAD = 20 * 1024 * 1024
# Bigger files take longer than a request should: they are worked on in the background.
BACKGROUND_BYTES = 1024 * 1024
# A preview or import that has said nothing for this long was cut off (a restart).
STALLED = datetime.timedelta(minutes=15)
KEPT_FOR = datetime.timedelta(days=1)
State = PendingImport.State
log = logging.getLogger(__name__)


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

    def options(self) -> dict:
        video = self.cleaned_data["video"]
        return {
            "fmt": self.cleaned_data["format"] or "auto",
            "video_slug": video.slug if video else "",
            "youtube_id": self.cleaned_data["youtube"],
            "publish": self.cleaned_data["publish"],
            "update": self.cleaned_data["update"],
        }


def describe(document: Document) -> dict:
    """What the preview shows besides the importer's own summary line."""
    if document.page is not None:
        parsed = document.page
        chapters = parsed.page.chapters
        return {
            "kind": "summary page",
            "title": parsed.page.title,
            # The lessons are in the table below; the first line sums up the rest.
            "read": reading_report(parsed.page)[0],
            "boilerplate": parsed.page.boilerplate,
            "warnings": [
                f"{document.name}:{line}: {message}" if line else f"{document.name}: {message}"
                for line, message in parsed.page.warnings
            ],
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
    cues = document.cues
    return {
        "kind": f"timed transcript ({document.kind})",
        "cues": len(cues),
        "span": f"{format_timecode(cues[0].start_seconds)}–{format_timecode(cues[-1].end_seconds)}",
    }


def _reporter(job_id):
    def progress(message: str) -> None:
        PendingImport.objects.filter(pk=job_id).update(progress=message, updated_at=timezone.now())

    return progress


def _finish(job_id, **fields) -> None:
    PendingImport.objects.filter(pk=job_id).update(updated_at=timezone.now(), **fields)


def run_preview(job_id) -> None:
    """The dry run: parse, link and store in a transaction that is rolled back."""
    job = PendingImport.objects.get(pk=job_id)
    options = dict(job.options)
    fmt = options.pop("fmt", "auto")
    try:
        document = read_document(job.name, bytes(job.data), fmt, _reporter(job.pk))
        outcome = store_document(document, dry_run=True, progress=_reporter(job.pk), **options)
    except DocumentError as exc:
        _finish(job.pk, state=State.FAILED, result=exc.located(job.name), data=b"")
        return
    preview = describe(document) | {
        "summary": outcome.summary_line(),
        "unchanged": outcome.action == "unchanged",
    }
    _finish(job.pk, state=State.PREVIEWED, preview=preview, progress="")


def run_import(job_id) -> None:
    job = PendingImport.objects.select_related("user").get(pk=job_id)
    try:
        outcome = import_document(
            job.name, bytes(job.data), progress=_reporter(job.pk), **job.options
        )
    except DocumentError as exc:
        _finish(job.pk, state=State.FAILED, result=exc.located(job.name), data=b"")
        return
    except DatabaseError as exc:
        message = f"{job.name}: the database refused it: {exc}".splitlines()[0]
        _finish(job.pk, state=State.FAILED, result=message, data=b"")
        return
    if outcome.action != "unchanged":
        LogEntry.objects.log_actions(
            user_id=job.user.pk,
            queryset=[outcome.video],
            action_flag=ADDITION if outcome.action == "imported" else CHANGE,
            change_message=f"{outcome.summary_line()} (from {job.name}, in the browser)",
            single_object=True,
        )
    _finish(job.pk, state=State.DONE, result=outcome.summary_line(), video=outcome.video, data=b"")


def _in_background(work, job_id) -> None:
    try:
        work(job_id)
    except Exception:  # noqa: BLE001 - a thread has no one to raise to: record it
        log.exception("import %s stopped", job_id)
        _finish(job_id, state=State.FAILED, result="the import stopped unexpectedly (logged)")
    finally:
        connection.close()


def start(work, job: PendingImport) -> None:
    """Do `work` now (small files) or in a thread of this process (big ones)."""
    if len(job.data) < BACKGROUND_BYTES:
        work(job.pk)
    else:
        threading.Thread(
            target=_in_background, args=(work, job.pk), name=f"import-{job.pk}"
        ).start()


def _check(request) -> None:
    if not (request.user.has_perm("kb.add_video") and request.user.has_perm("kb.change_video")):
        raise PermissionDenied


def import_view(model_admin, request):
    """The form; an upload is stored and previewed; a confirmation is imported."""
    _check(request)
    if request.method == "POST" and "confirm" in request.POST:
        return _confirm(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        PendingImport.objects.filter(created_at__lt=timezone.now() - KEPT_FOR).delete()
        data = form.cleaned_data["file"].read()
        job = PendingImport.objects.create(
            user=request.user,
            name=form.cleaned_data["file"].name,
            digest=source_hash(data),
            data=data,
            options=form.options(),
        )
        start(run_preview, job)
        job.refresh_from_db()
        if job.state == State.PREVIEWING:
            return HttpResponseRedirect(_status_url(job))
        return _show(model_admin, request, job)
    return _render(model_admin, request, form=form)


def import_status_view(model_admin, request, job_id):
    """A preview or import at work (the page refreshes itself), a preview to confirm, or
    where the work ended: the video, or the error beside a new form."""
    _check(request)
    job = _job_or_none(request, job_id)
    if job is None:
        raise Http404("No such import: it has finished or expired.")
    if (
        job.state in (State.PREVIEWING, State.IMPORTING)
        and job.updated_at < timezone.now() - STALLED
    ):
        job.state = State.FAILED
        job.result = (
            f"{job.name}: the work stopped without finishing (the server may have restarted); "
            "nothing was stored: upload the file again"
        )
    if job.state == State.DONE:
        return _done(request, job)
    return _show(model_admin, request, job)


def _done(request, job):
    messages.success(request, job.result)
    job.delete()
    return HttpResponseRedirect(reverse("admin:kb_video_change", args=[job.video_id]))


def _confirm(request):
    job = _job_or_none(request, request.POST.get("upload", ""))
    if job is None:
        messages.error(
            request,
            "That preview has expired, was already imported or was altered: upload the file again.",
        )
        return HttpResponseRedirect(request.path)
    # Only one confirmation of a preview ever imports: a second click finds it taken.
    taken = PendingImport.objects.filter(pk=job.pk, state=State.PREVIEWED).update(
        state=State.IMPORTING, progress="waiting to start", updated_at=timezone.now()
    )
    if taken:
        start(run_import, job)
    job.refresh_from_db()
    if job.state == State.DONE:
        return _done(request, job)
    if job.state == State.FAILED:
        messages.error(request, job.result)
        job.delete()
        return HttpResponseRedirect(request.path)
    return HttpResponseRedirect(_status_url(job))


def _job_or_none(request, job_id) -> PendingImport | None:
    """The user's own pending import; anyone else's, or a forged id, is none."""
    try:
        return PendingImport.objects.filter(pk=job_id, user=request.user).first()
    except ValidationError:
        return None


def _status_url(job) -> str:
    return reverse("admin:kb_video_import_status", args=[job.pk])


def _render(model_admin, request, **context):
    return TemplateResponse(
        request,
        "admin/kb/import.html",
        {
            **model_admin.admin_site.each_context(request),
            "title": "Import a video",
            "opts": Video._meta,
            "form": ImportForm(),
            **context,
        },
    )


def _show(model_admin, request, job):
    if job.state == State.FAILED:
        job.delete()
        return _render(model_admin, request, error=job.result)
    return _render(
        model_admin,
        request,
        job=job,
        working=job.state in (State.PREVIEWING, State.IMPORTING),
        preview=job.preview if job.state == State.PREVIEWED else None,
        summary=job.preview.get("summary", ""),
        unchanged=job.preview.get("unchanged", False),
    )
