"""The one place that writes imported documents into the database, one transaction each.

Editors' work is never lost. Each imported object remembers the values it was imported
with (`imported`); a re-import with `--update` refreshes a field only where it still
holds that value, so anything an editor changed stays as the editor left it. Creating a
video is the same code as updating one: a new object simply has no snapshot yet.

This module is the entry, one `store_*` per kind of document (and `attach_transcript`,
`store_drafts`); the modules beside it are its parts: `refresh` (the rule, the imported
fields, the outcome), `timeline` (chapters, segments, moments), `lessons` (lessons,
takeaways, suggested quotes), `people`, `themer` (themes by meaning), `transcript`,
`spoken`, `markdown` and `machine_drafts`.

To import a new field: add it to the `*_FIELDS` list of its model (`refresh`), and give
the parsed document a value for it (`_video_values`, `lessons._lesson_values`).
"""

from typing import TYPE_CHECKING

from django.db import transaction

from kb.importers.analysis import link_page
from kb.importers.documents import DocumentError, Segment, header_identity
from kb.importers.linking import WordTimeline
from kb.importers.store.lessons import _store_lesson, lesson_keys
from kb.importers.store.machine_drafts import draft_if_lessonless, propose_drafts, store_drafts
from kb.importers.store.markdown import _markdown_video, _store_markdown
from kb.importers.store.people import _starts_name, _store_people, speaker_people
from kb.importers.store.refresh import INFO_FIELDS, VIDEO_FIELDS, Outcome, _retrying, refresh
from kb.importers.store.spoken import _same_talk
from kb.importers.store.themer import current_themer
from kb.importers.store.timeline import (
    SPAN,
    ChapterStart,
    _assign_chapters,
    _chapter_index,
    _drop_chapters,
    _replace_segments,
    _store_chapters,
    _stored_segments,
    move_moments,
)
from kb.importers.store.transcript import attach_transcript
from kb.importers.summary import SummaryPage
from kb.models import Chapter, Lesson, Status, Video, unique_slug

if TYPE_CHECKING:
    from kb.importers.analysis import ParsedPage
    from kb.importers.markdown import MarkdownLessons
    from kb.importers.ytdlp import VideoInfo

# The entries: every write of imported data goes through one of these.
__all__ = [
    "Outcome",
    "attach_transcript",
    "find_video",
    "propose_drafts",
    "store_drafts",
    "store_info",
    "store_markdown",
    "store_spoken",
    "store_summary",
]


def page_identity(page: SummaryPage) -> str:
    return header_identity(page.title, page.channel, page.published_on, page.duration_seconds)


def find_video(identity: str, youtube_id: str = "") -> Video | None:
    """The video a document is about: by its YouTube id when the import gives one, else by
    its import identity. Never by slug or title, which editors change and talks share."""
    if youtube_id:
        video = Video.objects.filter(youtube_id=youtube_id).first()
        # Else perhaps the same page, imported before without its id.
        return video or Video.objects.filter(import_key=identity, youtube_id="").first()
    matches = list(Video.objects.filter(import_key=identity).order_by("pk")[:3])
    if len(matches) > 1:
        slugs = ", ".join(v.slug for v in matches)
        raise DocumentError(
            f"several videos have this page's title, channel, date and length ({slugs}): "
            "pass --youtube to say which one it is"
        )
    return matches[0] if matches else None


def store_summary(
    parsed: "ParsedPage",
    *,
    digest: str,
    publish: bool = False,
    update: bool = False,
    youtube_id: str = "",
    dry_run: bool = False,
) -> Outcome:
    identity = page_identity(parsed.page)

    def write() -> Outcome:
        video = find_video(identity, youtube_id)
        if video is not None and video.source_hash == digest:
            return Outcome("unchanged", video, dry_run=dry_run)
        # A video no page made yet (from an info.json, or the admin) takes its first.
        if video is not None and video.source_hash and not update:
            raise DocumentError(
                f"video '{video.slug}' was imported from a different version of this page; "
                "use --update to refresh it (editors' changes are kept)"
            )
        outcome = _store_page(video, parsed, digest, identity, youtube_id, publish)
        outcome.dry_run = dry_run
        if dry_run:
            transaction.set_rollback(True)
        return outcome

    return _retrying(write)


