"""The moments a search shows: the lines that say the query, found strongest line first
where few lines say it (or, for a common word, the lines that say it most often), then
chapters first; each shown with the words around it. Plain reads through the backend
(`kb.search.Backend`) and the models."""

import html

from django.db.models import Q
from django.utils.safestring import SafeString, mark_safe

from kb.models import Chapter, LineEmphasis, TranscriptSegment
from kb.search.interface import Backend, BestRows, FoundLine, SaidLine
from kb.search.query import ParsedQuery
from kb.search.results import Moment, highlight
from kb.text import CLOSES_SENTENCE

TOP_CHAPTERS = 5
MOMENTS_PER_CHAPTER = 2
MAX_MOMENTS = 10
# Lines saying the query, at most, for them to be ranked one by one (bench/search.py).
RARE_LINES = 2000
# A word said in more lines than that: its lines that say it most often (more than once)
# come first, this many at most, and the chapters that say it most fill the rest.
EMPHASISED_MOMENTS = 3
# The lines read for them, visible or not (drafts' lines are skipped after).
EMPHASISED_LINES = 60


# A moment found at a short line (a caption's few words) is shown with the words around
# it, up to about a sentence either side, so a reader can tell whether to play it.
CONTEXT_WORDS_BEFORE = 14
CONTEXT_WORDS_AFTER = 22
CONTEXT_SECONDS = 20.0


def in_context(moments: list[Moment]) -> list[Moment]:
    """Each moment at a short line, with the lines around it in its chapter: back to
    where its sentence starts and on to where it ends (or CONTEXT_WORDS either side, with
    an ellipsis where cut). One query for all of them."""
    wanted = [m for m in moments if m.chapter is not None]
    if not wanted:
        return moments
    around = Q()
    for m in wanted:
        # By video and time first: the (video, start) index reads just those lines.
        around |= Q(
            video_id=m.chapter.video_id,
            chapter_id=m.chapter.pk,
            start_seconds__gte=m.start_seconds - CONTEXT_SECONDS,
            start_seconds__lte=m.start_seconds + CONTEXT_SECONDS,
        )
    lines: dict[int, list[tuple[float, str]]] = {}
    for chapter_id, start, text in (
        TranscriptSegment.objects.filter(around)
        .order_by("start_seconds", "pk")
        .values_list("chapter_id", "start_seconds", "text")
    ):
        lines.setdefault(chapter_id, []).append((start, text))
    for m in wanted:
        said = lines.get(m.chapter.pk, [])
        at = next((n for n, (start, _) in enumerate(said) if start == m.start_seconds), None)
        if at is None or len(said[at][1].split()) > CONTEXT_WORDS_AFTER:
            continue  # a chapter's start, or a line long enough to stand alone
        m.snippet = with_context(
            [text for _, text in said[:at]], m.snippet, [text for _, text in said[at + 1 :]],
            ends_sentence=bool(CLOSES_SENTENCE.search(said[at][1].strip())),
        )  # fmt: skip
    return moments


def with_context(before: list[str], hit: SafeString, after: list[str], ends_sentence: bool):
    """`hit` (escaped, marked) between the words before and after it, escaped."""
    lead: list[str] = []
    whole = True  # the lead starts where a sentence (or the chapter) does
    for text in reversed(before):
        if CLOSES_SENTENCE.search(text.strip()):
            break
        lead[:0] = text.split()
        if len(lead) >= CONTEXT_WORDS_BEFORE:
            whole = False
            break
    tail: list[str] = []
    ended = ends_sentence
    for text in [] if ends_sentence else after:
        tail += text.split()
        if CLOSES_SENTENCE.search(text.strip()):
            ended = len(tail) <= CONTEXT_WORDS_AFTER
            break
        if len(tail) >= CONTEXT_WORDS_AFTER:
            break
    parts = [
        "" if whole else "…",
        html.escape(" ".join(lead[-CONTEXT_WORDS_BEFORE:])),
        hit,
        html.escape(" ".join(tail[:CONTEXT_WORDS_AFTER])) + ("" if ended or not tail else "…"),
    ]
    return mark_safe(" ".join(part for part in parts if part))  # noqa: S308 - escaped parts


def find_moments(
    engine: Backend, parsed: ParsedQuery, chapters, narrowed: bool, best: BestRows
) -> list[Moment]:
    """`best`: what `best_rows` found, with what it may have read for the moments."""
    moments = _strongest_moments(engine, parsed, chapters, best.planned_lines)
    if len(moments) < MAX_MOMENTS:
        shown = {moment.chapter.pk for moment in moments}
        moments += _moments_chapters_first(
            engine, parsed, chapters.exclude(pk__in=shown) if shown else chapters, narrowed,
            best.chapters,
        )  # fmt: skip
    return moments[:MAX_MOMENTS]


