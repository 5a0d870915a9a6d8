"""Share cards: the 1200×630 PNG a chat or a post shows for a page (its `og:image`).

A card says what the page is (a quote's words, a lesson's title), who said it, the video
and the moment (`▶ 52:45`), in the site's light look. Text is laid out here, measured
with the fonts that draw it (kb/fonts), so it always fits: a headline shrinks to its
smallest size and is then cut at a word with an ellipsis; other lines are cut to one.
Each character is drawn with the first font that has it (DejaVu Sans, then Droid Sans
Fallback for Chinese, Japanese and Korean); Pillow's Raqm layout orders right-to-left
text and joins Arabic letters.

A card costs the same whatever the text behind it: a field holds no more than a card can
show (the rest becomes an ellipsis) before anything is measured, and lines are cut by
binary search, so a whole transcript pasted into a quote is one more ordinary card.

Cards are drawn once per text and kept on disk (settings.CARDS_DIR), each file named by
a digest of all the card says: an edit that changes a card's text gets a new file (the
old one is removed), and an edit elsewhere draws nothing. What each card says is built
here from objects already loaded (`lesson_card`, `video_card`, `site_card`...), so the
card's own view and the task that draws it after an editor's save (kb.card_tasks) name
the same file: readers find it drawn. A card not drawn yet is drawn by the request that
asks for it.
"""

import functools
import hashlib
import itertools
import os
import tempfile
import unicodedata
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

from django.conf import settings
from fontTools.ttLib import TTFont
from PIL import Image, ImageDraw, ImageFont

from kb.text import counted, voices_line
from kb.timecodes import format_timecode

WIDTH, HEIGHT = 1200, 630
MARGIN = 72
BG, FG, MUTED, ACCENT, ACCENT_SOFT, RULE = (
    "#fdfcfa",
    "#1f1c19",
    "#5f5850",
    "#a8401a",
    "#f6e6dc",
    "#e4ded6",
)
FONTS = Path(__file__).resolve().parent / "fonts"
FACES = {
    "regular": ("DejaVuSans.ttf", "DroidSansFallback.ttf"),
    "bold": ("DejaVuSans-Bold.ttf", "DroidSansFallback.ttf"),
}
HEADLINE_SIZES = (64, 58, 52, 46, 42, 38, 34)
HEADLINE_TOP, HEADLINE_BOTTOM = 150, 440
ELLIPSIS = "…"
# What a card can show at most, with the narrowest glyphs: the headline's lines at its
# smallest size, and one line of byline or source; text past it is never measured.
HEADLINE_CHARACTERS = 1000
LINE_CHARACTERS = 200


def clip(text: str, most: int) -> str:
    """`text` cut at a word within `most` characters, with an ellipsis when cut."""
    if len(text) <= most:
        return text
    cut = text[:most]
    if not text[most].isspace():
        words = cut.rsplit(maxsplit=1)
        if len(words) == 2 and len(words[0]) > most // 2:
            cut = words[0]
    return cut.rstrip(" ,;:.-—\t\n\r") + ELLIPSIS


@dataclass
class Card:
    kind: str  # what the page is: "Quote", "Lesson", "Theme", "Person", "Insight"
    headline: str
    byline: str = ""  # who said it
    source: str = ""  # where: the video's title, or a count
    moment: str = ""  # "▶ 52:45"
    quoted: bool = False  # the headline is someone's words

    def __post_init__(self):
        self.headline = clip(self.headline, HEADLINE_CHARACTERS)
        self.byline = clip(self.byline, LINE_CHARACTERS)
        self.source = clip(self.source, LINE_CHARACTERS)
        self.moment = clip(self.moment, LINE_CHARACTERS)


@dataclass
class Placed:
    """A piece of text as drawn: where, in which font, and the box its ink fills."""

    text: str
    xy: tuple[float, float]
    font: ImageFont.FreeTypeFont
    fill: str
    box: tuple[int, int, int, int] = field(default=(0, 0, 0, 0))
    part: str = ""


@functools.cache
def _coverage(name: str) -> frozenset[int]:
    return frozenset(TTFont(FONTS / name, lazy=True).getBestCmap())


@functools.cache
def _font(name: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONTS / name), size)


def runs(text: str, face: str, size: int) -> list[tuple[str, ImageFont.FreeTypeFont]]:
    """`text` cut where the font that has its characters changes. Right-to-left text
    stays one run (its first font has the script), so Raqm can order it."""
    names = FACES[face]
    if any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in text):
        return [(text, _font(names[0], size))]

    def font_of(ch: str) -> str:
        return next((n for n in names if ord(ch) in _coverage(n) or ch.isspace()), names[0])

    return [
        ("".join(piece), _font(name, size)) for name, piece in itertools.groupby(text, key=font_of)
    ]


