"""Import one document: read → parse → link → store. Used by the command and the admin."""

from kb.importers import captions, summary
from kb.importers.documents import DocumentError, decode_text, source_hash
from kb.importers.linking import link_sections
from kb.importers.store import Outcome, attach_transcript, store_summary
from kb.models import Video

FORMATS = ("auto", "summary", "vtt", "srt", "json")


def detect(name: str, text: str, fmt: str = "auto") -> str:
    if fmt != "auto":
        return fmt
    if name.lower().endswith((".txt", ".md")):
        return "summary"
    return captions.detect_format(name, text) or "summary"


def parse_page(text: str):
    """A summary page with its estimated segments and each section's link to its moment."""
    page = summary.parse_summary(text)
    segments = summary.estimate_segments(page)
    links = link_sections(
        [(s.title, "\n".join([s.prose, *s.takeaways])) for s in page.sections],
        [(c.title, c.text) for c in page.chapters],
        segments,
    )
    return page, segments, links


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
) -> Outcome:
    """Raises DocumentError (with the line to blame, where there is one); stores nothing then."""
    text = decode_text(data)
    kind = detect(name, text, fmt)
    digest = source_hash(data)
    if kind == "summary":
        if video_slug:
            raise DocumentError(
                "--video is for timed transcripts; a summary page creates or finds its own video"
            )
        page, segments, links = parse_page(text)
        return store_summary(
            page,
            links,
            segments,
            digest=digest,
            publish=publish,
            update=update,
            youtube_id=youtube_id,
            dry_run=dry_run,
        )
    if not video_slug:
        raise DocumentError(
            f"a timed transcript ({kind}) needs --video SLUG: the video it belongs to"
        )
    video = Video.objects.filter(slug=video_slug).first()
    if video is None:
        raise DocumentError(f"no video with the slug '{video_slug}'")
    cues = captions.parse_captions(text, kind)
    return attach_transcript(video, cues, digest=digest, update=update, dry_run=dry_run)
