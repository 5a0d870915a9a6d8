"""Search over everything readers can see: lessons (and their takeaways), quotes and
the transcript. One interface, `search()`, for views and tests; the database's own
full-text engine does the work: SQLite FTS5 (`sqlite/`) or PostgreSQL (`postgres/`).

Transcript moments: when the query is said in few lines (RARE_LINES), those lines are
ranked directly, so the line that says it most strongly comes first wherever it is
stored. A query said in more lines is found chapters first: the chapters that best
match are ranked over the whole knowledge base, then the best lines inside each are
located. A word said in half a million lines costs a ranking of some chapters, not of
every line.
"""

import functools
from typing import NamedTuple

from django.db import connection

from kb.kept import give_themes, kept
from kb.models import (
    VIDEO_LONG_FIELDS,
    Chapter,
    Credit,
    Lesson,
    Person,
    Quote,
    Takeaway,
    Theme,
    TranscriptSegment,
    Video,
)
from kb.search import meaning, sense
from kb.search.interface import Backend, Limits, RankedLesson, RankedTakeaway, Scope
from kb.search.moments import find_moments, in_context
from kb.search.query import ParsedQuery, parse_query
from kb.search.results import LessonHit, Moment, QuoteHit, Results, highlight

MAX_LESSONS = 200
MAX_QUOTES = 10
# A lesson found through one of its takeaways ranks below one found by its own words.
TAKEAWAY_WEIGHT = 0.7


@functools.cache
def _backend(vendor: str) -> Backend:
    if vendor == "postgresql":
        from kb.search.postgres import PostgresSearch

        return PostgresSearch()
    from kb.search.sqlite import SQLiteSearch

    return SQLiteSearch()


def backend() -> Backend:
    """The backend of the database in use: each reads the index its database keeps."""
    return _backend(connection.vendor)


def tidy_index() -> None:
    """After a bulk write (an import): put the index in the shape searches are fastest in."""
    backend().tidy()


def write_terms() -> None:
    """After an edit: the terms of what it changed, where the database cannot write them
    itself (SQLite)."""
    backend().write_terms()


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
    # What the per-version lookups (videos, people) are keyed by: read at most once.
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
        _add_by_meaning(results, text, lessons, chapters, quotes, narrowed, more)
        return _said_by(results, speaker)
    scope = Scope(lessons, takeaways, quotes.with_video("chapter", "speaker"), narrowed)
    best = engine.best_rows(parsed, scope, Limits(MAX_LESSONS, MAX_LESSONS, MAX_QUOTES))
    results.lessons = _lessons(engine, parsed, best.lessons, best.takeaways)
    results.quotes = [QuoteHit(hit.quote, highlight(hit.snippet)) for hit in best.quotes]
    results.moments = in_context(find_moments(engine, parsed, chapters, narrowed, best))
    if not narrowed:
        results.videos, results.people = _videos_and_people(parsed, read_version())
        results.videos_by_words = len(results.videos)
    if by == "both" and parsed.words and not parsed.phrases and not parsed.excluded:
        # Exact phrases and -exclusions keep their literal meaning: words only.
        _add_by_meaning(results, text, lessons, chapters, quotes, narrowed, more)
    return _said_by(results, speaker)


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
# The same for lessons found by the sentence model (kb.search.sense), whose similarities
# run on another scale.
MIN_SENSE_SIMILARITY = 0.3
SENSE_SIMILARITY_SPREAD = 0.2
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
    more: bool = False,
) -> None:
    """After what says the words: lessons and moments close in meaning (kb.search.meaning),
    among the same visible, narrowed rows. What says the words comes first; meaning only
    fills the first places of each list that words left empty (MEANING_LESSONS,
    MEANING_MOMENTS), so a search that words answer well costs no vector lookup."""
    lessons_wanted = (MORE_BY_MEANING if more else MEANING_LESSONS) - len(results.lessons.ranked)
    moments_wanted = MEANING_MOMENTS - len(results.moments)
    quotes_full = len(results.quotes) >= MEANING_QUOTES
    if lessons_wanted <= 0 and moments_wanted <= 0 and quotes_full and (narrowed or results.videos):
        return
    query = meaning.embed([text])[0]
    vectors = meaning.index()
    if lessons_wanted > 0:
        found = {hit.lesson for hit in results.lessons.ranked}
        wanted = max(lessons_wanted, MEANING_LESSONS + 1, RERANKED)
        by_sense = sense.covering(vectors)
        asked = sense.embed(text) if by_sense is not None else None
        if asked is not None:  # the sentence model reads the question
            floor, spread = MIN_SENSE_SIMILARITY, SENSE_SIMILARITY_SPREAD
            close = by_sense.best(
                sense.SENSE, asked, wanted, floor, "lesson", lessons, narrowed,
                lambda row: row.lesson not in found,
            )  # fmt: skip
        else:
            floor, spread = MIN_LESSON_SIMILARITY, LESSON_SIMILARITY_SPREAD
            close = vectors.best(
                meaning.LESSON, query, wanted, floor, "lesson", lessons, narrowed,
                lambda row: row.lesson not in found,
            )  # fmt: skip
            close = _by_their_advice(close, query)
        closest = max((similarity for _, similarity in close), default=0.0)
        shown = close if more else [
            (row, similarity) for row, similarity in close[:lessons_wanted]
            if similarity >= closest - spread
        ]  # fmt: skip
        results.more_by_meaning = len(shown) < len(close)
        results.lessons.ranked += [
            Ranked(row.lesson, similarity, None, True) for row, similarity in shown[:lessons_wanted]
        ]
    if moments_wanted > 0:
        _add_moments_by_meaning(results, query, vectors, chapters, narrowed, moments_wanted)
    if len(results.quotes) < MEANING_QUOTES:
        _add_quotes_by_meaning(results, query, vectors, quotes, narrowed)
    if not narrowed and not results.videos:
        close = vectors.best(
            meaning.VIDEO, query, MAX_VIDEOS, MIN_VIDEO_SIMILARITY, "video",
            Video.objects.published(), False,
        )  # fmt: skip
        ids = [row.video for row, _ in close]
        found = Video.objects.published().defer(*VIDEO_LONG_FIELDS).in_bulk(ids)
        results.videos += [found[pk] for pk in ids if pk in found]


