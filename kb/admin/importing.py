"""Import documents from the browser: upload, preview, confirm. One file (a summary page,
a yt-dlp info.json, Markdown lessons, a timed transcript), or several at once, or a zip
of a yt-dlp folder: those go through kb.importers.batch as `import_video DIR` does.

The same importer as `manage.py import_video`, with the same rules and errors. The
upload is kept on the server (`PendingImport`) between the preview, which is a dry run,
and the confirmation, so what is confirmed is exactly what was previewed and the form
never carries the file back. Files over BACKGROUND_BYTES, and uploads of more than
BACKGROUND_FILES documents, are previewed and imported outside the request, as tasks on the
queue that a worker process runs (kb.admin.background); their page shows the progress until
the work is done. An import is one transaction either way: a worker that dies half-way
stores nothing, and its page then says so and offers to try again.

The limits (settings IMPORT_MAX_MB, IMPORT_MAX_FILES, IMPORT_PENDING_PER_EDITOR) are in
docs/hardening.md, "Uploads and zips".
"""

import datetime
import logging

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError
from django.http import Http404, HttpResponseRedirect
from django.template.defaultfilters import pluralize
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from kb.admin import background
from kb.importers import batch
from kb.importers.documents import DocumentError, source_hash
from kb.importers.pipeline import FORMATS, Document, import_document, read_document, store_document
from kb.importers.summary import reading_report
from kb.importers.youtube import parse_youtube_id
from kb.models import PendingImport, Video
from kb.timecodes import format_timecode

# Bigger files, or more of them, take longer than a request should: they are worked on in
# the background.
BACKGROUND_BYTES = 1024 * 1024
BACKGROUND_FILES = 20
# Uploads not confirmed (or work not looked at) within this are removed.
KEPT_FOR = datetime.timedelta(days=1)
# Files a preview lists one by one (those refused first), and messages an import leaves.
PREVIEW_ROWS = 100
State = PendingImport.State
log = logging.getLogger(__name__)


def max_bytes() -> int:
    return settings.IMPORT_MAX_MB * 1024 * 1024


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Django's documented way to take several files in one field: a list, cleaned each."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        clean_one = super().clean
        if isinstance(data, list | tuple):
            return [clean_one(item, initial) for item in data] or [clean_one(None, initial)]
        return [clean_one(data, initial)]