def store_info(
    info: "VideoInfo",
    *,
    digest: str,
    cues: list | None = None,
    cues_digest: str = "",
    publish: bool = False,
    update: bool = False,
    dry_run: bool = False,
) -> Outcome:
    """Create or refresh a video from yt-dlp's info.json, and attach the captions beside
    it (`cues`) as its exact transcript, in one transaction. `digest` is of what the
    import reads (kb.importers.ytdlp.digest), so that a fresh download whose view count
    changed is not a new version."""

    def write() -> Outcome:
        video = Video.objects.filter(youtube_id=info.youtube_id).first()
        same_info = video is not None and video.imported.get("info_hash") == digest
        same_cues = cues is None or (
            video is not None and video.imported.get("transcript_hash") == cues_digest
        )
        if same_info and same_cues:
            return Outcome("unchanged", video, dry_run=dry_run)
        if video is not None and "info_hash" in video.imported and not same_info and not update:
            raise DocumentError(
                f"video '{video.slug}' was imported from a different version of this "
                "info.json; use --update to refresh it (editors' changes are kept)"
            )
        outcome = _store_info(video, info, digest, publish)
        if cues is None:
            outcome.notes.append("no captions beside it: the transcript comes with a summary "
                                 "page or `import_video CAPTIONS --video SLUG`")  # fmt: skip
        if cues is not None and not same_cues:
            _attach_beside(outcome, cues, cues_digest, update)
        outcome.video.refresh_from_db()
        outcome.dry_run = dry_run
        if dry_run:
            transaction.set_rollback(True)
        return outcome

    return _retrying(write)


def _store_info(video, info, digest, publish) -> Outcome:
    new = video is None
    if new:
        video = Video(
            slug=unique_slug(Video, info.title, info.youtube_id),
            youtube_id=info.youtube_id,
            status=Status.PUBLISHED if publish else Status.DRAFT,
            import_key=header_identity(
                info.title, info.channel, info.published_on, info.duration_seconds
            ),
        )
    old = None if new else video.imported
    fresh = {f.attr: getattr(info, f.attr) for f in INFO_FIELDS}
    snapshot = refresh(video, INFO_FIELDS, fresh, old)
    video.imported = {**(old or {}), **snapshot, "info_hash": digest}
    video.save()

    notes = []
    # The info's chapters are YouTube's own; they replace only chapters an earlier
    # info.json made (or none), never those of a summary page or an editor.
    own = new or (old or {}).get("chapters_from") == "info" or not video.chapters.exists()
    listed = [ChapterStart(start, title) for start, title in info.chapters]
    if listed and own:
        chapters, gone = _store_chapters(video, listed, (old or {}).get("chapters"))
        notes += _drop_chapters(gone, "the info.json")
        if video.segments.exists():
            _assign_chapters(video, chapters)
        video.imported = {
            **video.imported,
            "chapters": {str(c.start_seconds): c.title for c in listed},
            "chapters_from": "info",
        }
        video.save(update_fields=["imported"])
    elif listed:
        stored = list(video.chapters.values_list("start_seconds", flat=True))
        if stored != [c.start_seconds for c in listed]:
            notes.append(
                f"kept the video's {len(stored)} chapters: the info.json lists {len(listed)} others"
            )
    elif info.chapter_note:
        notes.append(info.chapter_note)
    counts = {"chapters": video.chapters.count()}
    return Outcome("imported" if new else "updated", video, counts, notes)


def _attach_beside(outcome: Outcome, cues: list, digest: str, update: bool) -> bool:
    """Attach the captions found beside an info.json; False when the video's own timed
    transcript is kept instead."""
    if outcome.video.transcript_exact and not update:
        outcome.notes.append(
            "kept the video's timed transcript: the captions beside it differ "
            "(--update replaces it, editors' changes kept)"
        )
        return False
    attached = attach_transcript(outcome.video, cues, digest=digest, update=update)
    outcome.counts.update((name, n) for name, n in attached.counts.items() if n)
    outcome.notes += attached.notes
    return True


def _video_values(page: SummaryPage) -> dict:
    return {f.attr: getattr(page, f.attr) for f in VIDEO_FIELDS}


