"""Search over everything readers can see: lessons (and their takeaways), quotes and
the transcript. One interface, `search()`, for views and tests; the database's own
full-text engine does the work: SQLite FTS5 (`sqlite.py`) or PostgreSQL (`postgres.py`).

Transcript moments: when the query is said in few lines (RARE_LINES), those lines are
ranked directly, so the line that says it most strongly comes first wherever it is
stored. A query said in more lines is found chapters first: the chapters that best
match are ranked over the whole knowledge base, then the best lines inside each are
located. A word said in half a million lines costs a ranking of some chapters, not of
every line.
"""

import functools
import html
import re
from dataclasses import dataclass, field
from typing import NamedTuple, Protocol

from django.db import connection
from django.db.models import Q
from django.utils.safestring import SafeString, mark_safe

from kb.kept import give_published_themes, kept
from kb.models import (
    VIDEO_LONG_FIELDS,
    Chapter,
    Credit,
    Lesson,
    LineEmphasis,
    Person,
    Quote,
    Takeaway,
    Theme,
    TranscriptSegment,
    Video,
)
from kb.search import meaning
from kb.search.query import ParsedQuery, parse_query
from kb.text import CLOSES_SENTENCE

MAX_LESSONS = 200
MAX_QUOTES = 10
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
# A lesson found through one of its takeaways ranks below one found by its own words.
TAKEAWAY_WEIGHT = 0.7
# Around matched words in the engines' snippets; `highlight` turns them into <mark>.
START, STOP = "\x02", "\x03"
MARKED = re.compile(f"{START}(.*?){STOP}", re.S)


def highlight(raw: str) -> SafeString:
    """Escape a snippet, then mark the matched words: no text can become markup."""
    escaped = html.escape(raw or "")
    marked = MARKED.sub(r"<mark>\1</mark>", escaped)
    return mark_safe(marked.replace(START, "").replace(STOP, ""))  # noqa: S308 - escaped above


@dataclass
class LessonHit:
    lesson: Lesson
    snippet: SafeString
    rank: float
    similar: bool = False  # found by meaning, not by its words


@dataclass
class QuoteHit:
    quote: Quote
    snippet: SafeString
    similar: bool = False


@dataclass
class Moment:
    video: Video
    chapter: Chapter | None
    start_seconds: float
    snippet: SafeString
    similar: bool = False


@dataclass
class Results:
    query: str
    parsed: ParsedQuery
    lessons: "LessonHits | list" = field(default_factory=list)
    quotes: list[QuoteHit] = field(default_factory=list)
    moments: list[Moment] = field(default_factory=list)
    videos: list[Video] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)
    videos_by_words: int = 0
    # Lessons close in meaning left out (shown with `more`).
    more_by_meaning: bool = False

    @property
    def found(self) -> bool:
        return bool(self.lessons or self.quotes or self.moments or self.videos or self.people)

    @property
    def by_meaning_only(self) -> bool:
        """Nothing says every word; what is shown is close in meaning."""
        literal = (
            any(not m.similar for m in self.moments)
            or any(not hit.similar for hit in self.quotes)
            or self.people
            or self.videos_by_words
            or any(not similar for *_, similar in getattr(self.lessons, "ranked", []))
        )
        return self.found and not literal


class BestRows(NamedTuple):
    """What `Backend.best_rows` finds: each kind's best rows, as `lessons()`,
    `takeaways()` and `quotes()` give them, and what the moments ask next where the
    database could tell it in the same round trip: how many lines it expects to say the
    query (`strongest_lines`), the best chapters (`best_chapters`)."""

    lessons: list[tuple[int, float]]
    takeaways: list[tuple[int, float, int]]
    quotes: list[tuple[Quote, str]]
    planned_lines: float | None = None
    # {chapter id: rank} of the best chapters, visible or not, where it read them too.
    chapters: dict[int, float] | None = None


