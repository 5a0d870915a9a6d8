"""Import one document: read → parse → link → store. Used by the command and the admin."""

from dataclasses import dataclass

from kb import insights
from kb.importers import captions
from kb.importers.analysis import ParsedPage, parse_page
from kb.importers.documents import DocumentError, decode_text, source_hash
from kb.importers.store import Outcome, attach_transcript, store_summary
from kb.models import Video
from kb.search import tidy_index

FORMATS = ("auto", "summary", "vtt", "srt", "json")
# About a two-hour video's page: bigger files report their progress as they go.
LONG_WORK_BYTES = 256 * 1024


def detect(name: str, text: str, fmt: str = "auto") -> str:
    if fmt != "auto":
        return fmt
    if name.lower().endswith((".txt", ".md")):
        return "summary"
    return captions.detect_format(name, text) or "summary"


def _quiet(message: str) -> None:
    pass


@dataclass
class Document:
    """A file read and parsed, not yet stored: a summary page or a timed transcript."""

    name: str
    kind: str  # "summary", or the caption format
    digest: str
    size: int
    page: ParsedPage | None = None
    cues: list | None = None


def read_document(name: str, data: bytes, fmt: str = "auto", progress=None) -> Document:
    """Parse (and, for a page, link) a file; raises DocumentError, with the line to blame."""
    progress = progress if progress and len(data) >= LONG_WORK_BYTES else _quiet
    text = decode_text(data)
    kind = detect(name, text, fmt)
    document = Document(name, kind, source_hash(data), len(data))
    if kind == "summary":
        progress(f"{name}: parsing and linking")
        document.page = parse_page(text)
    else:
        document.cues = captions.parse_captions(text, kind)
    return document


def store_document(
    document: Document,
    *,
    video_slug: str = "",
    youtube_id: str = "",
    publish: bool = False,
    update: bool = False,
    dry_run: bool = False,
    tidy: bool = True,
    progress=None,
) -> Outcome:
    """Store a read document in one transaction; raises DocumentError and stores nothing.

    `progress`, when given, is called with a line of news before each step of long work
    (files over LONG_WORK_BYTES). `tidy=False` leaves tidying the search index to the
    caller: a batch does it once, at its end.
    """
    progress = progress if progress and document.size >= LONG_WORK_BYTES else _quiet
    name = document.name
    if document.page is not None:
        if video_slug:
            raise DocumentError(
                "--video is for timed transcripts; a summary page creates or finds its own video"
            )
        progress(f"{name}: storing {len(document.page.segments)} segments")
        outcome = store_summary(
            document.page,
            digest=document.digest,
            publish=publish,
            update=update,
            youtube_id=youtube_id,
            dry_run=dry_run,
        )
    else:
        if not video_slug:
            raise DocumentError(
                f"a timed transcript ({document.kind}) needs --video SLUG: the video it belongs to"
            )
        video = Video.objects.filter(slug=video_slug).first()
        if video is None:
            raise DocumentError(f"no video with the slug '{video_slug}'")
        progress(f"{name}: storing {len(document.cues)} segments")
        outcome = attach_transcript(
            video, document.cues, digest=document.digest, update=update, dry_run=dry_run
        )
    if tidy and outcome.wrote:
        progress(f"{name}: tidying the search index and proposing insights")
        after_import()
    return outcome


def after_import():
    """Once an import (or a batch of them) is committed: put the search index it wrote
    to in shape (see kb.search), and propose the insights its lessons share with other
    videos' (kb.insights). Returns what was proposed."""
    tidy_index()
    return insights.suggest()


def import_document(name: str, data: bytes, *, fmt: str = "auto", progress=None, **options):
    """read_document then store_document: the whole import of one file."""
    document = read_document(name, data, fmt, progress)
    return store_document(document, progress=progress, **options)
