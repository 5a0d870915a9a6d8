"""The MCP server (issue 20): its tools called through the official SDK's client, in
process and over stdio as an assistant runs `python manage.py mcp`; published only,
every answer with moment links to cite."""

import os
import sys

import anyio
import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters

from kb.api.mcp import server
from kb.models import Status
from tests.factories import (
    CreditFactory,
    EvidenceFactory,
    InsightFactory,
    LessonFactory,
    PersonFactory,
    QuoteFactory,
    TakeawayFactory,
    ThemeFactory,
    VideoFactory,
)
from tests.helpers import ROOT, database_url

# The tools run in worker threads with their own connections: the rows must be committed.
pytestmark = pytest.mark.django_db(transaction=True)
TOOLS = {"search_advice", "get_lesson", "list_themes", "what_guests_say"}


@pytest.fixture
def advice(settings):
    settings.SITE_URL = "https://lessons.example"
    promotion = ThemeFactory(name="promotion")
    ana, ben = PersonFactory(name="Ana Lima"), PersonFactory(name="Ben Ode")
    first = VideoFactory(title="Growing to staff", youtube_id="abcdefghijk")
    second = VideoFactory(title="Calm on-call")
    CreditFactory(video=first, person=ana)
    CreditFactory(video=second, person=ben)
    brag = LessonFactory(video=first, title="Keep a brag document", slug="keep-a-brag-document",
                         body="Write the promotion case as you go.", start_seconds=3165,
                         tags=[promotion])  # fmt: skip
    TakeawayFactory(lesson=brag, text="Note each win that week", start_seconds=3170)
    QuoteFactory(video=first, lesson=brag, speaker=ana, text="Your promotion case is a document",
                 start_seconds=3166, end_seconds=3180, tags=[promotion])  # fmt: skip
    peers = LessonFactory(video=second, title="Ask peers for promotion feedback",
                          slug="ask-peers", start_seconds=600, tags=[promotion])  # fmt: skip
    LessonFactory(video=second, title="Draft promotion tip", slug="draft-tip",
                  status=Status.DRAFT, tags=[promotion])  # fmt: skip
    hidden = VideoFactory(title="Unreleased", status=Status.DRAFT)
    LessonFactory(video=hidden, title="Hidden promotion tip", slug="hidden-tip", tags=[promotion])
    insight = InsightFactory(title="Write your case down", slug="write-it-down", themes=[promotion])
    EvidenceFactory(insight=insight, lesson=brag)
    EvidenceFactory(insight=insight, lesson=peers)
    InsightFactory(title="Draft insight", status=Status.DRAFT, themes=[promotion])
    return {"promotion": promotion}


def call(target, tool: str, arguments: dict):
    async def run():
        async with Client(target) as client:
            return await client.call_tool(tool, arguments)

    return anyio.run(run)


def test_tools_are_listed_read_only():
    async def run():
        async with Client(server()) as client:
            return (await client.list_tools()).tools

    tools = anyio.run(run)
    assert {tool.name for tool in tools} == TOOLS
    assert all(tool.annotations.read_only_hint for tool in tools)
    search = next(tool for tool in tools if tool.name == "search_advice")
    assert set(search.input_schema["properties"]) == {"query", "theme", "person"}
    assert search.input_schema["required"] == ["query"]


def test_search_advice_answers_with_moments_to_cite(advice):
    result = call(server(), "search_advice", {"query": "promotion"})
    assert not result.is_error
    found = result.structured_content
    titles = [hit["lesson"]["title"] for hit in found["lessons"]]
    assert set(titles) == {"Keep a brag document", "Ask peers for promotion feedback"}
    brag = next(
        hit["lesson"] for hit in found["lessons"] if hit["lesson"]["slug"] == "keep-a-brag-document"
    )
    assert brag["moment_url"] == "https://www.youtube.com/watch?v=abcdefghijk&t=3165s"
    assert brag["url"] == "https://lessons.example/lessons/keep-a-brag-document/"
    assert found["quotes"][0]["quote"]["moment_url"].endswith("&t=3166s")
    narrowed = call(server(), "search_advice", {"query": "promotion", "person": "ben-ode"})
    assert [h["lesson"]["slug"] for h in narrowed.structured_content["lessons"]] == ["ask-peers"]


