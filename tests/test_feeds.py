"""Atom feeds and the Markdown export carry imported text as text, never as markup, and
every entry links to its moment (issue 13)."""

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest

from tests.factories import LessonFactory, TakeawayFactory, ThemeFactory, VideoFactory

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
HOSTILE = (
    "<script>alert(1)</script> <img src=x onerror=alert(2)> "
    "[click me](javascript:alert(3)) <a href='javascript:alert(4)'>here</a>"
)


class Markup(HTMLParser):
    """The tags, attributes and text a feed reader would see in an entry's HTML."""

    def __init__(self, html):
        super().__init__()
        self.tags, self.hrefs, self.text = [], [], []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for name, value in attrs:
            assert name == "href", f"<{tag} {name}=…>"
            self.hrefs.append(value)

    def handle_data(self, data):
        self.text.append(data)


@pytest.fixture
def hostile_lesson():
    theme = ThemeFactory(name="promotion")
    video = VideoFactory(youtube_id="dQw4w9WgXcQ", title="A <b>bold</b> talk")
    lesson = LessonFactory(
        video=video,
        title="Ask <i>early</i>",
        body=f"First paragraph {HOSTILE}\n\n- a listed point\n- another point",
        start_seconds=125.4,
        tags=[theme],
    )
    TakeawayFactory(lesson=lesson, text="Write it down <img src=y onerror=alert(5)>", position=0,
                    start_seconds=130.0)  # fmt: skip
    TakeawayFactory(lesson=lesson, text="Rest well", position=1, start_seconds=None)
    return lesson


def entries(client, url):
    root = ET.fromstring(client.get(url).content)
    return root.findall(f"{ATOM}entry")


@pytest.mark.parametrize("url", ["/feeds/lessons/", "/themes/promotion/feed/"])
def test_feed_entries_are_escaped_html_with_lists_and_moment_links(client, hostile_lesson, url):
    (entry,) = entries(client, url)
    summary = entry.find(f"{ATOM}summary")
    assert summary.get("type") == "html"
    markup = Markup(summary.text)
    assert set(markup.tags) <= {"p", "ul", "ol", "li", "a", "strong"}
    assert "script" not in markup.tags and "img" not in markup.tags
    text = "".join(markup.text)
    assert "<script>alert(1)</script>" in text  # shown as the words it is
    assert "onerror=alert(5)" in text
    assert markup.tags.count("li") == 4  # two body list items, two takeaways
    assert all(
        h.startswith(("http://testserver/", "https://www.youtube.com/")) for h in markup.hrefs
    )
    assert "https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=125s" in markup.hrefs
    assert "https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=130s" in markup.hrefs
    assert f"http://testserver{hostile_lesson.video.get_absolute_url()}" in markup.hrefs
    assert entry.find(f"{ATOM}title").text == "Ask <i>early</i>"


def test_a_moment_without_youtube_id_links_to_the_transcript_absolutely(client):
    video = VideoFactory(youtube_id="", slug="no-id")
    LessonFactory(video=video, start_seconds=61.0)
    (entry,) = entries(client, "/feeds/lessons/")
    hrefs = Markup(entry.find(f"{ATOM}summary").text).hrefs
    assert "http://testserver/videos/no-id/transcript/#t-61" in hrefs


def test_the_markdown_export_shows_links_and_markup_as_text(client, hostile_lesson):
    text = client.get("/themes/promotion.md").content.decode()
    assert not re.search(r"(?<!\\)\]\(javascript:", text)  # no link Markdown would make
    assert "\\[click me\\](javascript:alert(3))" in text
    assert not re.search(r"(?<!\\)<", text)  # no raw HTML: every < is escaped
    assert "## Ask \\<i\\>early\\</i\\>" in text
    assert "\n- a listed point\n- another point" in text  # the body's own list stays a list
    assert "[2:05](https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=125s)" in text