def width(text: str, face: str, size: int) -> float:
    return sum(font.getlength(piece) for piece, font in runs(text, face, size))


def is_rtl(text: str) -> bool:
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind in ("R", "AL"):
            return True
        if kind == "L":
            return False
    return False


def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


def tokens(text: str) -> list[str]:
    """Words, each with the space before it; a Chinese, Japanese or Korean character is
    a word of its own (those scripts break lines between any two characters)."""
    out: list[str] = []
    for word in text.split():
        for i, ch in enumerate(word):
            glue = "" if (i or not out) else " "
            if _wide(ch) or not out or i == 0 or _wide(word[i - 1]):
                out.append(glue + ch)
            else:
                out[-1] += ch
    return out


def longest_fit(text: str, face: str, size: int, room: float) -> int:
    """How many leading characters of `text` fit in `room` (at least one)."""
    low, high = 1, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if width(text[:middle], face, size) <= room:
            low = middle
        else:
            high = middle - 1
    return low


def wrap(text: str, face: str, size: int, room: float, most: int = 10**6) -> list[str]:
    """Lines of at most `room` pixels, `most` of them plus the start of the next (enough
    to know the text goes on); a word longer than a line is cut where it must."""
    lines: list[str] = []
    line = ""
    for token in tokens(text):
        if len(lines) > most:
            break
        candidate = line + token if line else token.lstrip()
        if width(candidate, face, size) <= room:
            line = candidate
            continue
        if line:
            lines.append(line)
        line = token.lstrip()
        while len(lines) <= most and width(line, face, size) > room:  # wider than the card
            cut = longest_fit(line, face, size, room)
            lines.append(line[:cut])
            line = line[cut:]
    if line:
        lines.append(line)
    return lines


def shorten(line: str, face: str, size: int, room: float, always: bool = False) -> str:
    """`line` cut at a word (or, with no word to cut at, a character) so that it and an
    ellipsis fit in `room`; `always` adds the ellipsis even when the whole line fits."""
    if not always and width(line, face, size) <= room:
        return line
    words = line.split(" ")
    low, high = 1, len(words)  # the most words that fit with the ellipsis, at least one
    while low < high:
        middle = (low + high + 1) // 2
        if width(" ".join(words[:middle]) + ELLIPSIS, face, size) <= room:
            low = middle
        else:
            high = middle - 1
    cut = " ".join(words[:low]).rstrip(" ,;:.-—")
    if width(cut + ELLIPSIS, face, size) > room:
        cut = cut[: longest_fit(cut, face, size, room - width(ELLIPSIS, face, size))]
    return cut + ELLIPSIS


def headline_lines(card: Card) -> tuple[list[str], str, int]:
    """The headline's lines, face and size: the largest size it fits at, else the
    smallest with the rest cut off."""
    face = "regular" if card.quoted else "bold"
    text = " ".join(card.headline.split())
    if card.quoted:
        text = f"“{text}”" if not is_rtl(text) else text
    room = WIDTH - 2 * MARGIN
    for size in HEADLINE_SIZES:
        most = (HEADLINE_BOTTOM - HEADLINE_TOP) // line_height(size)
        lines = wrap(text, face, size, room, most)
        if len(lines) <= most:
            return lines, face, size
    kept = lines[:most]
    kept[-1] = shorten(kept[-1], face, size, room, always=True)
    return kept, face, size


def line_height(size: int) -> int:
    return round(size * 1.25)


def _place(placed: list[Placed], draw, text, x, y, face, size, fill, part, right=False):
    """Append `text` drawn with its baseline at y, from x (or ending at x when `right`)."""
    pieces = runs(text, face, size)
    total = sum(font.getlength(piece) for piece, font in pieces)
    at = x - total if right else x
    for piece, font in pieces:
        box = draw.textbbox((at, y), piece, font=font, anchor="ls")
        placed.append(Placed(piece, (at, y), font, fill, tuple(map(round, box)), part))
        at += font.getlength(piece)


