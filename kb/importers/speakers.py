"""Transcripts that say who is speaking, without any summary: plain Python, no Django.

Three shapes are read:
- podcast archives' Markdown: YAML front matter (`guest`, `title`, `youtube_url`,
  `video_id`, `publish_date`, `duration_seconds`, `channel`), then paragraphs headed
  `Speaker Name (hh:mm:ss):`;
- Descript, Rev and Otter exports: a line `Speaker 1  00:01:02` (or `Speaker 1 00:01:02`,
  `Speaker 1 | 01:02`), then what was said;
- WebVTT whose cues carry voice tags (`<v Lenny>…`), read in kb.importers.captions.

Each paragraph keeps its speaker; a long one is cut at its sentences, its time spread
over its words (the paragraph's start is exact, the sentences' starts are estimates from
the pace of its words). Who is the guest and who the host is proposed, never certain:
an editor can change it.
"""

import datetime
import math
import re
from dataclasses import dataclass, field

import yaml

from kb.importers.documents import DocumentError, Segment
from kb.importers.youtube import parse_youtube_id
from kb.timecodes import format_timecode, parse_timecode

CLOCK = r"\d{1,2}:\d{2}(?::\d{2})?"
# `Lenny (00:01:19):` on a line of its own, or with the words after the colon.
NAMED_TURN = re.compile(
    rf"^(?P<name>[^\W\d_][^()\n:]{{0,60}}?)\s*\((?P<clock>{CLOCK})\):\s*(?P<text>.*)$"
)
# Descript/Rev/Otter: `Speaker 1  00:01:02`, `Ada Chen | 01:02`, `Lenny 1:02:03`.
EXPORT_TURN = re.compile(
    rf"^(?P<name>[^\W\d_][^\n|]{{0,60}}?)(?:\s*\|\s*|\s{{1,}})(?P<clock>{CLOCK})\s*$"
)
SENTENCE = re.compile(r"(?<=[.!?…])[\"'”’)]*\s+(?=[\"'“‘(]?[A-Z0-9])")
WORDS_PER_SECOND = 3.7
# A paragraph longer than this is cut at its sentences, so that a moment lands near its
# words; a shorter one is one segment.
PARAGRAPH_WORDS = 60
# Introducing the show or a guest: who says it is the host.
HOST_WORDS = re.compile(
    r"\b(welcome to (?:the|my|our)|my guest|today'?s guest|today my guest|this episode|"
    r"on (?:the|this) (?:show|podcast)|i'?m your host|thank you for (?:coming|joining))",
    re.IGNORECASE,
)
INTRO_SECONDS = 600
# A turn stamped this much before the one it follows is a tool's rounding; more is a
# transcript out of order.
BACKWARDS_SECONDS = 30
# Front matter names a guest "Elena Verna 2.0" (a second episode) or two guests at once
# ("Keith Coleman & Jay Baxter"): the names are the words, one person each side of `&`.
GUEST_SEPARATOR = re.compile(r"\s+(?:&|\+|and)\s+|\s*,\s*")


@dataclass
class Turn:
    speaker: str
    start_seconds: float
    text: str
    line: int


@dataclass
class SpokenTranscript:
    title: str = ""
    channel: str = ""
    youtube_id: str = ""
    published_on: datetime.date | None = None
    duration_seconds: int = 0
    turns: list[Turn] = field(default_factory=list)
    guests: list[str] = field(default_factory=list)
    host: str = ""
    # (line, message): what was read doubtfully; the import reports each.
    warnings: list[tuple[int | None, str]] = field(default_factory=list)

    @property
    def speakers(self) -> list[str]:
        return list(dict.fromkeys(turn.speaker for turn in self.turns))


def looks_spoken(text: str) -> bool:
    """Paragraphs headed by who speaks, in the first lines after any front matter."""
    body = _after_front_matter(text)[0]
    head = [line.strip() for line in body.split("\n", 400)[:400] if line.strip()]
    named = sum(1 for line in head if NAMED_TURN.match(line))
    exported = sum(1 for line in head if EXPORT_TURN.match(line))
    return named >= 2 or exported >= 2


