"""Import one document: read → parse → link → store. Used by the command and the admin."""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath

from django.db import transaction

from kb import insights
from kb.importers import captions, markdown, speakers, ytdlp
from kb.importers.analysis import ParsedPage, parse_page
from kb.importers.documents import DocumentError, decode_text, source_hash
from kb.importers.store import (
    Outcome,
    attach_transcript,
    store_info,
    store_markdown,
    store_spoken,
    store_summary,
)
from kb.models import Video
from kb.search import tidy_index

FORMATS = ("auto", "summary", "ytdlp", "markdown", "speakers", "vtt", "srt", "json")
# About a two-hour video's page: bigger files report their progress as they go.
LONG_WORK_BYTES = 256 * 1024


def detect(name: str, text: str, fmt: str = "auto") -> str:
    if fmt != "auto":
        return fmt
    if ytdlp.is_info_name(name) or ytdlp.looks_like_info(text):
        return "ytdlp"
    if not name.lower().endswith((".vtt", ".srt", ".json")) and speakers.looks_spoken(text):
        return "speakers"
    if markdown.looks_like_lessons(text):
        return "markdown"
    if name.lower().endswith((".txt", ".md")):
        return "summary"
    return captions.detect_format(name, text) or "summary"


def _quiet(message: str) -> None:
    pass


@dataclass
class Document:
    """A file read and parsed, not yet stored: a summary page, a yt-dlp info.json (with
    the captions found beside it), Markdown lessons or a timed transcript."""

    name: str
    kind: str  # "summary", "ytdlp", "markdown", or the caption format
    digest: str
    size: int
    page: ParsedPage | None = None
    info: ytdlp.VideoInfo | None = None
    lessons: markdown.MarkdownLessons | None = None
    cues: list | None = None
    cues_name: str = ""
    cues_digest: str = ""
    spoken: speakers.SpokenTranscript | None = None


def read_document(
    name: str,
    data: bytes,
    fmt: str = "auto",
    progress=None,
    beside: dict[str, Callable[[], bytes]] | None = None,
) -> Document:
    """Parse (and, for a page, link) a file; raises DocumentError, with the line to blame.
    `beside`: for an info.json, the files next to it (name → reader); the captions yt-dlp
    wrote for it are chosen among them (ytdlp.captions_for) and read."""
    progress = progress if progress and len(data) >= LONG_WORK_BYTES else _quiet
    if data.startswith(b"PK\x03\x04"):  # else read as text, it is taken for UTF-16
        raise DocumentError(
            "this is a zip: give it a name ending in .zip to import the files it holds, "
            "or upload it in the admin"
        )
    text = decode_text(data)
    kind = detect(name, text, fmt)
    document = Document(name, kind, source_hash(data), len(data))
    if kind == "summary":
        progress(f"{name}: parsing and linking")
        document.page = parse_page(text)
    elif kind == "markdown":
        document.lessons = markdown.parse_lessons(text)
    elif kind == "speakers":
        document.spoken = speakers.parse_spoken(text)
    elif kind == "ytdlp":
        document.info = ytdlp.parse_info(text)
        document.digest = document.info.digest()
        chosen = ytdlp.captions_for(name, list(beside or {}), document.info.language)
        if chosen is not None:
            document.cues_name = chosen
            document.cues, document.cues_digest = _read_captions(chosen, beside[chosen]())
    else:
        document.cues = captions.parse_captions(text, kind)
    return document


