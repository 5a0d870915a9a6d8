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
import copy
import ctypes
import functools
import io
import struct
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
    kept = set(documents)
    skipped = [n for n in names if n not in kept]
    infos = [n for n in documents if ytdlp.is_info_name(n)]
    # Looked up by name, not by testing every info.json against every file: thousands of
    # files would otherwise take minutes (ytdlp.written_with says what this finds).
    stems = {
        (PurePath(info).parent, PurePath(info).name[: -len(ytdlp.INFO_SUFFIX)] + "."): info
        for info in infos
    }
    rank = {info: i for i, info in enumerate(infos)}
    owned: dict[str, list[str]] = {n: [] for n in infos}
    for name in documents:
        owner = _owner(name, stems, rank)
        if owner is not None:
            owned[owner].append(name)
    taken = {name for names in owned.values() for name in names}
    planned = [
        Planned(n, ytdlp.video_id_in_name(n), tuple(owned.get(n, ())))
        for n in sorted(documents, key=_order)
        if n not in taken
    ]
    return planned, skipped


def _owner(name: str, stems: dict, rank: dict[str, int]) -> str | None:
    """The info.json whose stem begins `name`, if `name` is captions; of several, the first
    listed. A stem ends at a dot, so only the prefixes ending at one of name's dots are tried."""
    path = PurePath(name)
    if not ytdlp.is_caption_name(path.name):
        return None
    found = [
        stems[key]
        for at, char in enumerate(path.name)
        if char == "." and (key := (path.parent, path.name[: at + 1])) in stems
    ]
    return min(found, key=rank.__getitem__, default=None)


@dataclass
class FileResult:
    name: str
    line: str  # the importer's summary line, or `error: NAME…`
    ok: bool
    changed: bool = False  # it changes something (or, in a dry run or a preview, would)
    video_id: int | None = None
    warnings: list[str] = field(default_factory=list)  # doubts found while storing


def import_planned(item: Planned, read, **options):
    """Import one planned file in its own transaction (kb.importers.pipeline), `read(name)`
    giving a file's content; returns its FileResult and the document read (None when it
    was refused). With `preview`, its line says "would import…" (the caller rolls back).
    Options: those of `_import_one`."""
    try:
        return _import_one(item, read, **options)
    finally:
        release_memory()


def release_memory() -> None:
    """Give the memory a file's import used, and has freed, back to the system.

    A file's import needs a few tens of megabytes for a moment (its text, its segments,
    their vectors, the rows written), then frees them; glibc's malloc keeps most of what
    was freed for itself, so an import of hundreds of files grew by a few megabytes a
    file's peak at a time (170 → 206 MB over 302 transcripts) though what it holds stays
    the same. `malloc_trim` hands it back: a few milliseconds a file. Elsewhere than glibc
    (macOS, musl) nothing is done.
    """
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim():
    try:
        return getattr(ctypes.CDLL(None), "malloc_trim", None)
    except OSError:
        return None


def _import_one(
    item: Planned, read, *, fmt="auto", progress=None, youtube_id="", preview=False, **options
):
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
    from kb.importers.store.themer import one_vocabulary

    planned, skipped = plan(list(files))
    results = []
    whole = transaction.atomic() if preview else contextlib.nullcontext()
    with whole, one_vocabulary():
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


def read_zip(data: bytes, *, max_bytes: int, max_files: int) -> dict[str, bytes]:
    """The files of a zip (a yt-dlp folder zipped), by their names without folders;
    DocumentError for a broken zip, one of more than `max_files` files, or one that
    unpacks to more than `max_bytes` bytes: counted as it unpacks, whatever its header says.
    """
    megabytes = f"{max_bytes / (1024 * 1024):g} MB"
    _check_listed_files(data, max_files)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = [
            e for e in archive.infolist()
            if not e.is_dir() and not PurePath(e.filename).name.startswith(".")
            and "__MACOSX" not in PurePath(e.filename).parts
        ]  # fmt: skip
        if len(entries) > max_files:
            raise _too_many(max_files)
        if sum(e.file_size for e in entries) > max_bytes:
            raise DocumentError(f"the zip unpacks to more than {megabytes}, the most it may")
        files: dict[str, bytes] = {}
        left = max_bytes
        for entry in entries:
            name = PurePath(entry.filename).name
            if len(name) > MAX_NAME:
                raise DocumentError(f"the zip holds a file name longer than {MAX_NAME} characters")
            if name in files:
                raise DocumentError(f"the zip holds two files named '{name}'")
            files[name] = _unpack(archive, entry, left, megabytes)
            left -= len(files[name])
        return files
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError) as exc:
        raise DocumentError(f"not a zip file that can be read: {exc}") from None
    except NotImplementedError as exc:  # a compression zipfile does not read
        raise DocumentError(f"the zip cannot be unpacked here: {exc}") from None
    except RuntimeError:  # zipfile's word for a member that needs a password
        raise DocumentError("the zip is encrypted: zip the files without a password") from None


# A file name on every common file system is at most this long.
MAX_NAME = 255
# Room a file's entry takes in a zip's list of files, with a long name and extra fields.
LISTED_BYTES = 1024
# A deflated chunk read from a member at a time: a bomb inflates one chunk, not gigabytes.
CHUNK = 64 * 1024


def _check_listed_files(data: bytes, max_files: int) -> None:
    """Refuse a zip whose end record lists too many files, before zipfile reads every one
    of them into memory (a 20 MB zip of empty files lists a quarter of a million)."""
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 22 - 0xFFFF))
    if end < 0 or len(data) < end + 16:
        return  # not a zip: zipfile says so
    count, listed_bytes = struct.unpack("<HI", data[end + 10 : end + 16])
    # All ones: too many for this record, ZIP64's own holds it (the files are counted
    # again once zipfile has read them).
    if count != 0xFFFF and count > max_files:
        raise _too_many(max_files)
    if listed_bytes != 0xFFFFFFFF and listed_bytes > max_files * LISTED_BYTES:
        raise _too_many(max_files)


def _too_many(max_files: int) -> DocumentError:
    return DocumentError(f"the zip holds more than {max_files} files, the most an import takes")


def _unpack(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, left: int, megabytes: str):
    """A member's bytes, read a chunk at a time and counted, never more than `left`.

    zipfile stops reading a member at the size its header declares, which a forged zip
    sets to anything: the copy read here declares a little more than the whole allowance,
    so what is really there is counted. Its CRC is still checked at the member's end."""
    trusted = copy.copy(entry)
    trusted.file_size = left + CHUNK + 1  # never reached: reading stops past `left`
    parts, size = [], 0
    with archive.open(trusted) as stream:
        while chunk := stream.read(CHUNK):
            size += len(chunk)
            if size > left:
                raise DocumentError(f"the zip unpacks to more than {megabytes}, the most it may")
            parts.append(chunk)
    if size != entry.file_size:
        raise DocumentError(
            f"the zip is damaged or forged: {PurePath(entry.filename).name} holds {size} "
            f"bytes, its header says {entry.file_size}"
        )
    return b"".join(parts)


def pack_zip(files: dict[str, bytes]) -> bytes:
    """Several uploaded files kept as one, between the preview and the confirmation."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()