def _store_page(video, parsed, digest, identity, youtube_id, publish) -> Outcome:
    """Create or refresh a video from its summary page; `video` is None for a new one."""
    page = parsed.page
    new = video is None
    # A new video's lessons share its status, and so do the first lessons of a video an
    # info.json made; lessons new to a video that has some are drafts.
    first = new or not video.lessons.exists()
    status = Status.PUBLISHED if publish and first else Status.DRAFT
    keep = _keeps_its_chapters(video)
    if new:
        video = Video(slug=unique_slug(Video, page.title, youtube_id or "video"), status=status)
    elif first and publish:
        video.status = status
    old = None if new else video.imported
    fresh = _video_values(page)
    # What the page does not say (a summary-only export has no length or date) leaves what
    # the video already has, from its info.json or transcript.
    unsaid = {f for f in ("channel", "published_on", "duration_seconds") if not fresh[f]}
    fields = VIDEO_FIELDS if new else [f for f in VIDEO_FIELDS if f.attr not in unsaid]
    snapshot = refresh(video, fields, fresh, old)
    if not keep:
        snapshot["chapters"] = {str(c.start_seconds): c.title for c in page.chapters}
    snapshot["people"] = {"guests": page.guests, "host": page.host}
    video.imported = {**(old or {}), **snapshot}
    video.import_key = video.import_key if keep and video.import_key else identity
    video.youtube_id = youtube_id or video.youtube_id
    video.source_hash = digest
    video.save()

    _store_people(video, snapshot["people"], None if new else (old or {}).get("people"))
    notes = []
    if keep:
        chapters, gone = list(video.chapters.all()), []
        if [c.start_seconds for c in chapters] != [c.start_seconds for c in page.chapters]:
            notes.append(
                f"kept the video's {len(chapters)} chapters: the page's {len(page.chapters)} differ"
            )
        parsed = _onto_video(parsed, video, chapters)
    else:
        chapters, gone = _store_chapters(video, page.chapters, (old or {}).get("chapters"))
        if video.transcript_exact:
            parsed = _onto_video(parsed, video, chapters)
    if video.transcript_exact:
        # The timed transcript stays; only its chapter links follow the new chapters.
        _assign_chapters(video, chapters)
        segment_count = video.segments.count()
    else:
        _replace_segments(video, chapters, parsed.segments)
        move_moments(video.quotes.all(), SPAN, None, WordTimeline(parsed.segments))
        segment_count = len(parsed.segments)
        if any(s.exact for s in parsed.segments):
            # The page held the generator's raw timed transcript: exact times already.
            video.transcript_exact = True
            video.save(update_fields=["transcript_exact"])

    themer = current_themer()
    existing = {lesson.import_key: lesson for lesson in video.lessons.prefetch_related("takeaways")}
    takeaways = 0
    keys = lesson_keys([section.title for section in page.sections])
    for position, (section, link, evidence, key) in enumerate(
        zip(page.sections, parsed.links, parsed.evidence, keys, strict=True)
    ):
        lesson = existing.get(key)
        if lesson is None:
            lesson = Lesson(
                video=video,
                slug=unique_slug(Lesson, section.title, "lesson"),
                status=status,
                position=position,
                import_key=key,
            )
        takeaways += _store_lesson(lesson, section, link, evidence, chapters, themer)

    notes += _drop_chapters(gone, "the page")
    counts = {
        "chapters": len(chapters),
        "lessons": len(page.sections) if new else video.lessons.count(),
        "takeaways": takeaways,
        "segments": segment_count,
    }
    return Outcome("imported" if new else "updated", video, counts, notes)


def _keeps_its_chapters(video: Video | None) -> bool:
    """A video whose chapters did not come from a summary page (YouTube's own, from its
    info.json, or an editor's) keeps them when a page lands on it."""
    if video is None or not video.chapters.exists():
        return False
    return video.imported.get("chapters_from") == "info" or not video.source_hash


def _onto_video(parsed: "ParsedPage", video: Video, chapters: list[Chapter]) -> "ParsedPage":
    """The page's lessons linked afresh onto the video's own chapters and transcript:
    its exact captions when it has them (so every moment is an exact time), else the
    page's estimated transcript cut at the video's chapters."""
    starts = [c.start_seconds for c in chapters]
    timeline = _stored_segments(video) if video.transcript_exact else parsed.segments
    segments = [
        Segment(_chapter_index(starts, s.start_seconds), s.start_seconds, s.end_seconds,
                s.text, s.exact)
        for s in timeline
    ]  # fmt: skip
    texts: dict[int, list[str]] = {}
    for segment in segments:
        texts.setdefault(segment.chapter, []).append(segment.text)
    return link_page(
        parsed.page, [(c.title, " ".join(texts.get(n, []))) for n, c in enumerate(chapters)],
        segments,
    )  # fmt: skip