def _after_front_matter(text: str) -> tuple[str, str, int]:
    """(the body, the front matter's text, the line the body starts on)."""
    if not text.startswith("---\n"):
        return text, "", 1
    end = text.find("\n---", 4)
    if end < 0:
        raise DocumentError("the front matter opened with '---' is never closed", 1)
    close = text.find("\n", end + 1)
    close = len(text) if close < 0 else close + 1
    return text[close:], text[4:end], text[:close].count("\n") + 1


def parse_spoken(text: str) -> SpokenTranscript:
    body, front_text, first_line = _after_front_matter(text)
    spoken = SpokenTranscript()
    if front_text:
        _read_front(spoken, front_text)
    _read_turns(spoken, body, first_line)
    if not spoken.turns:
        raise DocumentError("no speakers: expected paragraphs headed 'Name (00:01:02):'")
    if not spoken.title:
        heading = re.search(r"^#\s+(.+)$", body, re.M)
        spoken.title = heading.group(1).strip() if heading else ""
    if not spoken.title:
        raise DocumentError("no title: give one in the front matter ('title: …')", 1)
    _check_duration(spoken)
    _propose_roles(spoken)
    return spoken


def _read_front(spoken: SpokenTranscript, front_text: str) -> None:
    try:
        # safe_load: a document's YAML never builds Python objects.
        front = yaml.safe_load(front_text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise DocumentError(
            f"the front matter is not YAML: {getattr(exc, 'problem', exc)}",
            mark.line + 2 if mark else 1,
        ) from None
    if not isinstance(front, dict):
        raise DocumentError("the front matter is not a list of 'name: value' lines", 1)

    def text(name: str) -> str:
        value = front.get(name)
        return " ".join(str(value).split()) if value is not None else ""

    spoken.title, spoken.channel = text("title"), text("channel")
    for name in ("video_id", "youtube_url", "youtube"):
        value = text(name)
        if value and not spoken.youtube_id:
            try:
                spoken.youtube_id = parse_youtube_id(value)
            except DocumentError:
                spoken.warnings.append((1, f"'{name}: {value}' is not a YouTube video: left out"))
    published = front.get("publish_date") or front.get("date")
    if isinstance(published, datetime.datetime):
        spoken.published_on = published.date()
    elif isinstance(published, datetime.date):
        spoken.published_on = published
    elif published:
        try:
            spoken.published_on = datetime.date.fromisoformat(str(published)[:10])
        except ValueError:
            spoken.warnings.append((1, f"the publish date {published!r} is not a date: left out"))
    duration = front.get("duration_seconds")
    if isinstance(duration, int | float) and not isinstance(duration, bool):
        if math.isfinite(duration) and duration > 0:
            spoken.duration_seconds = math.ceil(duration)
    guest = front.get("guest")
    guests = guest if isinstance(guest, list) else [guest] if guest else []
    spoken.guests = []
    for guest in guests:
        for name in GUEST_SEPARATOR.split(str(guest)):
            words = [w for w in name.split() if not any(c.isdigit() for c in w)]
            if words and " ".join(words) not in spoken.guests:
                spoken.guests.append(" ".join(words))


def _read_turns(spoken: SpokenTranscript, body: str, first_line: int) -> None:
    current: Turn | None = None
    parts: list[str] = []

    def close() -> None:
        if current is not None:
            current.text = " ".join(" ".join(parts).split())
            if current.text:
                spoken.turns.append(current)

    clamped: list[int] = []
    for offset, raw in enumerate(body.split("\n")):
        line = raw.strip()
        number = first_line + offset
        match = NAMED_TURN.match(line) or EXPORT_TURN.match(line)
        if match and not line.startswith("#"):
            try:
                start = parse_timecode(match.group("clock"))
            except ValueError as exc:
                raise DocumentError(
                    f"{match.group('name').strip()}'s turn: {exc}", number
                ) from None
            before = current.start_seconds if current is not None else 0
            if start < before - BACKWARDS_SECONDS:
                raise DocumentError(
                    f"a turn at {match.group('clock')} comes after one at a later time "
                    f"({format_timecode(before)})",
                    number,
                )
            if start < before:
                # Transcription tools stamp a turn a second or two early: it starts where
                # the one before it does.
                clamped.append(number)
                start = before
            close()
            current, parts = Turn(match.group("name").strip(), start, "", number), []
            rest = match.groupdict().get("text") or ""
            parts.append(rest)
        elif current is not None and line and not line.startswith("#"):
            parts.append(line)
    close()
    if clamped:
        spoken.warnings.append(
            (clamped[0], f"{len(clamped)} turns are stamped a little before the turn they "
             "follow: each starts where that one does")
        )  # fmt: skip


def _speech_end(spoken: SpokenTranscript) -> int:
    last = spoken.turns[-1]
    return math.ceil(last.start_seconds + len(last.text.split()) / WORDS_PER_SECOND)


def _check_duration(spoken: SpokenTranscript) -> None:
    """The front matter's length is not always right (a clip's length on a whole
    episode): where the speech runs past it, the speech's own end wins."""
    end = _speech_end(spoken)
    if not spoken.duration_seconds:
        spoken.duration_seconds = end
    elif spoken.turns[-1].start_seconds > spoken.duration_seconds:
        spoken.warnings.append(
            (1, f"the front matter says {spoken.duration_seconds} s, but the speech runs to "
             f"{end} s: took {end} s")
        )  # fmt: skip
        spoken.duration_seconds = end


def _same_person(name: str, other: str) -> bool:
    """ "Lenny" and "Lenny Rachitsky", "Ada Chen" and "Ada Chen Rekhi": one is the
    other's first words."""
    a, b = name.casefold().split(), other.casefold().split()
    shorter, longer = sorted((a, b), key=len)
    return bool(shorter) and longer[: len(shorter)] == shorter


def _propose_roles(spoken: SpokenTranscript) -> None:
    """The guest: the front matter's, as the transcript spells it, else who speaks most
    besides the host. The host: who introduces the show or the guest early on."""
    words: dict[str, int] = {}
    for turn in spoken.turns:
        words[turn.speaker] = words.get(turn.speaker, 0) + len(turn.text.split())
    speakers = sorted(words, key=lambda s: -words[s])
    named = []
    for guest in spoken.guests:
        said = next((s for s in speakers if _same_person(s, guest)), None)
        if said is None:
            spoken.warnings.append(
                (1, f"the front matter's guest {guest!r} never speaks: left out")
            )
            continue
        named.append(guest if len(guest) >= len(said) else said)
    introducers = [
        t.speaker
        for t in spoken.turns
        if t.start_seconds <= INTRO_SECONDS
        and HOST_WORDS.search(t.text)
        and not any(_same_person(t.speaker, g) for g in named)
    ]
    host = max(set(introducers), key=introducers.count) if introducers else ""
    if not named:
        others = [s for s in speakers if s != host and not s.casefold().startswith("speaker ")]
        if others:
            named = [others[0]]
            spoken.warnings.append(
                (None, f"no guest named: took {others[0]!r}, who speaks most (an editor can "
                 "change it)")
            )  # fmt: skip
    if not host:
        rest = [s for s in speakers if not any(_same_person(s, g) for g in named)]
        host = rest[0] if rest else ""
    spoken.guests, spoken.host = named, host


def segments(spoken: SpokenTranscript) -> list[Segment]:
    """One exact segment a paragraph; a long one a sentence, its time spread over its words."""
    out: list[Segment] = []
    for n, turn in enumerate(spoken.turns):
        if n + 1 < len(spoken.turns):
            end = spoken.turns[n + 1].start_seconds
        else:
            end = max(spoken.duration_seconds, turn.start_seconds)
        words = turn.text.split()
        pieces = SENTENCE.split(turn.text) if len(words) > PARAGRAPH_WORDS else [turn.text]
        per_word = (end - turn.start_seconds) / max(len(words), 1)
        at = 0
        for piece in pieces:
            count = len(piece.split())
            if not count:
                continue
            start = turn.start_seconds + at * per_word
            at += count
            out.append(
                Segment(None, round(start, 3), round(turn.start_seconds + at * per_word, 3),
                        piece.strip(), True, turn.speaker)
            )  # fmt: skip
    return out
