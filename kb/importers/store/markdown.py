"""Markdown lessons (kb.importers.markdown) onto the video their front matter names."""

from typing import TYPE_CHECKING

from kb.importers.derived import QUOTE, stale
from kb.importers.documents import DocumentError
from kb.importers.store.lessons import _set_takeaways, _takeaways_untouched, lesson_keys
from kb.importers.store.people import person_named
from kb.importers.store.refresh import LESSON_FIELDS, Outcome, refresh
from kb.importers.store.themer import current_themer, offer_themes
from kb.importers.store.timeline import _chapter_index
from kb.models import Chapter, Lesson, Quote, Status, Video, unique_slug
from kb.timecodes import format_timecode

if TYPE_CHECKING:
    from kb.importers.markdown import MarkdownLessons


def _markdown_video(front: dict[str, str]) -> Video:
    """By the YouTube id the file gives, else by the slug it was exported under."""
    youtube_id, slug = front.get("youtube", ""), front.get("video", "")
    video = (
        Video.objects.filter(youtube_id=youtube_id).first()
        if youtube_id
        else Video.objects.filter(slug=slug).first()
    )
    if video is None:
        named = f"the YouTube id {youtube_id}" if youtube_id else f"the slug '{slug}'"
        raise DocumentError(f"no video has {named}: import its info.json or summary page first", 1)
    return video


def _markdown_lesson_values(lesson, chapters: list[Chapter]) -> dict:
    starts = [c.start_seconds for c in chapters]
    at = _chapter_index(starts, lesson.start_seconds) if lesson.start_seconds is not None else None
    return {
        "title": lesson.title,
        "body": lesson.body,
        "start_seconds": lesson.start_seconds,
        "chapter": chapters[at] if at is not None else None,
    }


def _check_markdown_times(video: Video, parsed: "MarkdownLessons") -> None:
    end = video.duration_seconds
    for lesson in parsed.lessons:
        times = [(lesson.start_seconds, lesson.line)]
        times += [(start, line) for _, start, line in lesson.takeaways]
        times += [(q.end_seconds, q.line) for q in lesson.quotes]
        for seconds, line in times:
            if seconds is not None and seconds > end:
                raise DocumentError(
                    f"{format_timecode(seconds)} is past the video's end ({format_timecode(end)})",
                    line,
                )


def _store_markdown(video: Video, parsed: "MarkdownLessons", update: bool, publish: bool):
    _check_markdown_times(video, parsed)
    chapters = list(video.chapters.all())
    known = list(video.lessons.prefetch_related("takeaways"))
    first = not known
    status = Status.PUBLISHED if publish and first else Status.DRAFT
    if first and publish:
        video.status = Status.PUBLISHED
    by_key = {lesson.import_key: lesson for lesson in known if lesson.import_key}
    by_title = {lesson.title.casefold(): lesson for lesson in known}
    themer = current_themer()
    counts = {"lessons added": 0, "lessons updated": 0, "takeaways": 0, "quotes added": 0}
    refused = []
    quoted = _said(video)
    next_position = max((lesson.position for lesson in known), default=-1) + 1
    keys = lesson_keys([written.title for written in parsed.lessons])
    for written, key in zip(parsed.lessons, keys, strict=True):
        lesson = by_key.get(key) or by_title.get(written.title.casefold())
        fresh = _markdown_lesson_values(written, chapters)
        texts = [text for text, _, _ in written.takeaways]
        takeaway_rows = [(text, start, None) for text, start, _ in written.takeaways]
        if lesson is None:
            lesson = Lesson(
                video=video, slug=unique_slug(Lesson, written.title, "lesson"), status=status,
                position=next_position, import_key=key,
            )  # fmt: skip
            next_position += 1
            lesson.imported = refresh(lesson, LESSON_FIELDS, fresh, None)
            lesson.imported.update(takeaways=texts, tags=[])
            lesson.save()
            chosen = themer.choose(lesson.title, "\n".join([lesson.body, *texts]))
            lesson.tags.add(*themer.themes(chosen.names))
            lesson.imported["tags"] = sorted(chosen.names)
            lesson.save(update_fields=["imported"])
            offer_themes(lesson, chosen.offered, themer)
            _set_takeaways(lesson, takeaway_rows)
            counts["lessons added"] += 1
        elif _differs(lesson, fresh, texts):
            if not update:
                refused.append(written)
                continue
            untouched = _takeaways_untouched(list(lesson.takeaways.all()), lesson.imported)
            snapshot = refresh(lesson, LESSON_FIELDS, fresh, lesson.imported)
            lesson.imported = {**lesson.imported, **snapshot, "takeaways": texts}
            lesson.save()
            if untouched:
                _set_takeaways(lesson, takeaway_rows)
            counts["lessons updated"] += 1
        counts["takeaways"] += len(written.takeaways)
        counts["quotes added"] += _add_markdown_quotes(video, lesson, written, chapters, quoted)
    if refused:
        titles = ", ".join(f"'{w.title}'" for w in refused[:3])
        raise DocumentError(
            f"{len(refused)} lessons already on '{video.slug}' differ from this file ({titles}): "
            "use --update to refresh them (editors' changes are kept)",
            refused[0].line,
        )
    return Outcome("updated", video, {k: v for k, v in counts.items() if v})


def _differs(lesson: Lesson, fresh: dict, takeaways: list[str]) -> bool:
    """The file says something new of a known lesson: not what it was last imported
    with (what an editor has changed since is theirs, not the file's)."""
    imported = lesson.imported or {}
    wanted = {f.name: f.snap(fresh[f.attr]) for f in LESSON_FIELDS}
    was = {name: imported.get(name) for name in wanted}
    return was != wanted or imported.get("takeaways") != takeaways


def _words(text: str) -> str:
    return " ".join(text.casefold().split())


def _said(video: Video) -> set[str]:
    """The words of the video's quotes, as `_add_markdown_quotes` compares them."""
    return {_words(text) for text in video.quotes.values_list("text", flat=True)}


def _add_markdown_quotes(video: Video, lesson: Lesson, written, chapters, quoted: set) -> int:
    """The file's quotes the video does not have yet (`quoted`: the same words, kept up to
    date): an editor's quote is never changed by an import."""
    starts = [c.start_seconds for c in chapters]
    added = []
    for quote in written.quotes:
        if _words(quote.text) in quoted:
            continue
        at = _chapter_index(starts, quote.start_seconds)
        added.append(
            Quote(
                video=video, lesson=lesson, chapter=chapters[at] if at is not None else None,
                text=quote.text, start_seconds=quote.start_seconds, end_seconds=quote.end_seconds,
                speaker=person_named(quote.speaker) if quote.speaker else None,
                status=lesson.status,
            )
        )  # fmt: skip
    Quote.objects.bulk_create(added)
    for quote in added:  # made in bulk: no signal says so
        stale(QUOTE, quote.pk)
    quoted.update(_words(quote.text) for quote in added)
    return len(added)
