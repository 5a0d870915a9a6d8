"""Attaching a timed transcript to a video: its segments replaced by exact ones, every
moment moved onto them."""

import math

from django.db import transaction

from kb.importers.derived import deferred
from kb.importers.documents import DocumentError, Segment
from kb.importers.linking import WordTimeline
from kb.importers.store.lessons import _place_lessons, _suggest_again
from kb.importers.store.machine_drafts import draft_if_lessonless
from kb.importers.store.people import speaker_people
from kb.importers.store.refresh import Outcome
from kb.importers.store.timeline import (
    POINT,
    SPAN,
    _chapter_index,
    _replace_segments,
    _stored_segments,
    move_moments,
)
from kb.models import QuoteSuggestion, Suggestion, Takeaway, Video
from kb.timecodes import format_timecode

# A cue may start a little after the length the page gives (it is rounded to the second).
END_SLACK_SECONDS = 5


def attach_transcript(
    video: Video,
    cues: list,
    *,
    digest: str,
    update: bool = False,
    dry_run: bool = False,
    people: dict | None = None,
    draft: bool = True,
) -> Outcome:
    """Replace a video's segments with exact ones and move every moment onto them; a
    video with no lessons gets draft lessons from them (`draft`, kb.importers.drafts).
    `people`: the person of each speaker name, when the caller has found them."""
    with transaction.atomic(), deferred():
        video = Video.objects.select_for_update().get(pk=video.pk)
        if video.imported.get("transcript_hash") == digest:
            return Outcome("unchanged", video, dry_run=dry_run)
        exact = all(getattr(c, "exact", True) for c in cues)
        if video.transcript_exact and not exact:
            raise DocumentError(
                f"video '{video.slug}' already has a timed transcript, and this one gives no "
                "times: the timed one is kept"
            )
        if video.transcript_exact and not update:
            raise DocumentError(
                f"video '{video.slug}' already has a timed transcript; "
                "use --update to replace it (editors' changes are kept)"
            )
        if not video.duration_seconds:
            # A page that gave no length: the speech's own end is the video's.
            video.duration_seconds = math.ceil(max(c.end_seconds for c in cues))
            video.save(update_fields=["duration_seconds"])
        for cue in cues:
            if cue.start_seconds > video.duration_seconds + END_SLACK_SECONDS:
                raise DocumentError(
                    f"a cue starts at {format_timecode(cue.start_seconds)}, after the video's "
                    f"end ({format_timecode(video.duration_seconds)}): is this the right video?"
                )
        chapters = list(video.chapters.all())
        starts = [c.start_seconds for c in chapters]
        segments = [
            Segment(
                _chapter_index(starts, c.start_seconds),
                c.start_seconds,
                c.end_seconds,
                c.text,
                getattr(c, "exact", True),
                getattr(c, "speaker", ""),
            )
            for c in sorted(cues, key=lambda c: c.start_seconds)
        ]
        names = list(dict.fromkeys(s.speaker for s in segments if s.speaker))
        merged = []
        if people is None:
            people, merged = speaker_people(video, names, {})
        old, new = WordTimeline(_stored_segments(video)), WordTimeline(segments)

        moved = kept = 0
        for rows, fields in (
            (video.lessons.all(), POINT),
            (Takeaway.objects.filter(lesson__video=video), POINT),
            (video.quotes.all(), SPAN),
        ):
            done, missed = move_moments(rows, fields, old, new)
            moved, kept = moved + done, kept + missed
        decided = QuoteSuggestion.objects.filter(lesson__video=video).exclude(
            status=Suggestion.OPEN
        )
        move_moments(decided, SPAN, old, new)

        _replace_segments(video, chapters, segments, people)
        moved += _place_lessons(video, chapters, segments)
        _suggest_again(video, chapters, segments)
        video.transcript_exact = exact
        video.imported = {**video.imported, "transcript_hash": digest}
        video.save(update_fields=["transcript_exact", "imported", "updated_at"])
        outcome = Outcome(
            "attached",
            video,
            {"segments": len(segments), "moments re-anchored": moved},
            [f"{kept} moments kept as estimates (their words were not found)"] if kept else [],
            dry_run,
        )
        if names:
            outcome.counts["speakers"] = len(names)
        outcome.warnings += merged
        if draft:
            draft_if_lessonless(outcome)
        if dry_run:
            transaction.set_rollback(True)
        return outcome
