"""Share cards: Open Graph and Twitter metadata on every page type, and the PNG they point
at, which fits any text, is drawn once per content version and never shows a draft."""

import io
import itertools
import re

import pytest
from PIL import Image

from kb import cards
from kb.models import Status
from tests.factories import (
    CreditFactory,
    EvidenceFactory,
    InsightFactory,
    LessonFactory,
    PersonFactory,
    QuoteFactory,
    ThemeFactory,
    VideoFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("cards_dir")]


@pytest.fixture
def pages():
    theme = ThemeFactory(name="Writing", slug="writing")
    person = PersonFactory(name="Zoë Ångström", slug="zoe-angstrom")
    video = VideoFactory(title="Staff <Eng>", youtube_id="abcdefghijk")
    CreditFactory(video=video, person=person)
    lesson = LessonFactory(video=video, title="Write <it> down", tags=[theme], start_seconds=3165)
    quote = QuoteFactory(video=video, lesson=lesson, speaker=person, text="I keep a log.")
    insight = InsightFactory(title="Decisions need a record")
    EvidenceFactory(insight=insight, lesson=lesson)
    return {
        "lesson": (lesson.get_absolute_url(), f"/lessons/{lesson.slug}/card.png"),
        "quote": (quote.get_absolute_url(), f"/quotes/{quote.pk}/card.png"),
        "person": (person.get_absolute_url(), f"/people/{person.slug}/card.png"),
        "theme": (theme.get_absolute_url(), "/themes/writing/card.png"),
        "insight": (insight.get_absolute_url(), f"/insights/{insight.slug}/card.png"),
    }


def meta(html: str) -> dict[str, str]:
    found = dict(re.findall(r'<meta (?:property|name)="([^"]+)" content="([^"]*)"', html))
    found["canonical"] = re.search(r'<link rel="canonical" href="([^"]+)"', html).group(1)
    return found


# The queries for each card; the content version comes first in each (read once a
# request: for the page cache and for the card's file name):
CARD_QUERIES = {
    # the published lesson, by slug, with its video
    # its own people (prefetched)
    # its video's guests, with the people (prefetched)
    "lesson": 4,
    # the published quote, by id, with its video and speaker
    "quote": 2,
    # the person, by slug, if anything of theirs is published, with their counts
    "person": 2,
    # the theme, by slug, among those with published content (its counts are kept from
    # its page, at the same version)
    "theme": 2,
    # the published insight, by slug, with its counts of voices and videos
    "insight": 2,
}


