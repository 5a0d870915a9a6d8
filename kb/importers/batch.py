"""Several files imported together (a folder yt-dlp wrote, an editor's upload): which
file is a document of its own, which are captions belonging to an info.json, and the
order they go in (`plan`: plain names in, a plan out), and the import of files already
in memory (`run_batch`, for the admin's upload of several files or a zip).

yt-dlp names every file of a video `Title [VIDEOID].ext`; that id pairs them. Info.json
files go first (each makes or refreshes its video, with the captions beside it), then
captions of videos already known, then summary pages and Markdown lessons, which land
on the videos the first two made.
"""

import contextlib
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePath

from django.db import DatabaseError, transaction

from kb.importers import ytdlp
from kb.importers.documents import DocumentError

# How much a zip given to `import_video` may unpack to (the admin's upload has its own,
# smaller limit): a channel's export of a few hundred summaries is a few megabytes.
ZIP_LIMIT_BYTES = 200 * 1024 * 1024
# What an import reads, by how its name ends; anything else in a folder is skipped.
DOCUMENT_SUFFIXES = (".json", ".vtt", ".srt", ".txt", ".md")


@dataclass
class Planned:
    name: str
    youtube_id: str = ""  # from the name: the video a page or captions belong to
    beside: tuple[str, ...] = ()  # for an info.json: the caption files written with it


def _order(name: str) -> int:
    if ytdlp.is_info_name(name):
        return 0
    if name.lower().endswith((".vtt", ".srt", ".json")):
        return 1
    return 2


def plan(names: list[str]) -> tuple[list[Planned], list[str]]:
    """(the documents to import, in order; the names skipped as not documents)."""
    documents = [n for n in names if PurePath(n).name.lower().endswith(DOCUMENT_SUFFIXES)]
    skipped = [n for n in names if n not in documents]
    infos = [n for n in documents if ytdlp.is_info_name(n)]
    owned: dict[str, list[str]] = {n: [] for n in infos}
    for name in documents:
        owner = next((i for i in infos if ytdlp.written_with(i, name)), None)
        if owner is not None:
            owned[owner].append(name)
    taken = {name for names in owned.values() for name in names}
    planned = [
        Planned(n, ytdlp.video_id_in_name(n), tuple(owned.get(n, ())))
        for n in sorted(documents, key=_order)
        if n not in taken
    ]
    return planned, skipped


@dataclass
class FileResult:
    name: str
    line: str  # the importer's summary line, or `error: NAME…`
    ok: bool
    changed: bool = False  # it changes something (or, in a dry run or a preview, would)
    video_id: int | None = None
    warnings: list[str] = field(default_factory=list)  # doubts found while storing


def import_planned(
    item: Planned, read, *, fmt="auto", progress=None, youtube_id="", preview=False, **options
):
    """Import one planned file in its own transaction (kb.importers.pipeline), `read(name)`
    giving a file's content; returns its FileResult and the document read (None when it
    was refused). With `preview`, its line says "would have…" (the caller rolls back)."""
    from kb.importers.pipeline import read_document, store_document

    name = item.name
    try:
        data = read(name)
    except OSError as exc:
        return FileResult(name, f"error: {name}: cannot read it: {exc.strerror}", False), None
    beside = {other: (lambda other=other: read(other)) for other in item.beside}
    try:
        document = read_document(name, data, fmt, progress, beside)
        outcome = store_document(
            document, youtube_id=youtube_id or item.youtube_id, tidy=False, progress=progress,
            **options,
        )  # fmt: skip
    except DocumentError as exc:
        return FileResult(name, f"error: {exc.located(name)}", False), None
    except OSError as exc:
        return FileResult(name, f"error: {name}: cannot read a file beside it: {exc}", False), None
    except DatabaseError as exc:
        return FileResult(name, f"error: {name}: the database refused it: {exc}", False), None
    changed = outcome.action != "unchanged"
    outcome.dry_run = outcome.dry_run or preview
    result = FileResult(name, outcome.summary_line(), True, changed, outcome.video.pk)
    result.warnings = outcome.warnings
    return result, document


def run_batch(
    files: dict[str, bytes], *, preview: bool, **options
) -> tuple[list[FileResult], list[str]]:
    """Import `files` (name → content) in `plan` order, each file its own transaction, as
    `import_video DIR` does. A preview runs them all in one transaction rolled back at
    the end, so that a summary page lands on the video its info.json makes just before."""
    from kb.importers.pipeline import after_import

    planned, skipped = plan(list(files))
    results = []
    whole = transaction.atomic() if preview else contextlib.nullcontext()
    with whole:
        for item in planned:
            result, _ = import_planned(item, files.__getitem__, preview=preview, **options)
            # One line per file in the admin's table and messages.
            result.line = result.line.splitlines()[0]
            results.append(result)
        if preview:
            transaction.set_rollback(True)
    written = [r.video_id for r in results if r.changed]
    if not preview and written:
        after_import(written)
    return results, skipped


def read_zip(data: bytes, limit: int) -> dict[str, bytes]:
    """The files of a zip (a yt-dlp folder zipped), by their names without folders;
    DocumentError for a broken zip, or one that unpacks to more than `limit` bytes."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = [
            e for e in archive.infolist()
            if not e.is_dir() and not PurePath(e.filename).name.startswith(".")
            and "__MACOSX" not in PurePath(e.filename).parts
        ]  # fmt: skip
        if sum(e.file_size for e in entries) > limit:
            raise DocumentError(f"the zip unpacks to more than {limit // (1024 * 1024)} MB")
        files = {}
        for entry in entries:
            name = PurePath(entry.filename).name
            if name in files:
                raise DocumentError(f"the zip holds two files named '{name}'")
            files[name] = archive.read(entry)
        return files
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError) as exc:
        raise DocumentError(f"not a zip file that can be read: {exc}") from None


def pack_zip(files: dict[str, bytes]) -> bytes:
    """Several uploaded files kept as one, between the preview and the confirmation."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()