class Backend(Protocol):
    """What a database's full-text engine does for `search()`. Each method gets the
    readers' `published()` queryset to search within; ranks are higher-is-better."""

    def lessons(
        self, parsed: ParsedQuery, queryset, limit: int, narrowed: bool = False
    ) -> list[tuple[int, float]]:
        """(lesson id, rank) of the best-matching lessons. `narrowed`: the queryset is a
        video's, a theme's or a person's, a small part of all."""

    def takeaways(
        self, parsed: ParsedQuery, queryset, limit: int, narrowed: bool = False
    ) -> list[tuple[int, float, int]]:
        """(lesson id, rank, takeaway id) of the best-matching takeaways."""

    def best_rows(
        self,
        parsed: ParsedQuery,
        lessons,
        takeaways,
        quotes,
        limits: tuple[int, int, int],
        narrowed: bool = False,
    ) -> "BestRows":
        """`lessons()`, `takeaways()` and `quotes()` at once, each with its limit: what
        every search asks first, which a backend may read in one query."""

    def page_lessons(
        self, parsed: ParsedQuery, lessons, own: list[int], takeaway_of: dict[int, int]
    ) -> dict[int, Lesson]:
        """`lessons` (a page of them) by id, each with a `search_snippet` (where it has
        one): marked words of its own text if its id is in `own`, else of the takeaway
        that found it (`takeaway_of`: {lesson id: takeaway id})."""

    def quotes(
        self, parsed: ParsedQuery, queryset, limit: int, narrowed: bool = False
    ) -> list[tuple[Quote, str]]:
        """The best-matching quotes, with their snippets."""

    def best_chapters(
        self, parsed: ParsedQuery, queryset, limit: int, narrowed: bool = False, ranked=None
    ) -> list[Chapter]:
        """The chapters whose transcript matches best, in order. `ranked`:
        `BestRows.chapters`, when the backend gave them."""

    def chapter_snippets(self, parsed: ParsedQuery, ids: list[int]) -> dict[int, str]:
        """Snippets of whole chapters (found by words no one line says)."""

    def lines(
        self, parsed: ParsedQuery, chapters: list[Chapter], per_chapter: int
    ) -> list[tuple[int, float, str]]:
        """(chapter id, start, snippet) of the best lines inside the given chapters."""

    def strongest_lines(
        self, parsed: ParsedQuery, most: int, planned: float | None = None
    ) -> list[tuple[int, int, float, float, float]] | None:
        """(line id, chapter id, start, how much it says, rank) of every line that says
        the query; None when more than `most` lines say it (too many to rank one by one).
        `planned`: `BestRows.planned_lines`, when the backend gave one."""

    def line_snippets(self, parsed: ParsedQuery, ids: list[int]) -> dict[int, str]:
        """Snippets of the given lines."""

    def reindex(self) -> None:
        """Rebuild the index from the data (`manage.py reindex`)."""

    def tidy(self) -> None:
        """Put the index in its fastest shape after a bulk write."""


@functools.cache
def _backend(vendor: str) -> Backend:
    if vendor == "postgresql":
        from kb.search.postgres import PostgresSearch

        return PostgresSearch()
    from kb.search.sqlite import SQLiteSearch

    return SQLiteSearch()


def backend() -> Backend:
    return _backend(connection.vendor)


def tidy_index() -> None:
    """After a bulk write (an import): put the index in the shape searches are fastest in."""
    backend().tidy()