def layout(card: Card) -> list[Placed]:
    """Every piece of text on the card, with the box its ink will fill."""
    measure = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    placed: list[Placed] = []
    room = WIDTH - 2 * MARGIN
    _place(
        placed, measure, f"Career lessons · {card.kind}", MARGIN, 100, "bold", 28, ACCENT, "kind"
    )
    lines, face, size = headline_lines(card)
    step = line_height(size)
    rtl = is_rtl(card.headline)
    for n, line in enumerate(lines):
        y = HEADLINE_TOP + size + n * step
        x = WIDTH - MARGIN if rtl else MARGIN
        _place(placed, measure, line, x, y, face, size, FG, "headline", right=rtl)
    moment_room = 0
    if card.moment:
        moment_room = width(card.moment, "bold", 34) + 40
        _place(
            placed,
            measure,
            card.moment,
            WIDTH - MARGIN - 20,
            566,
            "bold",
            34,
            ACCENT,
            "moment",
            right=True,
        )
    if card.byline:
        byline = shorten(card.byline, "bold", 34, room - moment_room - 24)
        _place(placed, measure, byline, MARGIN, 512, "bold", 34, FG, "byline")
    if card.source:
        source = shorten(card.source, "regular", 28, room - moment_room - 24)
        _place(placed, measure, source, MARGIN, 566, "regular", 28, MUTED, "source")
    return placed


def draw(card: Card) -> bytes:
    """The card as PNG bytes."""
    image = Image.new("RGB", (WIDTH, HEIGHT), BG)
    pen = ImageDraw.Draw(image)
    pen.rectangle((0, 0, 16, HEIGHT), fill=ACCENT)
    pen.line((MARGIN, 470, WIDTH - MARGIN, 470), fill=RULE, width=2)
    placed = layout(card)
    for piece in placed:
        if piece.part == "moment":
            left, top, right, bottom = piece.box
            pen.rounded_rectangle(
                (left - 18, top - 12, right + 18, bottom + 12), 14, fill=ACCENT_SOFT
            )
    for piece in placed:
        pen.text(piece.xy, piece.text, font=piece.font, fill=piece.fill, anchor="ls")
    out = BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


def cached_png(name: str, card: Card) -> bytes:
    """The card for `name` (e.g. "quote-12") saying what `card` says, drawn only when no
    file holds it; its file replaces the ones `name` had before."""
    folder = Path(settings.CARDS_DIR)
    digest = hashlib.sha256(repr(card).encode()).hexdigest()[:16]
    path = folder / f"{name}-{digest}.png"
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    data = draw(card)
    folder.mkdir(parents=True, exist_ok=True)
    handle, scratch = tempfile.mkstemp(dir=folder, suffix=".tmp")
    with os.fdopen(handle, "wb") as out:
        out.write(data)
    os.replace(scratch, path)  # another process drawing the same card writes the same bytes
    for old in folder.glob(f"{name}-*.png"):
        if old != path:
            old.unlink(missing_ok=True)
    return data


def moment_label(video, seconds) -> str:
    if seconds is None:
        return ""
    return f"▶ {'' if video.transcript_exact else '≈'}{format_timecode(seconds)}"


def lesson_card(lesson) -> Card:
    """A published lesson's card: loaded with its video and people (`with_people`)."""
    return Card(
        "Lesson",
        lesson.title,
        ", ".join(person.name for person in lesson.speakers),
        lesson.video.title,
        moment_label(lesson.video, lesson.start_seconds),
    )


def quote_card(quote) -> Card:
    """A published quote's card: loaded with its video and speaker."""
    return Card(
        "Quote",
        quote.text,
        quote.said_by,
        quote.video.title,
        moment_label(quote.video, quote.start_seconds),
        quoted=True,
    )


def person_card(person) -> Card:
    """A published person's card: loaded with their counts (`with_counts`)."""
    said = f"{counted(person.lesson_count, 'lesson')} from {counted(person.video_count, 'video')}"
    return Card("Person", person.name, said, person.bio)


def theme_card(theme) -> Card:
    """A theme's card: loaded with its published counts (`kb.kept.themes_in_use`)."""
    counts = f"{counted(theme.lesson_count, 'lesson')} · {counted(theme.quote_count, 'quote')}"
    return Card("Theme", theme.name, counts, theme.description)


def video_card(video) -> Card:
    """A published video's card: loaded with its counts and guests (`with_counts`,
    `with_guests`)."""
    where = f"{video.channel} · " if video.channel else ""
    return Card(
        "Video",
        video.title,
        ", ".join(credit.person.name for credit in video.guest_credits),
        f"{where}{counted(video.lesson_count, 'lesson')}",
        f"▶ {format_timecode(video.duration_seconds)}",
    )


def insight_card(insight) -> Card:
    """A published insight's card: loaded with its counts (`with_counts`)."""
    voices = voices_line(insight.voice_count, insight.video_count, insight.contrast_count)
    return Card("Insight", insight.title, voices)


def site_card(lessons: int, videos: int) -> Card:
    """The home page's card, given the published lessons and videos (`kb.reads.site_counts`)."""
    said = f"{counted(lessons, 'lesson')} from {counted(videos, 'video')}"
    about = "From career videos and podcasts, each at the moment it was said"
    return Card("Home", "Career advice you can check", said, about)
