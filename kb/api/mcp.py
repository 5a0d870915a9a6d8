"""The knowledge base as tools for AI assistants: an MCP server (the official `mcp`
SDK), run by `python manage.py mcp` on stdio.

Read-only and published-only, as the API: the tools answer with the API's own
schemas (kb.api.answers), so every lesson, quote and moment carries its absolute
`url` and `moment_url` for the assistant to cite. Links are made absolute with
settings.SITE_URL (DJANGO_SITE_URL), since there is no request to take a host from.
"""

import functools

from django.conf import settings
from django.db import connections
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import ToolAnnotations

from kb.api import answers, queries
from kb.api import schemas as out
from kb.search.query import MAX_QUERY_CHARS
from kb.stamp import one_stamp

INSTRUCTIONS = (
    "A curated knowledge base of career advice from long videos and podcasts. Every "
    "lesson, quote and moment has a `moment_url` that opens the video at the second it "
    "was said: cite it. Start with list_themes or search_advice; what_guests_say compares "
    "guests on one theme."
)
SEARCH_RESULTS = 10


def absolute(path: str) -> str:
    return path if path.startswith(("http://", "https://")) else settings.SITE_URL + path


# Where an assistant finds the slugs each argument takes.
WHERE_SLUGS_ARE = {
    "theme": "list_themes gives the themes' slugs",
    "person": "the people of get_lesson's and search_advice's answers have their slugs",
}


def _known(resolve, slug: str | None, what: str):
    if not slug or not slug.strip():
        return None
    try:
        return resolve(slug.strip())
    except queries.Unknown as exc:
        raise ToolError(f"{exc}; {WHERE_SLUGS_ARE[what]}") from None


def search_advice(query: str, theme: str | None = None, person: str | None = None) -> out.SearchOut:
    """Search everything said: lessons, quotes and transcript moments, ranked as the
    site's search ranks them. Words are all required; "exact phrases" and -exclusions
    work. Narrow with a theme slug or a person slug."""
    text = query.replace("\x00", "").strip()
    if not text:
        raise ToolError("query is empty: give a few words")
    if len(text) > MAX_QUERY_CHARS:
        raise ToolError(f"query is longer than {MAX_QUERY_CHARS} characters")
    return answers.search(
        text,
        absolute,
        theme=_known(queries.theme, theme, "theme"),
        person=_known(queries.person, person, "person"),
        count=SEARCH_RESULTS,
    )


def get_lesson(slug: str) -> out.LessonDetail:
    """One lesson: its advice, takeaways, themes, who gives it, and the quotes behind
    it, each on its moment."""
    try:
        return answers.lesson_detail(slug, absolute)
    except queries.Unknown as exc:
        raise ToolError(f"{exc}: search_advice finds lessons' slugs") from None


def list_themes() -> list[out.ThemeOut]:
    """Every theme with published advice, with how many lessons and quotes it has."""
    return [out.theme_out(theme, absolute) for theme in queries.themes().alphabetical()]


def what_guests_say(theme: str) -> out.GuestsOut:
    """What each guest says on a theme (a theme slug from list_themes): per guest, their
    lessons with moment links, and the insights several guests agree on, with each
    voice's evidence."""
    chosen = _known(queries.theme, theme, "theme")
    if chosen is None:
        raise ToolError(f"theme is empty: give a theme's slug ({WHERE_SLUGS_ARE['theme']})")
    return answers.guests_on(chosen, absolute)


def as_a_request(tool):
    """Each call as Django treats a reading request: one content stamp (kb.stamp), its
    own database connection, closed when it is done (tools run in worker threads, which
    would otherwise keep theirs)."""

    @functools.wraps(tool)
    def call(*args, **kwargs):
        try:
            with one_stamp():
                return tool(*args, **kwargs)
        finally:
            connections.close_all()

    return call


def server() -> MCPServer:
    mcp = MCPServer("career-lessons", instructions=INSTRUCTIONS)
    reads = ToolAnnotations(readOnlyHint=True, idempotentHint=True, openWorldHint=False)
    for tool in (search_advice, get_lesson, list_themes, what_guests_say):
        mcp.add_tool(as_a_request(tool), annotations=reads)
    return mcp