def search(
    text: str,
    *,
    theme: Theme | None = None,
    video: Video | None = None,
    person: Person | None = None,
    speaker: Person | None = None,
    by: str = "both",
    more: bool = False,
) -> Results:
    """`by`: "words", "meaning" or "both" (the site's; the others are for bench/relevance.py).
    `speaker`: only what this person says: their lessons and quotes, and moments of the
    transcript lines given to them (where a transcript says who speaks)."""
    from kb.stamp import content_version

    parsed = parse_query(text)
    results = Results(text, parsed)
    if parsed.empty:
        return results
    # What the per-version lookups (meaning, videos, people) are keyed by: read at most once.
    read_version = functools.cache(content_version)
    engine = backend()
    lessons = Lesson.objects.published()
    takeaways = Takeaway.objects.published()
    quotes = Quote.objects.published()
    chapters = Chapter.objects.published()
    if theme is not None:
        # A join, not `under()`: here the theme's rows drive the ranking (twice as fast).
        lessons, quotes = lessons.filter(tags=theme), quotes.filter(tags=theme)
        takeaways = takeaways.filter(lesson__tags=theme)
        chapters = chapters.filter(pk__in=lessons.values("chapter_id"))
    for who in (person, speaker):
        if who is not None:
            theirs = Lesson.objects.by(who).values("pk")
            lessons, quotes = lessons.filter(pk__in=theirs), quotes.filter(speaker=who)
            takeaways = takeaways.filter(lesson__in=theirs)
    if person is not None:
        # The moments come from their videos (who says each line is often not known).
        chapters = chapters.filter(video__in=Credit.objects.filter(person=person).values("video"))
    if speaker is not None:
        # The moments come from chapters where they speak (_said_by keeps their own lines).
        chapters = chapters.filter(
            pk__in=TranscriptSegment.objects.filter(speaker=speaker).values("chapter_id")
        )
    if video is not None:
        lessons, takeaways, quotes, chapters = (
            lessons.filter(video=video),
            takeaways.filter(lesson__video=video),
            quotes.filter(video=video),
            chapters.filter(video=video),
        )
    narrowed = any(x is not None for x in (theme, video, person, speaker))
    if by == "meaning":
        results.lessons = LessonHits(engine, parsed, [])
        _add_by_meaning(results, text, lessons, chapters, quotes, narrowed, read_version, more)
        return _said_by(results, speaker)
    best = engine.best_rows(
        parsed, lessons, takeaways, quotes.with_video("chapter", "speaker"),
        (MAX_LESSONS, MAX_LESSONS, MAX_QUOTES), narrowed,
    )  # fmt: skip
    results.lessons = _lessons(engine, parsed, best.lessons, best.takeaways)
    results.quotes = [QuoteHit(quote, highlight(snippet)) for quote, snippet in best.quotes]
    results.moments = _in_context(_moments(engine, parsed, chapters, narrowed, best))
    if not narrowed:
        results.videos, results.people = _videos_and_people(parsed, read_version())
        results.videos_by_words = len(results.videos)
    if by == "both" and parsed.words and not parsed.phrases and not parsed.excluded:
        # Exact phrases and -exclusions keep their literal meaning: words only.
        _add_by_meaning(results, text, lessons, chapters, quotes, narrowed, read_version, more)
    return _said_by(results, speaker)


# A moment found at a short line (a caption's few words) is shown with the words around
# it, up to about a sentence either side, so a reader can tell whether to play it.
CONTEXT_WORDS_BEFORE = 14
CONTEXT_WORDS_AFTER = 22
CONTEXT_SECONDS = 20.0


def _in_context(moments: list[Moment]) -> list[Moment]:
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
        m.snippet = _with_context(
            [text for _, text in said[:at]], m.snippet, [text for _, text in said[at + 1 :]],
            ends_sentence=bool(CLOSES_SENTENCE.search(said[at][1].strip())),
        )  # fmt: skip
    return moments


def _with_context(before: list[str], hit: SafeString, after: list[str], ends_sentence: bool):
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


def _said_by(results: Results, speaker: Person | None) -> Results:
    """Only the moments at lines the speaker says: their chapters hold other voices too."""
    if speaker is None or not results.moments:
        return results
    chapters = {moment.chapter.pk for moment in results.moments if moment.chapter}
    theirs = set(
        TranscriptSegment.objects.filter(chapter__in=chapters, speaker=speaker).values_list(
            "chapter_id", "start_seconds"
        )
    )
    results.moments = [
        m for m in results.moments if m.chapter and (m.chapter.pk, m.start_seconds) in theirs
    ]
    return results