class ImportForm(forms.Form):
    file = MultipleFileField(
        help_text="A summary page (.txt), yt-dlp's .info.json with its captions, Markdown "
        "lessons (.md), a timed transcript (.vtt, .srt, .json); several at once, or a .zip "
        "of a yt-dlp folder."
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
        uploads = self.cleaned_data["file"]
        if sum(upload.size for upload in uploads) > max_bytes():
            raise forms.ValidationError(
                f"Those files are larger than {settings.IMPORT_MAX_MB} MB together."
            )
        return uploads

    def batch(self) -> tuple[str, dict[str, bytes]] | None:
        """(a name for the upload, its files) when it is more than one document: several
        files, or a zip. None for one file. Raises DocumentError for a bad zip."""
        uploads = self.cleaned_data["file"]
        if len(uploads) == 1 and not uploads[0].name.lower().endswith(".zip"):
            return None
        files: dict[str, bytes] = {}
        left = max_bytes()  # for all the zips together, as for the upload
        for upload in uploads:
            if upload.name.lower().endswith(".zip"):
                unpacked = batch.read_zip(
                    upload.read(), max_bytes=left, max_files=settings.IMPORT_MAX_FILES
                )
            else:
                unpacked = {upload.name: upload.read()}
            for name, data in unpacked.items():
                if name in files:
                    raise DocumentError(f"two files are named '{name}'")
                files[name] = data
                left -= len(data)
        if len(files) > settings.IMPORT_MAX_FILES:
            raise DocumentError(
                f"those are more than {settings.IMPORT_MAX_FILES} files, the most an import takes"
            )
        name = uploads[0].name if len(uploads) == 1 else f"{len(uploads)} files"
        return name, files

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
    if document.info is not None:
        info = document.info
        return {
            "kind": "yt-dlp info.json",
            "title": f"{info.title} ({info.channel})" if info.channel else info.title,
            "read": info.chapter_note,
            "chapters": [(format_timecode(start), title) for start, title in info.chapters],
            "cues": len(document.cues or []),
        }
    if document.lessons is not None:
        return {
            "kind": "Markdown lessons",
            "lessons": [
                (
                    lesson.title, len(lesson.takeaways), "",
                    format_timecode(lesson.start_seconds)
                    if lesson.start_seconds is not None else "",
                )
                for lesson in document.lessons.lessons
            ],
        }  # fmt: skip
    if document.spoken is not None:
        spoken = document.spoken
        return {
            "kind": "speaker-labelled transcript"
            + ("" if spoken.timed else ", without times (estimated from its words)"),
            "title": spoken.title,
            "read": f"{len(spoken.turns)} turns by {', '.join(spoken.speakers[:6])}"
            + (" …" if len(spoken.speakers) > 6 else ""),
            "warnings": [
                f"{document.name}:{line}: {message}" if line else f"{document.name}: {message}"
                for line, message in spoken.warnings
            ],
        }
    cues = document.cues
    return {
        "kind": f"timed transcript ({document.kind})",
        "cues": len(cues),
        "span": f"{format_timecode(cues[0].start_seconds)}–{format_timecode(cues[-1].end_seconds)}",
    }


def _finish(job_id, **fields) -> None:
    PendingImport.objects.filter(pk=job_id).update(updated_at=timezone.now(), **fields)


def _options(job) -> dict:
    """The importer's options the upload was made with (not the task or worker doing it)."""
    return {k: v for k, v in job.options.items() if k not in background.OWN_OPTIONS}


def _batch_files(job) -> dict[str, bytes]:
    return batch.read_zip(
        bytes(job.data), max_bytes=max_bytes(), max_files=settings.IMPORT_MAX_FILES
    )


def _refused_first(results: list) -> list:
    """At most PREVIEW_ROWS of them, in order, but those refused before the rest: a page of
    a thousand rows would hide the few that need the editor."""
    if len(results) <= PREVIEW_ROWS:
        return results
    return sorted(results, key=lambda r: r.ok)[:PREVIEW_ROWS]


def run_batch_preview(job, options, progress) -> None:
    results, skipped = batch.run_batch(
        _batch_files(job), preview=True, progress=progress, **options
    )
    failed = sum(not r.ok for r in results)
    documents = f"{len(results)} document{pluralize(len(results))}"
    summary = f"{documents}: {len(results) - failed} to import, {failed} refused"
    if skipped:
        summary += f"; {len(skipped)} other file{pluralize(len(skipped))} skipped"
    listed = _refused_first(results)
    preview = {
        "kind": documents,
        "files": [(r.name, r.line, r.ok) for r in listed],
        "more": len(results) - len(listed),
        "skipped": skipped[:PREVIEW_ROWS],
        "more_skipped": max(0, len(skipped) - PREVIEW_ROWS),
        "summary": summary,
        "unchanged": all(r.ok and not r.changed for r in results),
    }
    _finish(job.pk, state=State.PREVIEWED, preview=preview, progress="")


def run_preview(job_id, progress=None) -> None:
    """The dry run: parse, link and store in a transaction that is rolled back."""
    job = PendingImport.objects.get(pk=job_id)
    options = _options(job)
    if options.pop("batch", False):
        return run_batch_preview(job, options, progress)
    fmt = options.pop("fmt", "auto")
    try:
        document = read_document(job.name, bytes(job.data), fmt, progress)
        outcome = store_document(document, dry_run=True, progress=progress, **options)
    except DocumentError as exc:
        _finish(job.pk, state=State.FAILED, result=exc.located(job.name), data=b"")
        return
    preview = describe(document) | {
        "summary": outcome.summary_line(),
        "unchanged": outcome.action == "unchanged",
    }
    _finish(job.pk, state=State.PREVIEWED, preview=preview, progress="")


def run_batch_import(job, options, progress) -> None:
    results, _ = batch.run_batch(_batch_files(job), preview=False, progress=progress, **options)
    for result in results:
        if result.changed:
            LogEntry.objects.log_actions(
                user_id=job.user.pk,
                queryset=Video.objects.filter(pk=result.video_id),
                action_flag=CHANGE,
                change_message=f"{result.line} (from {result.name}, in the browser)",
                single_object=True,
            )
    lines = [r.line for r in sorted(results, key=lambda r: r.ok)]  # refused first
    _finish(job.pk, state=State.DONE, result="\n".join(lines), video=None, data=b"")


def run_import(job_id, progress=None) -> None:
    job = PendingImport.objects.select_related("user").get(pk=job_id)
    options = _options(job)
    if options.pop("batch", False):
        return run_batch_import(job, options, progress)
    try:
        outcome = import_document(job.name, bytes(job.data), progress=progress, **options)
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


# The queue names a task by its module path and keeps its arguments as JSON: the job's id
# is all it carries, the upload staying in the database. The context gives the task's own
# id, so that a task left from before the work was started again does nothing.
@task(takes_context=True)
def preview_in_background(context, job_id: str) -> None:
    background.in_worker(run_preview, job_id, context.task_result.id)


@task(takes_context=True)
def import_in_background(context, job_id: str) -> None:
    background.in_worker(run_import, job_id, context.task_result.id)


QUEUED = {run_preview: preview_in_background, run_import: import_in_background}


def start(work, job: PendingImport) -> None:
    """Do `work` now (a small upload) or put it on the queue (a big one)."""
    documents = job.options.get("batch") or 1  # how many, for several files or a zip
    if len(job.data) < BACKGROUND_BYTES and documents <= BACKGROUND_FILES:
        background.run(work, job)
    else:
        background.enqueue(QUEUED[work], job)


def _check(request) -> None:
    if not (request.user.has_perm("kb.add_video") and request.user.has_perm("kb.change_video")):
        raise PermissionDenied


def import_view(model_admin, request):
    """The form; an upload is stored and previewed; a confirmation is imported."""
    _check(request)
    _purge()
    if request.method == "POST" and "confirm" in request.POST:
        return _confirm(request)
    if request.method == "POST" and "retry" in request.POST:
        return _retry(model_admin, request)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            several = form.batch()
        except DocumentError as exc:
            return _render(model_admin, request, error=exc.message)
        full = _make_room(request)
        if full:
            return _render(model_admin, request, error=full)
        if several is None:
            upload = form.cleaned_data["file"][0]
            name, data, options = upload.name, upload.read(), form.options()
        else:
            name, files = several
            data, options = batch.pack_zip(files), form.options() | {"batch": len(files)}
        job = PendingImport.objects.create(
            user=request.user, name=name, digest=source_hash(data), data=data, options=options
        )
        start(run_preview, job)
        return _started(model_admin, request, job)
    return _render(model_admin, request, form=form)


def _purge() -> None:
    """Uploads left unconfirmed, and work nobody came back to, go after KEPT_FOR: on every
    use of these pages, whoever uses them.

    Looked for before deleting: on SQLite a delete waits for the write lock a background
    import holds for minutes, and its page, refreshed every two seconds, must not."""
    old = PendingImport.objects.filter(created_at__lt=timezone.now() - KEPT_FOR)
    if old.exists():
        try:
            old.delete()
        except DatabaseError:
            log.warning("old uploads were not removed this time: the database is busy")


def _make_room(request) -> str:
    """Room for one more upload of this editor's, within IMPORT_PENDING_PER_EDITOR: their
    oldest uploads not at work (awaiting confirmation, ended, cut off) are dropped, with a
    message naming them. "" when there is room, else why not."""
    limit = settings.IMPORT_PENDING_PER_EDITOR
    kept = list(
        PendingImport.objects.filter(user=request.user)
        .order_by("-created_at")
        .only("pk", "name", "state", "updated_at", "options")
    )
    at_work = [job for job in kept if job.state in background.WORKING]
    at_work = [job for job in at_work if not background.interrupted(job)]
    if len(at_work) >= limit:
        return (
            f"You have {len(at_work)} uploads at work already, the most an editor may "
            "have at once: wait for one to finish, then upload again."
        )
    idle = [job for job in kept if job not in at_work]
    dropped = idle[max(0, limit - 1 - len(at_work)) :]
    if dropped:
        PendingImport.objects.filter(pk__in=[job.pk for job in dropped]).delete()
        names = ", ".join(job.name for job in dropped)
        messages.info(
            request,
            f"An editor keeps at most {limit} uploads awaiting confirmation: dropped the "
            f"oldest ({names}).",
        )
    return ""


def _started(model_admin, request, job):
    """After a preview was started: its page while it works, else the preview itself."""
    job.refresh_from_db()
    if job.state == State.PREVIEWING:
        return HttpResponseRedirect(_status_url(job))
    return _show(model_admin, request, job)


def import_status_view(model_admin, request, job_id):
    """A preview or import at work (the page refreshes itself), a preview to confirm, or
    where the work ended: the video, or the error beside a new form."""
    _check(request)
    _purge()
    job = _job_or_none(request, job_id)
    if job is None:
        raise Http404("No such import: it has finished or expired.")
    if background.interrupted(job):
        background.settle(job)
        return _render(model_admin, request, job=job, error=_cut_off(job), retry=True)
    if job.state == State.DONE:
        return _done(request, job)
    return _show(model_admin, request, job)


def _cut_off(job) -> str:
    """What a page says of work that stopped without finishing."""
    said = f"{job.name}: the work stopped without finishing (the server may have restarted); "
    if job.state == State.PREVIEWING:
        return said + "nothing was stored. Try again, or upload the file again."
    if job.options.get("batch"):
        return said + (
            "each file is imported on its own: those imported before it stopped are "
            "stored, the rest are not. Try again: what is already there stays unchanged."
        )
    return said + "nothing was stored. Try again, or upload the file again."


def _retry(model_admin, request):
    """Work that was cut off, started again from the upload kept on the server."""
    job = _job_or_none(request, request.POST.get("upload", ""))
    if job is None or not background.interrupted(job):
        messages.error(
            request, "That import is not waiting to be tried again: it has finished or expired."
        )
        return HttpResponseRedirect(request.path)
    # Only one click starts it again: a second finds the heartbeat it read has changed.
    taken = PendingImport.objects.filter(
        pk=job.pk, state=job.state, updated_at=job.updated_at
    ).update(progress="starting again", updated_at=timezone.now())
    if taken:
        start(run_preview if job.state == State.PREVIEWING else run_import, job)
    if job.state == State.PREVIEWING:
        return _started(model_admin, request, job)
    return _imported(request, job)


def _done(request, job):
    lines = job.result.splitlines()
    for line in lines[:PREVIEW_ROWS]:
        (messages.error if line.startswith("error: ") else messages.success)(request, line)
    rest = lines[PREVIEW_ROWS:]  # the refused come first: few or none are here
    if rest:
        refused = sum(line.startswith("error: ") for line in rest)
        messages.info(
            request, f"…and {len(rest)} more files: {len(rest) - refused} imported or "
            f"unchanged, {refused} refused.",
        )  # fmt: skip
    job.delete()
    if job.video_id is None:  # several documents: the videos they made or changed
        return HttpResponseRedirect(reverse("admin:kb_video_changelist"))
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
    return _imported(request, job)


def _imported(request, job):
    """After an import was started: where it ended, or its page while it works."""
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
        waiting=_waiting(job),
        preview=job.preview if job.state == State.PREVIEWED else None,
        summary=job.preview.get("summary", ""),
        unchanged=job.preview.get("unchanged", False),
    )


def _waiting(job) -> str:
    """What the page says of work no worker has taken yet, once that takes long."""
    waited = background.waiting(job)
    if waited is None or waited < background.STALLED:
        return ""
    minutes = int(waited.total_seconds() // 60)
    return (
        f"No task worker has taken it in {minutes} minute{pluralize(minutes)}: ask whoever runs "
        "the site whether one is running (manage.py db_worker). It will start as soon as "
        "one does; you can leave this page."
    )
