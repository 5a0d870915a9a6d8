"""The public, read-only site, by area."""

from kb.views.insights import insight_detail, insight_list
from kb.views.meta import healthz, robots_txt
from kb.views.people import person_detail, person_list
from kb.views.reading import (
    home,
    lesson_detail,
    lesson_list,
    quote_detail,
    quote_list,
    theme_detail,
    theme_list,
    theme_markdown,
    video_detail,
    video_list,
    video_markdown,
)
from kb.views.search import search
from kb.views.sharing import (
    daily_lesson,
    insight_card,
    lesson_card,
    lesson_markdown,
    person_card,
    person_deck,
    quote_card,
    site_card,
    theme_card,
    theme_deck,
    video_card,
    video_deck,
)
from kb.views.transcript import transcript

__all__ = [
    "lesson_markdown",
    "insight_card",
    "lesson_card",
    "person_card",
    "quote_card",
    "site_card",
    "theme_card",
    "video_card",
    "person_deck",
    "theme_deck",
    "video_deck",
    "daily_lesson",
    "healthz",
    "home",
    "insight_detail",
    "insight_list",
    "lesson_detail",
    "lesson_list",
    "person_detail",
    "person_list",
    "quote_detail",
    "quote_list",
    "robots_txt",
    "search",
    "theme_detail",
    "theme_list",
    "theme_markdown",
    "video_markdown",
    "transcript",
    "video_detail",
    "video_list",
]