# Below this similarity a passage is not close enough to show (bench/relevance.py).
MIN_SIMILARITY = 0.15
MEANING_LESSONS = 5
# Lessons by meaning are shown only this close to the query, and only this far from the
# closest one: a question about something no lesson answers shows none, and a question
# one lesson answers does not bring four weak ones with it. Asked for more, a reader
# sees up to MORE_BY_MEANING, every one at least MIN_LESSON_SIMILARITY close. Set on the
# tune half of bench/real's reader questions (answers at 0.20-0.66, unrelated queries'
# best at most 0.20).
MIN_LESSON_SIMILARITY = 0.25
LESSON_SIMILARITY_SPREAD = 0.15
MORE_BY_MEANING = 20
MEANING_MOMENTS = 5
# A moment by meaning this close to one found by words is the same moment.
SAME_MOMENT_SECONDS = 30.0


def _add_by_meaning(
    results: Results,
    text: str,
    lessons,
    chapters,
    quotes,
    narrowed: bool,
    read_version,
    more: bool = False,
) -> None:
    """After what says the words: lessons and moments close in meaning (kb.search.meaning),
    among the same visible, narrowed rows. What says the words comes first; meaning only
    fills the first places of each list that words left empty (MEANING_LESSONS,
    MEANING_MOMENTS), so a search that words answer well costs no vector lookup.
    `read_version()` gives the content version."""
    lessons_wanted = (MORE_BY_MEANING if more else MEANING_LESSONS) - len(results.lessons.ranked)
    moments_wanted = MEANING_MOMENTS - len(results.moments)
    quotes_full = len(results.quotes) >= MEANING_QUOTES
    if lessons_wanted <= 0 and moments_wanted <= 0 and quotes_full and (narrowed or results.videos):
        return
    version = read_version()
    query = meaning.embed([text])[0]
    if lessons_wanted > 0:
        visible = meaning.visible_rows(meaning.LESSON, "lesson", version, lessons, narrowed)
        found = {pk for pk, *_ in results.lessons.ranked}
        close = meaning.matrix(meaning.LESSON, version).best(
            query, visible, max(lessons_wanted, MEANING_LESSONS + 1), MIN_LESSON_SIMILARITY,
            lambda row: row.lesson not in found,
        )  # fmt: skip
        shown = close if more else [
            (row, similarity) for row, similarity in close[:lessons_wanted]
            if similarity >= close[0][1] - LESSON_SIMILARITY_SPREAD
        ]  # fmt: skip
        results.more_by_meaning = len(shown) < len(close)
        results.lessons.ranked += [
            (row.lesson, similarity, None, True) for row, similarity in shown[:lessons_wanted]
        ]
    if moments_wanted > 0:
        _add_moments_by_meaning(results, query, version, chapters, narrowed, moments_wanted)
    if len(results.quotes) < MEANING_QUOTES:
        _add_quotes_by_meaning(results, query, version, quotes, narrowed)
    if not narrowed and not results.videos:
        published = meaning.visible_rows(
            meaning.VIDEO, "video", version, Video.objects.published(), False
        )
        close = meaning.matrix(meaning.VIDEO, version).best(
            query, published, MAX_VIDEOS, MIN_VIDEO_SIMILARITY
        )
        ids = [row.video for row, _ in close]
        found = Video.objects.published().defer(*VIDEO_LONG_FIELDS).in_bulk(ids)
        results.videos += [found[pk] for pk in ids if pk in found]


MAX_VIDEOS = 3
MAX_PEOPLE = 3
# Quotes by meaning only while words found fewer than this: a quote is shown whole.
MEANING_QUOTES = 3
# A video is shown by meaning only when it is about the query as a whole: a higher floor
# than for a passage (set by reading results, not yet measured by bench/relevance.py).
MIN_VIDEO_SIMILARITY = 0.3


def _videos_and_people(parsed: ParsedQuery, version: int) -> tuple[list[Video], list[Person]]:
    """Videos whose title, channel or headline, and people whose name, say every word
    (case-insensitively). Matched in the published ones' names, kept per content version:
    a few thousand short texts, faster to scan in memory than to ask of the database."""
    words = [w.casefold() for w in parsed.words + [w for p in parsed.phrases for w in p]]
    if not words:
        return [], []

    def names(queryset, *fields):
        return [
            (pk, " ".join(texts).casefold())
            for pk, *texts in queryset.values_list("pk", *fields).iterator()
        ]

    videos = kept(
        "video names", version,
        lambda: names(Video.objects.published(), "title", "channel", "headline"),
    )  # fmt: skip
    people = kept("people names", version, lambda: names(Person.objects.published(), "name"))
    video_ids = [pk for pk, text in videos if all(w in text for w in words)][:MAX_VIDEOS]
    person_ids = [pk for pk, text in people if all(w in text for w in words)][:MAX_PEOPLE]
    found_videos = Video.objects.defer(*VIDEO_LONG_FIELDS).in_bulk(video_ids) if video_ids else {}
    found_people = Person.objects.in_bulk(person_ids) if person_ids else {}
    return (
        [found_videos[pk] for pk in video_ids if pk in found_videos],
        [found_people[pk] for pk in person_ids if pk in found_people],
    )


