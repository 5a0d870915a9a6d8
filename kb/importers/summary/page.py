"""What a summary page is read into (plain dataclasses), and the marks its parts share:
list items, headings, emphasis, transcript markers."""

import datetime
import re
from dataclasses import dataclass, field

# The generator's raw timed transcript: `[00:02] (2.56s)` then the words, on the same line
# or the next. The bracket is the time rounded down for reading, the seconds are exact.
ENTRY = re.compile(
    r"^\s*\[(?P<clock>\d{1,3}:\d{2}(?::\d{2})?)\]\s*\((?P<seconds>\d{1,6}(?:\.\d{1,3})?)s\)"
    r"\s*(?P<text>.*)$"
)


# "📚 Chapter Summaries (19)", "📝 Transcript Chapters (19 chapters):": what the page says
# it holds, checked against the markers found.
CHAPTER_COUNT = re.compile(
    r"^\W*(?:chapter summaries|transcript chapters)\s*\((?P<count>\d{1,4})(?:\s+chapters?)?\)",
    re.IGNORECASE,
)


# Spoken English runs at about this many words a second (DESIGN.md, the seed's chapters).
WORDS_PER_SECOND = 3.7


BULLET = re.compile(r"^\s*[•▪◦‣●○■□►▸✓✔➤→\-–—*+]\s+(?P<text>.+)$")


NUMBERED = re.compile(r"^\s*(?P<number>\d{1,3})[.)]\s+(?P<text>.+)$")


HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(?P<text>.+?)\s*#*\s*$")


EMPHASIS = re.compile(r"^(\*\*|__|\*|_)(?P<text>[^*_].*?)\1$")


# Emoji, arrows and other marks before a title or label ("📌 Conclusion").
LEADING_MARKS = re.compile(r"^[^\w\"“‘'(\[]+")


MARKER_TEXT = re.compile(
    r"^(chapter summaries|ai-generated summary|transcript chapters|transcript)\b\s*(\(|:|$)",
    re.IGNORECASE,
)


TIMED_MARKER = re.compile(r"##\s+[^\[\n]{0,300}\[[^\]\n]{0,20}\d")


SENTENCE_END = ".!?:;,…"


TITLE_MAX_CHARS = 140


@dataclass
class Block:
    """A piece of a section's body: a paragraph (`p`) or a list (`ul`, `ol`)."""

    kind: str
    text: str = ""
    items: list[str] = field(default_factory=list)


@dataclass
class Section:
    title: str
    line: int
    blocks: list[Block] = field(default_factory=list)
    takeaways: list[str] = field(default_factory=list)
    # The start of the chapter its title names (`### Title (01:28)`), if it names one.
    chapter_start: int | None = None

    @property
    def prose(self) -> str:
        """The body's words as plain text, for matching it against the transcript."""
        parts = []
        for block in self.blocks:
            parts.extend([block.text] if block.kind == "p" else block.items)
        return "\n".join(parts)

    @property
    def body(self) -> str:
        """The body as editors edit it: paragraphs apart, `- ` and `1. ` list lines."""
        rendered = []
        for block in self.blocks:
            if block.kind == "p":
                rendered.append(block.text)
            elif block.kind == "ul":
                rendered.append("\n".join(f"- {item}" for item in block.items))
            else:
                rendered.append("\n".join(f"{n}. {item}" for n, item in enumerate(block.items, 1)))
        return "\n\n".join(rendered)


@dataclass
class ChapterText:
    title: str
    start_seconds: int
    text: str
    line: int

    @property
    def words(self) -> list[str]:
        return self.text.split()


@dataclass
class Entry:
    """One entry of the generator's raw timed transcript: an exact start and its words."""

    start_seconds: float
    text: str
    line: int


@dataclass
class SummaryPage:
    title: str
    channel: str
    duration_seconds: int
    published_on: datetime.date | None
    headline: str = ""
    intro: str = ""
    sections: list[Section] = field(default_factory=list)
    resources: list[str] = field(default_factory=list)
    conclusion: str = ""
    chapters: list[ChapterText] = field(default_factory=list)
    boilerplate: list[str] = field(default_factory=list)
    # Who the page says is in the video (kb.importers.people): proposals, not facts.
    guests: list[str] = field(default_factory=list)
    host: str = ""
    # (line, message): what was read doubtfully; the import reports each.
    warnings: list[tuple[int | None, str]] = field(default_factory=list)
    # The raw timed transcript, when the page holds it: exact times, one segment each.
    entries: list[Entry] = field(default_factory=list)
    # The video's YouTube id, when the document gives it (the channel export does).
    youtube_id: str = ""

    @property
    def word_count(self) -> int:
        return sum(len(chapter.words) for chapter in self.chapters)

    def chapter_end(self, index: int) -> int:
        """Where chapter `index` ends: the next chapter's start, or the video's end."""
        if index + 1 < len(self.chapters):
            return self.chapters[index + 1].start_seconds
        return self.duration_seconds


@dataclass
class _Line:
    number: int
    text: str
    blanks_before: int


def _is_marker(line: str) -> bool:
    return bool(MARKER_TEXT.match(re.sub(r"^[^\w]+", "", line.strip())))


def _is_list_item(text: str) -> bool:
    return bool(BULLET.match(text) or NUMBERED.match(text))