def test_get_lesson_with_its_quotes(advice):
    lesson = call(server(), "get_lesson", {"slug": "keep-a-brag-document"}).structured_content
    assert lesson["quotes"][0]["text"] == "Your promotion case is a document"
    assert lesson["takeaways"][0]["moment_url"].endswith("&t=3170s")
    assert [p["name"] for p in lesson["people"]] == ["Ana Lima"]


def test_list_themes_with_readers_counts(advice):
    themes = call(server(), "list_themes", {}).structured_content["result"]
    assert [(t["slug"], t["lesson_count"], t["quote_count"]) for t in themes] == [
        ("promotion", 2, 1)
    ]


def test_what_guests_say_per_guest_with_the_insight(advice):
    said = call(server(), "what_guests_say", {"theme": "promotion"}).structured_content
    voices = {
        g["person"]["name"]: [lesson["slug"] for lesson in g["lessons"]] for g in said["guests"]
    }
    assert voices == {"Ana Lima": ["keep-a-brag-document"], "Ben Ode": ["ask-peers"]}
    assert [i["slug"] for i in said["insights"]] == ["write-it-down"]
    moments = [e["moment_url"] for e in said["insights"][0]["evidence"]]
    assert moments[0].endswith("&t=3165s") and moments[1].endswith("/transcript/#t-600")
    assert moments[1].startswith("https://lessons.example/")


def test_drafts_never_reach_an_assistant(advice):
    said = " ".join(
        str(call(server(), tool, arguments).content)
        for tool, arguments in [
            ("search_advice", {"query": "promotion tip"}),
            ("search_advice", {"query": "promotion"}),
            ("what_guests_say", {"theme": "promotion"}),
            ("list_themes", {}),
        ]
    )
    assert "Draft" not in said and "Hidden" not in said and "Unreleased" not in said
    for slug in ["draft-tip", "hidden-tip"]:
        result = call(server(), "get_lesson", {"slug": slug})
        assert result.is_error and "no lesson" in result.content[0].text


@pytest.mark.parametrize(
    "tool, arguments, says",
    [
        ("get_lesson", {"slug": "nope"}, "no lesson 'nope'"),
        ("what_guests_say", {"theme": "nope"}, "no theme 'nope'"),
        ("search_advice", {"query": "promotion", "theme": "nope"}, "no theme 'nope'"),
        ("what_guests_say", {"theme": ""}, "theme is empty"),
        ("what_guests_say", {"theme": "  "}, "list_themes gives"),
        ("search_advice", {"query": "promotion", "person": "nope"}, "people of get_lesson"),
        ("search_advice", {"query": "   "}, "query is empty"),
        ("search_advice", {"query": "x" * 2000}, "longer than"),
    ],
)
def test_bad_arguments_are_clear_tool_errors(advice, tool, arguments, says):
    result = call(server(), tool, arguments)
    assert result.is_error and says in result.content[0].text


def test_over_stdio_as_an_assistant_runs_it(advice):
    """`python manage.py mcp` in its own process, on this test's database."""
    env = {**os.environ, "DJANGO_DEBUG": "1", "DATABASE_URL": database_url(),
           "DJANGO_SITE_URL": "https://lessons.example"}  # fmt: skip
    params = StdioServerParameters(
        command=sys.executable, args=["manage.py", "mcp"], env=env, cwd=str(ROOT)
    )

    async def run():
        async with Client(params) as client:
            tools = (await client.list_tools()).tools
            found = await client.call_tool("search_advice", {"query": "brag document"})
            missing = await client.call_tool("get_lesson", {"slug": "draft-tip"})
            return tools, found, missing

    tools, found, missing = anyio.run(run)
    assert {tool.name for tool in tools} == TOOLS
    lesson = found.structured_content["lessons"][0]["lesson"]
    assert lesson["slug"] == "keep-a-brag-document"
    assert lesson["url"] == "https://lessons.example/lessons/keep-a-brag-document/"
    assert missing.is_error


def test_a_tool_call_reads_the_content_version_once_as_a_request_does(advice):
    """What is kept per content version (visible rows, themes) is looked up by the
    version; in a tool call, as in a reading request, it is read once, not by each."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kb.api.mcp import as_a_request, search_advice
    from kb.stamp import content_version

    content_version()  # its row (a flushed database gets it back at the first read)
    with CaptureQueriesContext(connection) as queries:
        found = as_a_request(search_advice)("promotion")
    assert {hit.lesson.slug for hit in found.lessons} == {"keep-a-brag-document", "ask-peers"}
    stamps = [q for q in queries.captured_queries if "kb_contentversion" in q["sql"]]
    assert len(stamps) == 1