def _add_quotes_by_meaning(results, query, version, quotes, narrowed) -> None:
    visible = meaning.visible_rows(meaning.QUOTE, "quote", version, quotes, narrowed)
    shown = {hit.quote.pk for hit in results.quotes}
    close = meaning.matrix(meaning.QUOTE, version).best(
        query, visible, MEANING_QUOTES - len(results.quotes), MIN_SIMILARITY,
        lambda row: row.quote not in shown,
    )  # fmt: skip
    ids = [row.quote for row, _ in close]
    if ids:
        found = quotes.with_video("chapter", "speaker").in_bulk(ids)
        results.quotes += [
            QuoteHit(found[pk], highlight(found[pk].text), similar=True)
            for pk in ids
            if pk in found
        ]


def _add_moments_by_meaning(results, query, version, chapters, narrowed, wanted) -> None:
    in_chapters = meaning.visible_rows(meaning.WINDOW, "chapter", version, chapters, narrowed)
    said = [(m.chapter.pk if m.chapter else None, m.start_seconds) for m in results.moments]

    def new_moment(row) -> bool:
        return not any(
            chapter == row.chapter and abs(start - row.start) < SAME_MOMENT_SECONDS
            for chapter, start in said
        )

    close = meaning.matrix(meaning.WINDOW, version).best(
        query, in_chapters, wanted, MIN_SIMILARITY, new_moment
    )
    if close:
        by_id = Chapter.objects.with_video().in_bulk([row.chapter for row, _ in close])
        words = meaning.excerpts([row for row, _ in close])
        results.moments += [
            Moment(
                by_id[row.chapter].video,
                by_id[row.chapter],
                row.start,
                highlight(_opening(words.get(row.pk, ""), 24)),
                similar=True,
            )
            for row, _ in close
            if row.chapter in by_id
        ]


def _lessons(engine, parsed: ParsedQuery, lessons, takeaways) -> "LessonHits":
    """Lessons ranked by their own words or, a little lower, by a takeaway's (the
    backend's `lessons()` and `takeaways()`)."""
    best: dict[int, tuple[float, int | None]] = {}
    for lesson_id, rank in lessons:
        best[lesson_id] = (rank, None)
    for lesson_id, rank, takeaway_id in takeaways:
        rank *= TAKEAWAY_WEIGHT
        if lesson_id not in best or rank > best[lesson_id][0]:
            best[lesson_id] = (rank, takeaway_id)
    ranked = sorted(best.items(), key=lambda item: (-item[1][0], item[0]))
    return LessonHits(
        engine, parsed, [(pk, rank, takeaway, False) for pk, (rank, takeaway) in ranked]
    )


class LessonHits:
    """The ranked lessons, loaded a page at a time: only the lessons shown, and their
    snippets, are fetched (a Paginator slices this)."""

    def __init__(self, engine, parsed: ParsedQuery, ranked: list[tuple]):
        """`ranked`: (lesson id, rank, takeaway id that found it, found by meaning)."""
        self.engine, self.parsed, self.ranked = engine, parsed, ranked

    def __len__(self) -> int:
        return len(self.ranked)

    def __bool__(self) -> bool:
        return bool(self.ranked)

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        chosen = self.ranked[index]
        lessons = self.engine.page_lessons(
            self.parsed,
            Lesson.objects.filter(pk__in=[pk for pk, *_ in chosen])
            .with_video("chapter")
            .defer("imported", "keywords"),
            [pk for pk, _, takeaway, similar in chosen if takeaway is None and not similar],
            {pk: takeaway for pk, _, takeaway, _ in chosen if takeaway is not None},
        )
        give_published_themes(lessons.values())
        return [
            LessonHit(
                lessons[pk],
                highlight(
                    _opening(lessons[pk].body)
                    if similar
                    else getattr(lessons[pk], "search_snippet", None) or ""
                ),
                rank,
                similar,
            )
            for pk, rank, _, similar in chosen
            if pk in lessons
        ]