def _read_captions(name: str, data: bytes) -> tuple[list, str]:
    """The captions beside an info.json; their faults name their own file."""
    try:
        text = decode_text(data)
        fmt = captions.detect_format(name, text)
        if fmt is None:
            raise DocumentError("not captions yt-dlp writes (WebVTT or SRT)")
        return captions.parse_captions(text, fmt), source_hash(data)
    except DocumentError as exc:
        raise DocumentError(f"its captions {exc.located(PurePath(name).name)}") from None


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
    if document.info is not None:
        if video_slug:
            raise DocumentError("--video is for timed transcripts; an info.json names its video")
        if youtube_id and youtube_id != document.info.youtube_id:
            raise DocumentError(
                f"--youtube says {youtube_id}, the info.json is of {document.info.youtube_id}"
            )
        outcome = store_info(
            document.info,
            digest=document.digest,
            cues=document.cues,
            cues_digest=document.cues_digest,
            publish=publish,
            update=update,
            dry_run=dry_run,
        )
        if document.cues_name and outcome.action != "unchanged":
            outcome.notes.insert(0, f"captions from {PurePath(document.cues_name).name}")
    elif document.spoken is not None:
        if video_slug:
            raise DocumentError("--video is for timed transcripts; this one names its video")
        spoken = document.spoken
        if youtube_id and spoken.youtube_id and youtube_id != spoken.youtube_id:
            raise DocumentError(f"--youtube says {youtube_id}, the file is of {spoken.youtube_id}")
        spoken.youtube_id = spoken.youtube_id or youtube_id
        progress(f"{name}: storing {len(spoken.turns)} turns")
        outcome = store_spoken(
            spoken, digest=document.digest, publish=publish, update=update, dry_run=dry_run
        )
    elif document.lessons is not None:
        front = document.lessons.front
        if video_slug:
            raise DocumentError("Markdown lessons name their video in their front matter")
        if youtube_id and front.get("youtube", youtube_id) != youtube_id:
            raise DocumentError(f"--youtube says {youtube_id}, the file's front matter "
                                f"{front['youtube']}", 1)  # fmt: skip
        front.setdefault("youtube", youtube_id)
        outcome = store_markdown(
            document.lessons, digest=document.digest, publish=publish, update=update,
            dry_run=dry_run,
        )  # fmt: skip
    elif document.page is not None:
        if video_slug:
            raise DocumentError(
                "--video is for timed transcripts; a summary page creates or finds its own video"
            )
        own = document.page.page.youtube_id
        if youtube_id and own and youtube_id != own:
            raise DocumentError(f"--youtube says {youtube_id}, the file is of {own}")
        progress(f"{name}: storing {len(document.page.segments)} segments")
        outcome = store_summary(
            document.page,
            digest=document.digest,
            publish=publish,
            update=update,
            youtube_id=youtube_id or own,
            dry_run=dry_run,
        )
    else:
        video = _transcript_video(document, video_slug, youtube_id)
        progress(f"{name}: storing {len(document.cues)} segments")
        outcome = attach_transcript(
            video, document.cues, digest=document.digest, update=update, dry_run=dry_run
        )
    if tidy and outcome.wrote:
        progress(f"{name}: tidying the search index")
        # Proposing insights compares the video's lessons with the whole base: a task's
        # work, once the import has committed, not the request's.
        after_import([outcome.video.pk], later=True)
    return outcome


def _transcript_video(document: Document, video_slug: str, youtube_id: str) -> Video:
    """The video a timed transcript belongs to: by --video, else by the YouTube id given
    or found in its name (yt-dlp's `Title [VIDEOID].en.vtt`)."""
    if video_slug:
        video = Video.objects.filter(slug=video_slug).first()
        if video is None:
            raise DocumentError(f"no video with the slug '{video_slug}'")
        return video
    youtube_id = youtube_id or ytdlp.video_id_in_name(document.name)
    if not youtube_id:
        raise DocumentError(
            f"a timed transcript ({document.kind}) needs --video SLUG: the video it belongs to"
        )
    video = Video.objects.filter(youtube_id=youtube_id).first()
    if video is None:
        raise DocumentError(
            f"no video has the YouTube id {youtube_id}: import its info.json or summary page "
            "first, or pass --video SLUG"
        )
    return video


def after_import(videos=None, *, later: bool = False):
    """What follows an import (or a batch of them), the one way every path does it: put
    the search index it wrote to in shape (see kb.search), and propose the insights the
    lessons of `videos` (ids of the videos it wrote; all lessons when None) share with
    other videos' (kb.insights). Returns what was proposed; with `later`, the proposing
    is a task (kb.importers.tasks) enqueued once the import's transaction commits, and
    None is returned."""
    tidy_index()
    if later:
        from kb.importers.tasks import propose_insights

        transaction.on_commit(lambda: propose_insights.enqueue(list(videos)))
        return None
    return insights.suggest(videos=videos)


def import_document(name: str, data: bytes, *, fmt: str = "auto", progress=None, **options):
    """read_document then store_document: the whole import of one file."""
    document = read_document(name, data, fmt, progress)
    return store_document(document, progress=progress, **options)
