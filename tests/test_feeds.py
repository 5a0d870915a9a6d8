"""Atom feeds and the Markdown export carry imported text as text, never as markup, and
every entry links to its moment (issue 13)."""

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest

from tests.factories import (
    CreditFactory,
    EvidenceFactory,
    InsightFactory,
    LessonFactory,
    PersonFactory,
    TakeawayFactory,
    ThemeFactory,
    VideoFactory,
)

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


@pytest.fixture
def every_feed():
    """One of each feed's entries, with a guest and an insight; returns the feeds' URLs."""
    theme = ThemeFactory(name="grit", slug="grit")
    person = PersonFactory(name="Ada Lovelace", slug="ada")
    video = VideoFactory(youtube_id="dQw4w9WgXcQ")
    CreditFactory(video=video, person=person)
    lesson = LessonFactory(video=video, tags=[theme])
    insight = InsightFactory(themes=[theme])
    EvidenceFactory(insight=insight, lesson=lesson)
    return {
        "objects": {
            "theme": theme,
            "person": person,
            "video": video,
            "lesson": lesson,
            "insight": insight,
        },
        "urls": [
            "/feeds/lessons/",
            "/feeds/daily/",
            "/feeds/insights/",
            "/themes/grit/feed/",
            "/people/ada/feed/",
        ],
    }


def test_control_characters_in_stored_text_never_take_a_feed_down(client, every_feed):
    # Stored as an old import or an admin paste left them (written past the cleaning
    # every save does now, kb.text): a vertical tab, a control character, a colour code.
    made = every_feed["objects"]

    def stored(obj, **values):
        type(obj).objects.filter(pk=obj.pk).update(**values)

    stored(made["theme"], description="Keep\x01 going")
    stored(made["person"], name="Ada\x1b[31m Lovelace", bio="Wrote\x0b notes")
    stored(made["video"], title="A\x0c talk", channel="Chan\x01nel")
    lesson = made["lesson"]
    stored(lesson, title="Ask\x0b early", body="Body\x01 text")
    stored(TakeawayFactory(lesson=lesson), text="Write\x1b[31m it down")
    stored(made["insight"], title="Decide\x02 in writing", summary="Say\x0b so")
    expected = {
        "/feeds/lessons/": ["Ask early", "Write[31m it down", "Body text", "A talk", "Channel"],
        "/feeds/daily/": ["Ask early", "Write[31m it down", "Channel"],
        "/feeds/insights/": ["Decide in writing", "Say so"],
        "/themes/grit/feed/": ["Keep going", "Ask early", "Insight: Decide in writing"],
        "/people/ada/feed/": ["Ada[31m Lovelace", "Wrote notes", "Ask early"],
    }
    for url in every_feed["urls"]:
        response = client.get(url)
        assert response.status_code == 200, url
        text = "".join(ET.fromstring(response.content).itertext())
        for words in expected[url]:
            assert words in text, (url, words)
        assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f]", response.content.decode())


def test_every_feed_names_an_author_and_gives_each_entry_an_absolute_id(client, every_feed):
    # The W3C feed validator's findings: an Atom entry needs an author, its own or the
    # feed's (RFC 4287 4.1.1), and an id that is an absolute IRI (4.2.6).
    every_feed["objects"]["video"].channel = ""  # an entry then has no author of its own
    every_feed["objects"]["video"].save()
    for url in every_feed["urls"]:
        feed = ET.fromstring(client.get(url).content)
        assert feed.findtext(f"{ATOM}author/{ATOM}name") == "Career lessons", url
        found = feed.findall(f"{ATOM}entry")
        assert found, url
        for entry in found:
            named = entry.findtext(f"{ATOM}author/{ATOM}name")
            assert entry.find(f"{ATOM}author") is None or named, url  # never an empty name
            entry_id = entry.findtext(f"{ATOM}id")
            assert re.match(r"(http://testserver/|tag:testserver,)", entry_id), (url, entry_id)