def _strongest_moments(
    engine: Backend, parsed: ParsedQuery, chapters, planned_lines: float | None
) -> list[Moment]:
    """A query said in few lines: the chapters of its strongest lines, wherever they are,
    best first; in each, the lines that say the most, then the earliest (at most
    MOMENTS_PER_CHAPTER), among the visible chapters."""
    lines = engine.strongest_lines(parsed, RARE_LINES, planned_lines)
    most = MAX_MOMENTS
    if lines is None:
        lines, most = emphasised_lines(parsed), EMPHASISED_MOMENTS
    if not lines:
        return []
    by_chapter: dict[int, list[SaidLine]] = {}
    for line in lines:
        by_chapter.setdefault(line.chapter, []).append(line)
    ranked = sorted(
        by_chapter,
        key=lambda chapter: max((x.said, x.rank, -x.line) for x in by_chapter[chapter]),
        reverse=True,
    )
    # The visible ones among the best, a few more than needed at a time (drafts skipped).
    found: dict[int, Chapter] = {}
    for at in range(0, len(ranked), MAX_MOMENTS * 2):
        found.update(chapters.with_video().in_bulk(ranked[at : at + MAX_MOMENTS * 2]))
        if len(found) >= most:
            break
    chosen: dict[int, list[tuple[float, int]]] = {}
    shown = 0
    for chapter in (pk for pk in ranked if pk in found):
        strongest = sorted(by_chapter[chapter], key=lambda line: (-line.said, line.start))
        chosen[chapter] = [(line.start, line.line) for line in strongest[:MOMENTS_PER_CHAPTER]]
        shown += len(chosen[chapter])
        if shown >= most:
            break
    if not chosen:
        return []
    snippets = engine.snippets(parsed, "lines", [pk for said in chosen.values() for _, pk in said])
    moments = [
        Moment(found[chapter].video, found[chapter], start, highlight(snippets.get(pk, "")))
        for chapter, said in chosen.items()
        for start, pk in sorted(said)
    ]
    return moments[:most]


def emphasised_lines(parsed: ParsedQuery) -> list[SaidLine]:
    """A word too common for its lines to be ranked one by one: the lines that say it
    most often (`LineEmphasis`: more than once), in the shape of
    `Backend.strongest_lines`. One word asked for: for more, the lines that say them all
    are few enough for `strongest_lines` whenever one of them is rare."""
    if len(parsed.words) != 1 or parsed.phrases or parsed.excluded:
        return []
    # Read straight off the (word, said) index; which of them readers may see is asked
    # of the few read (`_strongest_moments`), not of every visible chapter here.
    rows = (
        LineEmphasis.objects.filter(word=parsed.words[0])
        .order_by("-said", "segment_id")
        .values_list("segment_id", "chapter_id", "segment__start_seconds", "said")
    )[:EMPHASISED_LINES]
    return [SaidLine(pk, chapter, start, said, float(said)) for pk, chapter, start, said in rows]


def _moments_chapters_first(
    engine: Backend,
    parsed: ParsedQuery,
    chapters,
    narrowed: bool,
    ranked_first: dict[int, float] | None,
) -> list[Moment]:
    ranked = engine.best_chapters(parsed, chapters, TOP_CHAPTERS, narrowed, ranked_first)
    if not ranked:
        return []
    lines: list[FoundLine] = engine.lines(parsed, ranked, MOMENTS_PER_CHAPTER)
    # A chapter says every word, but no one line does: the line that says most of them.
    said = {line.chapter for line in lines}
    spread = [chapter for chapter in ranked if chapter.pk not in said]
    if spread:
        lines += engine.lines(parsed.loosened(), spread, 1)
    found: dict[int, list[tuple[float, str]]] = {}
    for line in lines:
        found.setdefault(line.chapter, []).append((line.start, line.snippet))
    # Found by its title alone: the chapter is shown at its start.
    whole = [chapter.pk for chapter in ranked if chapter.pk not in found]
    chapter_snippets = engine.snippets(parsed, "chapters", whole) if whole else {}
    moments = []
    for chapter in ranked:
        if chapter.pk not in found:
            snippet = highlight(chapter_snippets.get(chapter.pk, ""))
            moments.append(Moment(chapter.video, chapter, chapter.start_seconds, snippet))
        for start_seconds, snippet in sorted(found.get(chapter.pk, [])):
            moments.append(Moment(chapter.video, chapter, start_seconds, highlight(snippet)))
    return moments[:MAX_MOMENTS]