# The closest lessons as wholes are ranked again by how close their best piece of advice
# (title or a takeaway) is too: a question is often answered by one sentence of a lesson.
# Both set on the tune half of bench/real's reader questions.
RERANKED = 10


def _by_their_advice(close: list[tuple], query) -> list[tuple]:
    """`close` ((row, similarity) of lessons) in order of similarity plus their closest
    piece's (one query for the pieces; a lesson without them counts its own twice)."""
    if len(close) < 2:
        return close
    pieces = meaning.stored_pieces([row.lesson for row, _ in close[:RERANKED]])

    def closeness(item: tuple) -> float:
        row, similarity = item
        found = pieces.get(row.lesson)
        return similarity + (float((found @ query).max()) if found is not None else similarity)

    return sorted(close[:RERANKED], key=closeness, reverse=True) + close[RERANKED:]


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


def _add_quotes_by_meaning(results, query, vectors, quotes, narrowed) -> None:
    shown = {hit.quote.pk for hit in results.quotes}
    close = vectors.best(
        meaning.QUOTE, query, MEANING_QUOTES - len(results.quotes), MIN_SIMILARITY, "quote",
        quotes, narrowed, lambda row: row.quote not in shown,
    )  # fmt: skip
    ids = [row.quote for row, _ in close]
    if ids:
        found = quotes.with_video("chapter", "speaker").in_bulk(ids)
        results.quotes += [
            QuoteHit(found[pk], highlight(found[pk].text), similar=True)
            for pk in ids
            if pk in found
        ]


def _add_moments_by_meaning(results, query, vectors, chapters, narrowed, wanted) -> None:
    said = [(m.chapter.pk if m.chapter else None, m.start_seconds) for m in results.moments]

    def new_moment(row) -> bool:
        return not any(
            chapter == row.chapter and abs(start - row.start) < SAME_MOMENT_SECONDS
            for chapter, start in said
        )

    close = vectors.best(
        meaning.WINDOW, query, wanted, MIN_SIMILARITY, "chapter", chapters, narrowed, new_moment
    )
    if close:
        by_id = Chapter.objects.with_video().in_bulk([row.chapter for row, _ in close])
        results.moments += [
            Moment(
                by_id[row.chapter].video,
                by_id[row.chapter],
                row.start,
                highlight(_opening(row.excerpt, 24)),
                similar=True,
            )
            for row, _ in close
            if row.chapter in by_id
        ]


class Ranked(NamedTuple):
    """A lesson found, before it is loaded: by its own words, by one of its takeaways'
    (`takeaway`), or by meaning (`similar`)."""

    lesson: int
    rank: float
    takeaway: int | None = None
    similar: bool = False


def _lessons(
    engine: Backend,
    parsed: ParsedQuery,
    lessons: list[RankedLesson],
    takeaways: list[RankedTakeaway],
) -> "LessonHits":
    """Lessons ranked by their own words or, a little lower, by a takeaway's (both from
    the backend's `best_rows`)."""
    best: dict[int, Ranked] = {hit.lesson: Ranked(hit.lesson, hit.rank) for hit in lessons}
    for hit in takeaways:
        rank = hit.rank * TAKEAWAY_WEIGHT
        if hit.lesson not in best or rank > best[hit.lesson].rank:
            best[hit.lesson] = Ranked(hit.lesson, rank, hit.takeaway)
    return LessonHits(
        engine, parsed, sorted(best.values(), key=lambda hit: (-hit.rank, hit.lesson))
    )


class LessonHits:
    """The ranked lessons, loaded a page at a time: only the lessons shown, and their
    snippets, are fetched (a Paginator slices this)."""

    def __init__(self, engine: Backend, parsed: ParsedQuery, ranked: list[Ranked]):
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
            Lesson.objects.filter(pk__in=[hit.lesson for hit in chosen])
            .with_video("chapter")
            .defer("imported", "keywords"),
            [hit.lesson for hit in chosen if hit.takeaway is None and not hit.similar],
            {hit.lesson: hit.takeaway for hit in chosen if hit.takeaway is not None},
        )
        give_themes(lessons.values())
        return [
            LessonHit(
                lessons[hit.lesson],
                highlight(
                    _opening(lessons[hit.lesson].body)
                    if hit.similar
                    else getattr(lessons[hit.lesson], "search_snippet", None) or ""
                ),
                hit.rank,
                hit.similar,
            )
            for hit in chosen
            if hit.lesson in lessons
        ]


def _opening(body: str, words: int = 30) -> str:
    """A lesson found by meaning has no matched words to show: its first words instead."""
    split = body.split()
    return " ".join(split[:words]) + (" …" if len(split) > words else "")
