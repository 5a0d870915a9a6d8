"""Pages a validator reads cleanly (issue 36: the Nu HTML Checker found a figure's
caption followed by more content, and list pages jumping from <h1> to <h3>)."""

import io
from html.parser import HTMLParser

import pytest
from django.core.management import call_command

from kb.models import Lesson, Quote, Status, Video
from tests.factories import EvidenceFactory, InsightFactory, QuoteFactory

pytestmark = pytest.mark.django_db


class Outline(HTMLParser):
    """Headings in order, and each <figure>'s element children."""

    VOID = {"br", "img", "input", "meta", "link", "hr", "source", "wbr", "area", "col"}

    def __init__(self):
        super().__init__()
        self.headings, self.figures, self.stack = [], [], []

    def handle_starttag(self, tag, attrs):
        if tag in {"h1", "h2", "h3", "h4", "h5", "h6"}:
            self.headings.append(int(tag[1]))
        if self.stack and self.stack[-1][0] == "figure":
            self.stack[-1][1].append(tag)
        if tag not in self.VOID:
            self.stack.append((tag, []))

    def handle_endtag(self, tag):
        while self.stack:
            name, children = self.stack.pop()
            if name == "figure":
                self.figures.append(children)
            if name == tag:
                break


def outline(client, url) -> Outline:
    response = client.get(url)
    assert response.status_code == 200, url
    parsed = Outline()
    parsed.feed(response.content.decode())
    return parsed


@pytest.fixture
def site():
    call_command("load_samples", stdout=io.StringIO())
    for model in (Video, Lesson, Quote):
        model.objects.update(status=Status.PUBLISHED)
    lesson = Lesson.objects.published().first()
    QuoteFactory(video=lesson.video, lesson=lesson, status=Status.PUBLISHED)
    insight = InsightFactory(title="Ask early", status=Status.PUBLISHED)
    EvidenceFactory(insight=insight, lesson=lesson)
    return lesson, insight


def test_headings_never_skip_a_level_and_captions_end_their_figures(client, site):
    lesson, insight = site
    pages = ["/", "/lessons/", "/insights/", "/quotes/", lesson.get_absolute_url()]
    pages += [insight.get_absolute_url()]
    pages += [lesson.video.get_absolute_url(), "/themes/"]
    figures = 0
    for url in pages:
        parsed = outline(client, url)
        assert parsed.headings and parsed.headings[0] == 1, url
        for before, after in zip(parsed.headings, parsed.headings[1:], strict=False):
            assert after <= before + 1, f"{url}: <h{before}> then <h{after}>"
        for children in parsed.figures:
            if "figcaption" in children:
                assert children[-1] == "figcaption" or children[0] == "figcaption", url
                figures += 1
    assert figures  # the quotes were there to check