def store_spoken(
    spoken,
    *,
    digest: str,
    publish: bool = False,
    update: bool = False,
    dry_run: bool = False,
) -> Outcome:
    """A transcript that says who speaks (kb.importers.speakers): it makes its video, or
    lands on the one with its YouTube id, as its exact transcript, each segment with its
    speaker, and its speakers as the video's people (while no editor chose them)."""
    from kb.importers.speakers import segments as spoken_segments

    identity = header_identity(
        spoken.title, spoken.channel, spoken.published_on, spoken.duration_seconds
    )

    cut = spoken_segments(spoken)

    def write() -> Outcome:
        video = find_video(identity, spoken.youtube_id)
        if video is not None and video.imported.get("transcript_hash") == digest:
            return Outcome("unchanged", video, dry_run=dry_run)
        doubt = ""
        if video is not None and video.transcript_exact:
            copy, doubt = _same_talk(video, spoken, cut, update)
            if copy and not update:
                return Outcome("unchanged", video, dry_run=dry_run, warnings=[doubt])
            doubt = "" if copy else doubt
        new = video is None
        fresh = {
            "title": spoken.title,
            "channel": spoken.channel,
            "published_on": spoken.published_on,
            "duration_seconds": spoken.duration_seconds,
        }
        fields = [f for f in INFO_FIELDS if f.attr in fresh and (new or fresh[f.attr])]
        if new:
            video = Video(
                slug=unique_slug(Video, spoken.title, spoken.youtube_id or "video"),
                youtube_id=spoken.youtube_id,
                status=Status.PUBLISHED if publish else Status.DRAFT,
                import_key=identity,
            )
        old = None if new else video.imported
        snapshot = refresh(video, fields, fresh, old)
        # The speech's own end wins over a length that is too short.
        video.duration_seconds = max(video.duration_seconds or 0, spoken.duration_seconds)
        video.imported = {**(old or {}), **snapshot}
        video.save()
        roles = {
            name: full
            for name in spoken.speakers
            for full in [*spoken.guests, spoken.host]
            if full and full != name and _starts_name(name, full)
        }
        people, merged = speaker_people(video, spoken.speakers, roles)
        outcome = attach_transcript(
            video, cut, digest=digest, update=update, people=people, draft=False
        )
        outcome.warnings += merged + ([doubt] if doubt else [])
        proposed = {"guests": spoken.guests, "host": spoken.host}
        known = {**people, **{p.name: p for p in people.values()}}
        _store_people(video, proposed, None if new else (old or {}).get("people"), known)
        video.imported = {**video.imported, "people": proposed}
        video.save(update_fields=["imported"])
        if outcome.action != "unchanged":
            # Once its guests and host are known: a host's question is never advice.
            draft_if_lessonless(outcome)
        outcome.action = "imported" if new else "attached"
        outcome.dry_run = dry_run
        if dry_run:
            transaction.set_rollback(True)
        return outcome

    return _retrying(write)


def store_markdown(
    parsed: "MarkdownLessons",
    *,
    digest: str,
    publish: bool = False,
    update: bool = False,
    dry_run: bool = False,
) -> Outcome:
    """Markdown lessons onto the video their front matter names, in one transaction: new
    lessons are added; a known one (same title) that the file changes is refreshed only
    with --update, and then, as for summary pages, only where no editor changed it."""

    def write() -> Outcome:
        video = _markdown_video(parsed.front)
        if video.imported.get("markdown_hash") == digest:
            return Outcome("unchanged", video, dry_run=dry_run)
        outcome = _store_markdown(video, parsed, update, publish)
        video.imported = {**video.imported, "markdown_hash": digest}
        video.save(update_fields=["imported", "status", "updated_at"])
        outcome.dry_run = dry_run
        if dry_run:
            transaction.set_rollback(True)
        return outcome

    return _retrying(write)
