"""The interface between `search()` and a database's full-text engine, and the rows that
cross it. `search()` asks every backend the same few questions, each with what it may
search within (the readers' `published()` querysets, narrowed), and gets named rows
back. The database in use picks the backend (`kb.search.backend()`), where Wagtail
has a setting: each backend reads the index its own database keeps.

Two backends implement it: `kb.search.sqlite` (FTS5) and `kb.search.postgres`
(PostgreSQL's full-text search). Ranks are higher-is-better on both.
"""

from dataclasses import dataclass
from typing import Literal, NamedTuple, Protocol

from django.db.models import QuerySet

from kb.models import Chapter, Lesson, Quote, Takeaway
from kb.search.query import ParsedQuery


@dataclass(frozen=True)
class Scope:
    """The lessons, takeaways and quotes a search may find: the readers' querysets,
    narrowed to a theme, a video or a person when `narrowed` (a small part of all, which
    a backend may rank whole). The transcript's chapters are passed on their own, as the
    moments narrow them further between calls."""

    lessons: QuerySet[Lesson]
    takeaways: QuerySet[Takeaway]
    # With what a hit shows (its video, chapter and speaker).
    quotes: QuerySet[Quote]
    narrowed: bool = False


class Limits(NamedTuple):
    """How many of each kind `best_rows` ranks."""

    lessons: int
    takeaways: int
    quotes: int


class RankedLesson(NamedTuple):
    lesson: int
    rank: float


class RankedTakeaway(NamedTuple):
    lesson: int
    rank: float
    takeaway: int


class RankedQuote(NamedTuple):
    quote: Quote
    snippet: str  # marked with START/STOP (kb.search.results.highlight)


class BestRows(NamedTuple):
    """What `Backend.best_rows` finds: each kind's best visible rows, best first, and
    what the moments ask next where the database could tell it in the same round trip:
    how many lines it expects to say the query (`strongest_lines`) and the best
    chapters, visible or not, by id and rank (`best_chapters`)."""

    lessons: list[RankedLesson]
    takeaways: list[RankedTakeaway]
    quotes: list[RankedQuote]
    planned_lines: float | None = None
    chapters: dict[int, float] | None = None


class SaidLine(NamedTuple):
    """A transcript line that says the query (`strongest_lines`), visible or not."""

    line: int
    chapter: int
    start: float
    said: float  # how much of the query it says, how often
    rank: float  # the engine's rank, which breaks ties between chapters


class FoundLine(NamedTuple):
    """One of the best lines inside a chapter (`lines`)."""

    chapter: int
    start: float
    snippet: str


class Backend(Protocol):
    """What a database's full-text engine answers for `search()`: the best lessons,
    takeaways and quotes at once, a page of lessons with their snippets, and the
    transcript's moments in three steps (the lines that say a rare query, the chapters
    that say a common one best, the lines inside those), with snippets; and the
    upkeep of its index."""

    def best_rows(self, query: ParsedQuery, scope: Scope, limits: Limits) -> BestRows:
        """The best visible lessons (by their own words), takeaways and quotes."""
        ...

    def page_lessons(
        self,
        query: ParsedQuery,
        lessons: QuerySet[Lesson],
        own: list[int],
        takeaway_of: dict[int, int],
    ) -> dict[int, Lesson]:
        """`lessons` (a page of them) by id, each with a `search_snippet` where it has
        one: marked words of its own text if its id is in `own`, else of the takeaway
        that found it (`takeaway_of`: {lesson id: takeaway id})."""
        ...

    def strongest_lines(
        self, query: ParsedQuery, most: int, planned: float | None
    ) -> list[SaidLine] | None:
        """Every line that says the query; None when more than `most` do (too many to
        rank one by one). `planned`: `BestRows.planned_lines`, when the backend gave it."""
        ...

    def best_chapters(
        self,
        query: ParsedQuery,
        chapters: QuerySet[Chapter],
        limit: int,
        narrowed: bool,
        ranked: dict[int, float] | None,
    ) -> list[Chapter]:
        """The visible chapters whose transcript says the query best, best first, with
        their videos. `ranked`: `BestRows.chapters`, when the backend gave them."""
        ...

    def lines(
        self, query: ParsedQuery, chapters: list[Chapter], per_chapter: int
    ) -> list[FoundLine]:
        """The best lines inside the given chapters (those `best_chapters` gave)."""
        ...

    def snippets(
        self, query: ParsedQuery, of: Literal["chapters", "lines"], ids: list[int]
    ) -> dict[int, str]:
        """{id: marked snippet} of the given chapters' transcripts or transcript lines."""
        ...

    def reindex(self) -> None:
        """Rebuild the index from the data (`manage.py reindex`)."""
        ...

    def tidy(self) -> None:
        """Put the index in its fastest shape after a bulk write (an import's end)."""
        ...

    def write_terms(self) -> None:
        """Write the terms of the rows an edit changed, where the database's triggers can
        only mark them (after every edit: kb.importers.derived)."""
        ...