def _opening(body: str, words: int = 30) -> str:
    """A lesson found by meaning has no matched words to show: its first words instead."""
    split = body.split()
    return " ".join(split[:words]) + (" …" if len(split) > words else "")


def _moments(engine, parsed: ParsedQuery, chapters, narrowed: bool, best: BestRows) -> list[Moment]:
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
    engine, parsed: ParsedQuery, chapters, planned_lines: float | None = None
) -> list[Moment]:
    """A query said in few lines: the chapters of its strongest lines, wherever they are,
    best first; in each, the lines that say the most, then the earliest (at most
    MOMENTS_PER_CHAPTER), among the visible chapters."""
    lines = engine.strongest_lines(parsed, RARE_LINES, planned_lines)
    most = MAX_MOMENTS
    if lines is None:
        lines, most = _emphasised_lines(parsed), EMPHASISED_MOMENTS
    if not lines:
        return []
    by_chapter: dict[int, list] = {}
    for line in lines:
        by_chapter.setdefault(line[1], []).append(line)
    ranked = sorted(
        by_chapter,
        key=lambda chapter: max((said, rank, -pk) for pk, _, _, said, rank in by_chapter[chapter]),
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
        strongest = sorted(by_chapter[chapter], key=lambda line: (-line[3], line[2]))
        chosen[chapter] = [(start, pk) for pk, _, start, _, _ in strongest[:MOMENTS_PER_CHAPTER]]
        shown += len(chosen[chapter])
        if shown >= most:
            break
    if not chosen:
        return []
    snippets = engine.line_snippets(parsed, [pk for said in chosen.values() for _, pk in said])
    moments = [
        Moment(found[chapter].video, found[chapter], start, highlight(snippets.get(pk, "")))
        for chapter, said in chosen.items()
        for start, pk in sorted(said)
    ]
    return moments[:most]


def _emphasised_lines(parsed: ParsedQuery) -> list[tuple[int, int, float, int, float]]:
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
    return [(pk, chapter, start, said, float(said)) for pk, chapter, start, said in rows]


def _moments_chapters_first(
    engine, parsed: ParsedQuery, chapters, narrowed: bool, ranked_first=None
) -> list[Moment]:
    ranked = engine.best_chapters(parsed, chapters, TOP_CHAPTERS, narrowed, ranked_first)
    if not ranked:
        return []
    lines = engine.lines(parsed, ranked, MOMENTS_PER_CHAPTER)
    # A chapter says every word, but no one line does: the line that says most of them.
    said = {chapter_id for chapter_id, _, _ in lines}
    spread = [chapter for chapter in ranked if chapter.pk not in said]
    if spread:
        lines += engine.lines(parsed.loosened(), spread, 1)
    found: dict[int, list[tuple[float, str]]] = {}
    for chapter_id, start_seconds, snippet in lines:
        found.setdefault(chapter_id, []).append((start_seconds, snippet))
    # Found by its title alone: the chapter is shown at its start.
    whole = [chapter.pk for chapter in ranked if chapter.pk not in found]
    chapter_snippets = engine.chapter_snippets(parsed, whole) if whole else {}
    moments = []
    for chapter in ranked:
        if chapter.pk not in found:
            snippet = highlight(chapter_snippets.get(chapter.pk, ""))
            moments.append(Moment(chapter.video, chapter, chapter.start_seconds, snippet))
        for start_seconds, snippet in sorted(found.get(chapter.pk, [])):
            moments.append(Moment(chapter.video, chapter, start_seconds, highlight(snippet)))
    return moments[:MAX_MOMENTS]
