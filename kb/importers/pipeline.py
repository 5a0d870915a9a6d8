"""Import one document: read → parse → link → store. Used by the command and the admin."""

from kb.importers import captions
from kb.importers.analysis import parse_page
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


def import_document(
    name: str,
    data: bytes,
    *,
    fmt: str = "auto",
    video_slug: str = "",
    youtube_id: str = "",
    publish: bool = False,
    update: bool = False,
    dry_run: bool = False,
    tidy: bool = True,
    progress=None,
) -> Outcome:
    """Raises DocumentError (with the line to blame, where there is one); stores nothing then.

    `progress`, when given, is called with a line of news before each step of long work
    (files over LONG_WORK_BYTES); short files just get their summary. `tidy=False` leaves
    tidying the search index to the caller: a batch does it once, at its end.
    """
    if progress is None or len(data) < LONG_WORK_BYTES:
        progress = lambda message: None  # noqa: E731
    text = decode_text(data)
    kind = detect(name, text, fmt)
    digest = source_hash(data)
    if kind == "summary":
        if video_slug:
            raise DocumentError(
                "--video is for timed transcripts; a summary page creates or finds its own video"
            )
        progress(f"{name}: parsing and linking")
        parsed = parse_page(text)
        progress(f"{name}: storing {len(parsed.segments)} segments")
        outcome = store_summary(
            parsed,
            digest=digest,
            publish=publish,
            update=update,
            youtube_id=youtube_id,
            dry_run=dry_run,
        )
        return _indexed(outcome, tidy, progress, name)
    if not video_slug:
        raise DocumentError(
            f"a timed transcript ({kind}) needs --video SLUG: the video it belongs to"
        )
    video = Video.objects.filter(slug=video_slug).first()
    if video is None:
        raise DocumentError(f"no video with the slug '{video_slug}'")
    cues = captions.parse_captions(text, kind)
    progress(f"{name}: storing {len(cues)} segments")
    outcome = attach_transcript(video, cues, digest=digest, update=update, dry_run=dry_run)
    return _indexed(outcome, tidy, progress, name)


def _indexed(outcome: Outcome, tidy: bool, progress, name: str) -> Outcome:
    """The import is committed; now tidy the search index it wrote to (see kb.search)."""
    if tidy and outcome.wrote:
        progress(f"{name}: tidying the search index")
        tidy_index()
    return outcome