@pytest.mark.parametrize("kind", ["lesson", "quote", "person", "theme", "insight"])
def test_each_page_type_carries_open_graph_and_twitter_card_metadata(
    client, pages, kind, django_assert_num_queries
):
    page, card = pages[kind]
    tags = meta(client.get(page).content.decode())
    assert tags["og:image"] == f"http://testserver{card}"
    assert tags["og:image:width"] == "1200" and tags["og:image:height"] == "630"
    assert tags["twitter:card"] == "summary_large_image"
    assert tags["og:url"] == tags["canonical"] == f"http://testserver{page}"
    assert tags["og:title"] and tags["og:description"] and tags["og:image:alt"]
    assert "<it>" not in tags["og:title"] and "<Eng>" not in tags["og:description"]
    with django_assert_num_queries(CARD_QUERIES[kind]):
        response = client.get(card)
    assert response["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(response.content))
    assert image.format == "PNG" and image.size == (1200, 630)


def test_a_card_is_drawn_once_per_content_version(client, pages, cards_dir, monkeypatch):
    drawn = []
    real = cards.draw
    monkeypatch.setattr(cards, "draw", lambda card: drawn.append(card) or real(card))
    url = pages["quote"][1]
    first = client.get(url).content
    assert client.get(url).content == first and len(drawn) == 1
    quote = QuoteFactory._meta.model.objects.get()
    quote.text = "I keep a decision log."
    quote.save()
    assert client.get(url).content != first and len(drawn) == 2
    assert "I keep a decision log." in drawn[-1].headline
    assert len(list(cards_dir.glob("quote-*.png"))) == 1  # the old one is gone


def test_cards_of_drafts_are_not_found_and_draft_pages_point_at_none(client, editor):
    lesson = LessonFactory(status=Status.DRAFT)
    quote = QuoteFactory(status=Status.DRAFT)
    hidden = QuoteFactory(video=VideoFactory(status=Status.DRAFT))
    insight = InsightFactory(status=Status.DRAFT)
    for url in (
        f"/lessons/{lesson.slug}/card.png",
        f"/quotes/{quote.pk}/card.png",
        f"/quotes/{hidden.pk}/card.png",
        f"/insights/{insight.slug}/card.png",
        "/themes/nope/card.png",
        "/people/nobody/card.png",
    ):
        assert client.get(url).status_code == 404, url
    # Editors preview drafts; their pages name no card (a reader would get a 404).
    assert "og:image" not in client.get(lesson.get_absolute_url()).content.decode()
    assert "og:image" not in client.get(quote.get_absolute_url()).content.decode()
    # Published, the same lesson's page names its card, and the card is there.
    lesson.status = Status.PUBLISHED
    lesson.save()
    assert "og:image" in client.get(lesson.get_absolute_url()).content.decode()
    assert client.get(f"/lessons/{lesson.slug}/card.png")["Content-Type"] == "image/png"


LONGEST = " ".join(itertools.repeat("Incomprehensibilities notwithstanding, write it down", 40))
TEXTS = {
    "long quote": cards.Card(
        "Quote",
        LONGEST,
        "Jean-Émile Dœuf-Łukasiewicz von Überwald-Ångström, Principal Engineer " * 3,
        "Staff Engineering: the path beyond senior " * 10,
        "▶ 1:12:02",
        quoted=True,
    ),
    "one endless word": cards.Card("Lesson", "W" * 600, "X" * 200, "Y" * 300, "▶ ≈10:00:00"),
    "chinese": cards.Card(
        "Lesson",
        "成长来自于不断地反思和写下每一个决定。" * 20,
        "山田 太郎",
        "キャリアの話",
        "▶ 3:05",
    ),
    "korean": cards.Card(
        "Quote", "매일 결정을 기록하세요 " * 30, "김민준", "경력 이야기", "▶ 52:45", True
    ),
    "hebrew": cards.Card(
        "Quote", "המנהיגות האמיתית היא להקשיב " * 25, "דוד כהן", "שיחה", "▶ 1:00", True
    ),
    "arabic": cards.Card(
        "Lesson", "القيادة الحقيقية هي أن تستمع قبل أن تتكلم " * 20, "أحمد", "حديث", "▶ 2:00"
    ),
    "diacritics": cards.Card(
        "Person", "Zoë Ångström-Nguyễn Thị Minh Khai", "Łódź · Žižkov", "Ærøskøbing"
    ),
}


@pytest.mark.parametrize("name", TEXTS)
def test_any_text_fits_inside_the_card_without_overlapping(name):
    card = TEXTS[name]
    placed = cards.layout(card)
    for piece in placed:
        left, top, right, bottom = piece.box
        assert 0 <= left and right <= cards.WIDTH - 40, (piece.part, piece.box)
        assert 40 <= top and bottom <= cards.HEIGHT - 30, (piece.part, piece.box)
    parts = {}
    for piece in placed:
        box = parts.get(piece.part, piece.box)
        parts[piece.part] = (
            min(box[0], piece.box[0]),
            min(box[1], piece.box[1]),
            max(box[2], piece.box[2]),
            max(box[3], piece.box[3]),
        )
    for (a, one), (b, other) in itertools.combinations(parts.items(), 2):
        apart = one[2] <= other[0] or other[2] <= one[0] or one[3] <= other[1] or other[3] <= one[1]
        assert apart, (a, one, b, other)
    headline = "".join(p.text for p in placed if p.part == "headline")
    if len(card.headline) > 300:
        assert headline.endswith("…") or headline.endswith("…”")
    # The ink drawn stays inside the margins: the right-hand strip is background only.
    image = Image.open(io.BytesIO(cards.draw(card))).convert("RGB")
    strip = image.crop((cards.WIDTH - 40, 0, cards.WIDTH, cards.HEIGHT))
    assert set(strip.get_flattened_data()) == {(0xFD, 0xFC, 0xFA)}


def test_characters_are_drawn_with_a_font_that_has_them():
    for text, font in (("成长", "DroidSansFallback.ttf"), ("Zoë", "DejaVuSans.ttf")):
        ((piece, used),) = cards.runs(text, "regular", 40)
        assert piece == text and used.path.endswith(font)


SENTENCE = "Write your decisions down, because nobody remembers why they chose. "
HUGE = (SENTENCE * (160_000 // len(SENTENCE) + 1))[:160_000]
ESSAY = " ".join(["Incomprehensibilities notwithstanding, keep a log"] * 200)  # 1,000 words


def looked_at(monkeypatch, card_of) -> int:
    """How many characters laying out and drawing a card reads, making the card included."""
    seen = [0]
    for name in ("runs", "tokens"):
        real = getattr(cards, name)

        def counting(text, *args, real=real):
            seen[0] += len(text)
            return real(text, *args)

        monkeypatch.setattr(cards, name, counting)
    cards.draw(card_of())
    monkeypatch.undo()
    return seen[0]


@pytest.mark.parametrize(
    "huge, usual",
    [
        (  # a whole transcript pasted into a quote
            lambda: cards.Card("Quote", HUGE, "Jane Doe", "A talk", "▶ 1:00", quoted=True),
            lambda: cards.Card("Quote", HUGE[:2000], "Jane Doe", "A talk", "▶ 1:00", quoted=True),
        ),
        (  # no space to cut at
            lambda: cards.Card("Quote", "W" * 160_000, "Jane Doe", "A talk", "▶ 1:00"),
            lambda: cards.Card("Quote", "W" * 2000, "Jane Doe", "A talk", "▶ 1:00"),
        ),
        (
            lambda: cards.Card("Lesson", HUGE, HUGE, HUGE, "▶ 1:00"),
            lambda: cards.Card("Lesson", HUGE[:2000], HUGE[:300], HUGE[:300], "▶ 1:00"),
        ),
        (
            lambda: cards.Card("Theme", "Writing", "3 lessons · 1 quote", ESSAY),
            lambda: cards.Card("Theme", "Writing", "3 lessons · 1 quote", ESSAY[:300]),
        ),
        (
            lambda: cards.Card("Person", "Jane Doe", "3 lessons from 1 video", ESSAY),
            lambda: cards.Card("Person", "Jane Doe", "3 lessons from 1 video", ESSAY[:300]),
        ),
        (
            lambda: cards.Card("Insight", HUGE, "2 voices from 2 videos"),
            lambda: cards.Card("Insight", HUGE[:2000], "2 voices from 2 videos"),
        ),
    ],
    ids=["quote", "one word", "lesson", "theme", "person", "insight"],
)
def test_a_cards_cost_does_not_grow_with_its_text(monkeypatch, huge, usual):
    # Measured in characters read, not seconds: a 160,000-character quote used to keep a
    # worker busy until it was killed, and nothing was saved, so each request did it again.
    assert looked_at(monkeypatch, huge) <= 2 * looked_at(monkeypatch, usual)


def test_a_quote_of_a_whole_transcript_gets_a_card_cut_with_an_ellipsis(client):
    quote = QuoteFactory(text=HUGE)
    response = client.get(f"/quotes/{quote.pk}/card.png")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(response.content))
    assert image.format == "PNG" and image.size == (1200, 630)
    lines, _, _ = cards.headline_lines(cards.Card("Quote", HUGE, quoted=True))
    assert 1 <= len(lines) <= 8 and lines[-1].endswith("…")
    assert lines[0].startswith("“Write your decisions down")


def test_a_long_description_is_cut_to_one_line_with_an_ellipsis(client):
    theme = ThemeFactory(name="Writing", slug="writing", description=ESSAY)
    LessonFactory(tags=[theme])
    response = client.get("/themes/writing/card.png")
    assert response.status_code == 200
    assert Image.open(io.BytesIO(response.content)).format == "PNG"
    placed = cards.layout(cards.Card("Theme", "Writing", "1 lesson", ESSAY))
    source = "".join(piece.text for piece in placed if piece.part == "source")
    assert source.startswith("Incomprehensibilities") and source.endswith("…")
    assert len(source) < 200


def test_home_video_and_daily_pages_carry_a_card_that_answers(client, pages):
    video = VideoFactory._meta.model.objects.get(title="Staff <Eng>")
    for page in ("/", video.get_absolute_url(), "/daily/"):
        tags = meta(client.get(page).content.decode())
        image = tags["og:image"]
        assert image.startswith("http://testserver/") and image.endswith("/card.png"), page
        assert tags["twitter:card"] == "summary_large_image" and tags["og:image:alt"]
        response = client.get(image.removeprefix("http://testserver"))
        assert response.status_code == 200 and response["Content-Type"] == "image/png", page
        assert Image.open(io.BytesIO(response.content)).size == (1200, 630)
    assert meta(client.get("/daily/").content.decode())["og:image"].endswith(
        f"/lessons/{video.lessons.get().slug}/card.png"  # the lesson of the day's own card
    )


def test_a_draft_videos_page_names_no_card_and_its_card_is_not_found(client, editor):
    video = VideoFactory(status=Status.DRAFT, slug="hidden")
    assert "og:image" not in client.get(video.get_absolute_url()).content.decode()
    client.logout()
    assert client.get("/videos/hidden/card.png").status_code == 404
    video.status = Status.PUBLISHED  # published, it has both
    video.save()
    assert "og:image" in client.get(video.get_absolute_url()).content.decode()
    assert client.get("/videos/hidden/card.png")["Content-Type"] == "image/png"


def test_a_day_with_no_lesson_shares_the_sites_card(client):
    tags = meta(client.get("/daily/").content.decode())
    assert tags["og:image"] == "http://testserver/card.png"
    assert client.get("/card.png")["Content-Type"] == "image/png"
