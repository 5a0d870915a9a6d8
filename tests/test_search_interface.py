"""The search backends' interface (kb.search.interface), and the queries each kind of
search makes on each database, listed."""

import inspect

import pytest
from django.db import connection

from kb.search import search
from kb.search.interface import Backend
from kb.search.postgres import PostgresSearch
from kb.search.sqlite import SQLiteSearch
from kb.stamp import one_stamp
from tests.factories import (
    ThemeFactory,
)
from tests.helpers import budget_talks

pytestmark = pytest.mark.django_db


def declared(cls) -> dict[str, inspect.Signature]:
    return {
        name: inspect.signature(member)
        for name, member in vars(cls).items()
        if callable(member) and not name.startswith("_")
    }


@pytest.mark.parametrize("backend", [SQLiteSearch, PostgresSearch])
def test_every_backend_answers_exactly_what_the_interface_declares(backend):
    """Each backend has the interface's methods and no other public one, each taking the
    same parameters with the same types and returning the same type: `search()` can
    ask any backend anything the interface declares, and nothing more."""
    interface = declared(Backend)
    assert len(interface) == 9  # six questions, three kinds of upkeep
    public = {name for name in dir(backend) if not name.startswith("_")}
    assert public == set(interface)
    for name, signature in interface.items():
        assert inspect.signature(getattr(backend, name)) == signature, name


# The queries of each search, once what is kept per content version is read (in a
# request, with the content version read before; the search reads it again only where
# it is not kept yet). Words fill every list at both sizes, so nothing is looked up by
# meaning but where a list stays short.
#
# SQLite, "budget planning" (19):
#   the best lessons in their index (FTS5 alone, prefixes)
#   the content version (which of the best lessons and takeaways readers may see was
#     asked by primary key by the search before, and is remembered under it)
#   the best takeaways in their index
#   the best quotes in their index
#   the visible ones among those, with video, chapter and speaker
#   the quotes' snippets
#   how many lines say the query (counted up to one too many)
#   those lines, with how much each says and its rank
#   their visible chapters, with their videos
#   the lines' snippets
#   how many chapters say the query (counted up to one too many)
#   the best chapters in their index
#   the visible ones among those, with their videos
#   their lines' ranges of row ids
#   each word looked up alone in each chapter's range (one query)
#   ... again for the chapters where no line says both words, loosened (one query)
#   the lines saying most of them, with their snippets
#   the lines around the moments (one query)
#   by meaning (for videos): the vectors past those in this host's files (none here)
# SQLite, '"budget planning"' (14): the same up to the best chapters, none of them
#   visible but those whose lines were found first (left out): no ranges, no lines
#   read by chapter
# SQLite, "budget -tight" (15): the same, and first how many lessons, takeaways and
#   quotes say the one word (one query, each counted up to one too many: few enough
#   for bm25, not their terms: kb.search.sqlite.rows)
# SQLite, "budget" in a video (11):
#   the video's lessons ranked by bm25 (their own query, joined to the index)
#   the video's takeaways ranked by bm25
#   the video's best quotes with their snippets (the ranking inside)
#   those quotes, with video, chapter and speaker
#   how many lines say the query; those lines; their visible chapters; their snippets
#   the video's chapters ranked by bm25
#   the lines around the moments
#   by meaning, the vectors past those in this host's files (none here, so none of the
#     video's lessons, chapters and quotes is asked for)
#
# PostgreSQL, "budget planning" (14):
#   the best lessons, takeaways and quotes in their terms tables (one query), sent
#     with the planner's estimate of the lines saying each word
#   the content version (which of the best lessons and takeaways are visible is
#     remembered under it)
#   the visible quotes among the best, with video, chapter, speaker and snippets
#   the lines saying the query, with their ranks
#   their visible chapters, with their videos
#   the lines' snippets
#   the chapters that say each word most, the best of those saying the query
#   the planner's estimate of the chapters saying the query (few: ranked directly)
#   those chapters ranked directly
#   the visible ones, with their videos
#   the best lines in those chapters, with their snippets
#   ... loosened, in the chapters where no line says both words
#   the lines around the moments
#   by meaning (for videos): the vectors past those in this host's files (none here)
# PostgreSQL, '"budget planning"' (11): a phrase is ranked by ts_rank, not by terms:
#   the visible lessons and takeaways ranked (two statements, one round trip)
#   the visible quotes ranked, with their snippets
#   the lines; their chapters; their snippets
#   the candidate chapters; the planner's estimate; the chapters ranked directly;
#   the visible ones (none left but those already shown: no lines read by chapter)
#   the lines around the moments
#   the content version
# PostgreSQL, "budget -tight" (11): as "budget planning" up to the visible chapters,
#   none of them but those whose lines were found first (left out): no lines read by
#   chapter
# PostgreSQL, "budget" in a video (10):
#   the video's lessons and takeaways ranked (one round trip)
#   the video's quotes ranked, with their snippets
#   the lines; their chapters; their snippets
#   the video's chapters among the candidates, ranked
#   the planner's estimate of the video's chapters saying it; those ranked directly
#   the lines around the moments
#   by meaning, the vectors past those in this host's files (none here)
QUERIES = {
    "budget planning": {"sqlite": 19, "postgresql": 14},
    '"budget planning"': {"sqlite": 14, "postgresql": 11},
    "budget -tight": {"sqlite": 15, "postgresql": 11},
    "budget in a video": {"sqlite": 11, "postgresql": 10},
}


@pytest.mark.parametrize("shape", QUERIES)
def test_each_kind_of_search_makes_the_same_queries_whatever_the_data_size(
    shape, django_assert_num_queries
):
    theme = ThemeFactory(name="money")
    video = budget_talks(2, theme=theme)
    text, narrowing = shape.removesuffix(" in a video"), {}
    if shape.endswith(" in a video"):
        narrowing = {"video": video}
    expected = QUERIES[shape][connection.vendor]
    for more in (0, 4):
        if more:
            budget_talks(more, theme=theme)
        search(text, **narrowing)  # what is kept per content version is read once
        with one_stamp(), django_assert_num_queries(expected):
            results = search(text, **narrowing)
        assert results.lessons and results.quotes and results.moments
