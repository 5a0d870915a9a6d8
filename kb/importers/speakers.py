"""Transcripts that say who is speaking, without any summary: plain Python, no Django.

These shapes are read:
- podcast archives' Markdown: YAML front matter (`guest`, `title`, `youtube_url`,
  `video_id`, `publish_date`, `duration_seconds`, `channel`), then paragraphs headed
  `Speaker Name (hh:mm:ss):`; a paragraph headed by a time alone, `(hh:mm:ss):`, is
  the same speaker going on;
- the same with the time first: `[hh:mm:ss] Speaker Name: what was said` (a line
  `[hh:mm:ss] words` is the same speaker going on);
- Descript, Rev and Otter exports: a line `Speaker 1  00:01:02` (or `Speaker 1 00:01:02`,
  `Speaker 1 | 01:02`), then what was said;
- the same without times: a line `Speaker Name:` of its own, then what was said. Each
  turn's start is then estimated from its words (spread over the length the front matter
  gives, pinned at times the text gives inline, as Rev's `[inaudible 00:16:51]`): the
  transcript is not exact;
- WebVTT whose cues carry voice tags (`<v Lenny>…`), read in kb.importers.captions.

Each paragraph keeps its speaker; a long one is cut at its sentences, its time spread
over its words (the paragraph's start is exact, the sentences' starts are estimates from
the pace of its words). Who is the guest and who the host is proposed, never certain:
an editor can change it.
"""

import datetime
import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

import yaml

from kb.importers.documents import DocumentError, Segment
from kb.importers.youtube import parse_youtube_id
from kb.timecodes import format_timecode, parse_timecode

CLOCK = r"\d{1,2}:\d{2}(?::\d{2})?"
# `Lenny (00:01:19):` on a line of its own (its colon sometimes forgotten), or with the
# words after the colon; `Jiaona Zhang (JZ) (00:39:27):` names them with an aside, left out.
NAMED_TURN = re.compile(
    rf"^(?P<name>[^\W\d_][^()\n:]{{0,60}}?)(?:\s*\([^()\n:\d]{{1,40}}\))?"
    rf"\s*\((?P<clock>{CLOCK})\)(?::\s*(?P<text>.*))?$"
)
# `(00:01:49):`: the speaker before goes on, in a paragraph of its own with its own time.
GOES_ON = re.compile(rf"^\((?P<clock>{CLOCK})\)(?::\s*(?P<text>.*))?$")
# `[00:00:28] Lenny: what was said`, or `[00:02:12] what was said` (the speaker before).
STAMPED_TURN = re.compile(
    rf"^\[(?P<clock>{CLOCK})\]\s*(?:(?P<name>[^\W\d_][^:\n]{{0,60}}?):\s+)?(?P<text>.*)$"
)
# `Adriel Frederick:` on a line of its own, in a transcript that gives no times.
LABEL = re.compile(r"^(?P<name>[^\W\d_][^:\n]{0,60}?):$")
# A time a transcript gives inside its words: Rev's `[inaudible 00:16:51]`.
INLINE_TIME = re.compile(rf"\[[^\]\[\d]{{0,40}}?(?P<clock>{CLOCK})\]")
# A tool's paragraph break left in the text.
PARAGRAPH_MARK = re.compile(r"\[NEW_PARAGRAPH\]")
# Lower-case words a person's name may hold ("Eeke de Milliano").
NAME_PARTICLES = {"de", "da", "di", "du", "del", "der", "den", "van", "von", "la", "le", "al",
                  "bin", "ten", "ter", "y"}  # fmt: skip
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
GUEST_SEPARATOR = re.compile(r"\s+(?:&|\+|and)\s+|\s*[,+]\s*")
# Words the front matter's guest carries to tell an episode from another ("Shreyas Doshi
# Live", "Elena Verna 2.0"), not part of anyone's name.
EPISODE_WORDS = {"live", "part", "pt", "encore", "replay", "rerun", "redux", "bonus"}


@dataclass
class Turn:
    speaker: str
    start_seconds: float
    text: str
    line: int
    clock: str = ""  # the time as the transcript writes it


@dataclass
class SpokenTranscript:
    title: str = ""
    channel: str = ""
    youtube_id: str = ""
    published_on: datetime.date | None = None
    duration_seconds: int = 0
    turns: list[Turn] = field(default_factory=list)
    # False: the transcript gives no times; each turn's start is estimated from its words.
    timed: bool = True
    guests: list[str] = field(default_factory=list)
    host: str = ""
    # (line, message): what was read doubtfully; the import reports each.
    warnings: list[tuple[int | None, str]] = field(default_factory=list)

    @property
    def speakers(self) -> list[str]:
        return list(dict.fromkeys(turn.speaker for turn in self.turns))


def looks_spoken(text: str) -> bool:
    """Paragraphs headed by who speaks, in the first lines after any front matter."""
    body, front_text, _ = _after_front_matter(text)
    head = [line.strip() for line in body.split("\n", 400)[:400] if line.strip()]
    named = sum(1 for line in head if _timed_turn(line))
    exported = sum(1 for line in head if EXPORT_TURN.match(line))
    stamped = Counter(
        match["name"] for line in head
        if (match := STAMPED_TURN.match(line)) and match["name"] and _is_name(match["name"])
    )  # fmt: skip
    if named >= 2 or exported >= 2 or max(stamped.values(), default=0) >= 3:
        return True
    return _labelled(head, front_text)


def _labelled(head: list[str], front_text: str) -> bool:
    """A transcript without times: two names or more, each heading its turns again and
    again (a summary's "Example:" heads a paragraph once or twice); one of them the
    front matter's, or labels in every other line."""
    labels = Counter(
        match["name"] for line in head if (match := LABEL.match(line)) and _is_name(match["name"])
    )  # fmt: skip
    recurring = [name for name, n in labels.items() if n >= 2]
    if len(recurring) < 2:
        return False
    front = front_text.casefold()
    return any(name.casefold() in front for name in recurring) or sum(labels.values()) >= 10


def _is_name(text: str) -> bool:
    """How a label that names a speaker looks: one to five words, each capitalised
    (`Speaker 1`, `Eeke de Milliano`, `Dr. Fei-Fei Li`), no sentence in it."""
    words = text.replace(",", " ").split()
    if not 1 <= len(words) <= 5 or not words[0][0].isupper():
        return False
    for word in words:
        if word.endswith(".") and len(word) > 3:  # "Yeah." ends a sentence; "Dr." is a title
            return False
        if not all(c.isalnum() or c in ".'’-" for c in word):
            return False
        if not (word[0].isupper() or word.isdigit() or word in NAME_PARTICLES):
            return False
    return True


def _timed_turn(line: str) -> re.Match | None:
    """`Name (00:01:02): …`; without its colon only alone on its line and with a name."""
    match = NAMED_TURN.match(line)
    if match and match["text"] is None and not _is_name(match["name"]):
        return None
    return match


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
    _check_title(spoken)
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
            words = [
                w for w in name.split()
                if not any(c.isdigit() for c in w) and w.casefold() not in EPISODE_WORDS
            ]  # fmt: skip
            if words and " ".join(words) not in spoken.guests:
                spoken.guests.append(" ".join(words))


def _read_turns(spoken: SpokenTranscript, body: str, first_line: int) -> None:
    """Each turn with its speaker and the time it is stamped; in order afterwards."""
    lines = [PARAGRAPH_MARK.sub(" ", raw).strip() for raw in body.split("\n")]
    timed = any(_timed_turn(line) or EXPORT_TURN.match(line) or GOES_ON.match(line)
                or STAMPED_TURN.match(line) for line in lines)  # fmt: skip
    spoken.timed = timed
    current: Turn | None = None
    parts: list[str] = []

    def close() -> None:
        if current is not None:
            current.text = " ".join(" ".join(parts).split())
            if current.text:
                spoken.turns.append(current)

    for offset, line in enumerate(lines):
        number = first_line + offset
        if not line or line.startswith("#"):
            continue
        name, clock, rest = _turn_head(line, timed)
        if name is None and clock is not None and current is not None:
            name = current.speaker  # a new paragraph, with its own time, of the same speaker
        if name is None:
            if current is not None:
                parts.append(line)
            continue
        start = None
        if clock is not None:
            try:
                start = parse_timecode(clock)
            except ValueError as exc:
                raise DocumentError(f"{name}'s turn: {exc}", number) from None
        close()
        current = Turn(name, start if start is not None else 0, "", number, clock or "")
        parts = [rest]
    close()
    if timed:
        _put_in_order(spoken)
    elif spoken.turns:
        _estimate_starts(spoken)


def _turn_head(line: str, timed: bool) -> tuple[str | None, str | None, str]:
    """(who speaks, the time it is stamped, the words on the same line) of a line that
    heads a turn; (None, the time, its words) of one that stamps the speaker going on;
    (None, None, "") of any other line."""
    if timed:
        if match := _timed_turn(line) or EXPORT_TURN.match(line):
            return match["name"].strip(), match["clock"], match.groupdict().get("text") or ""
        if match := GOES_ON.match(line):
            return None, match["clock"], match["text"] or ""
        if match := STAMPED_TURN.match(line):
            name = match["name"]
            if name and _is_name(name):
                return name.strip(), match["clock"], match["text"]
            return None, match["clock"], line[match.end("clock") + 1 :].strip()
        return None, None, ""
    if (match := LABEL.match(line)) and _is_name(match["name"]):
        return match["name"].strip(), None, ""
    return None, None, ""


def _put_in_order(spoken: SpokenTranscript) -> None:
    """Turns as their stamps have them, a few set right. A turn stamped a little before
    the one it follows (tools stamp a turn a second or two early) starts where that one
    does. One stamp out of line with both turns around it (`1:05:52` between `1:04:46`
    and `1:04:58`: a slip of the finger) is re-timed between them. Any other turn
    stamped before the one it follows is a transcript out of order: refused."""
    turns = spoken.turns
    clamped: list[int] = []
    strays: list[tuple[Turn, float, float, float]] = []  # (turn, its stamp, between a, b)
    for n in range(1, len(turns)):
        here, before = turns[n].start_seconds, turns[n - 1].start_seconds
        if here >= before:
            continue
        if here >= before - BACKWARDS_SECONDS:
            clamped.append(turns[n].line)
            turns[n].start_seconds = before
        elif n >= 2 and turns[n - 2].start_seconds <= here:
            # The turn before is the stray: it is stamped after this one, while the one
            # before it is not.
            strays.append((turns[n - 1], before, turns[n - 2].start_seconds, here))
            _between(turns[n - 2], turns[n - 1], here)
        elif n + 1 < len(turns) and turns[n + 1].start_seconds >= before:
            # This turn is the stray: stamped before the one it follows, while the one
            # after it is not.
            strays.append((turns[n], here, before, turns[n + 1].start_seconds))
            _between(turns[n - 1], turns[n], turns[n + 1].start_seconds)
        else:
            raise DocumentError(
                f"a turn at {turns[n].clock} comes after one at a later time "
                f"({format_timecode(before)})",
                turns[n].line,
            )
    if clamped:
        spoken.warnings.append(
            (clamped[0], f"{len(clamped)} turns are stamped a little before the turn they "
             "follow: each starts where that one does")
        )  # fmt: skip
    if strays:
        turn, stamp, after, before = strays[0]
        spoken.warnings.append(
            (turn.line, f"{len(strays)} turn{'s are' if len(strays) > 1 else ' is'} stamped "
             f"out of line with the turns around it (this one {format_timecode(stamp)}, "
             f"between {format_timecode(after)} and {format_timecode(before)}): re-timed "
             "between them, by its words")
        )  # fmt: skip


def _between(before: Turn, stray: Turn, until: float) -> None:
    """`stray` starts after `before` (which takes the share of the time its words do)
    and before `until`."""
    said, own = len(before.text.split()), len(stray.text.split())
    share = said / max(said + own, 1)
    stray.start_seconds = before.start_seconds + (until - before.start_seconds) * share


def _estimate_starts(spoken: SpokenTranscript) -> None:
    """A transcript that gives no times: each turn starts where its words fall, spread
    over the front matter's length at an even pace, pinned at the times the words give
    inline (`[inaudible 00:16:51]`). Its segments are estimates (not exact)."""
    counts = [len(turn.text.split()) for turn in spoken.turns]
    total = sum(counts)
    pins: list[tuple[int, float]] = [(0, 0.0)]
    said = 0
    for turn, count in zip(spoken.turns, counts, strict=True):
        for match in INLINE_TIME.finditer(turn.text):
            try:
                seconds = float(parse_timecode(match["clock"]))
            except ValueError:
                continue
            at = said + len(turn.text[: match.start()].split())
            if seconds > pins[-1][1] and at > pins[-1][0]:
                pins.append((at, seconds))
        said += count
    last_at, last_seconds = pins[-1]
    by_pace = last_seconds + (total - last_at) / WORDS_PER_SECOND
    end = spoken.duration_seconds if spoken.duration_seconds > last_seconds else by_pace
    if total > last_at:
        pins.append((total, float(end)))
    said, pin = 0, 0
    for turn, count in zip(spoken.turns, counts, strict=True):
        while pin + 1 < len(pins) - 1 and pins[pin + 1][0] <= said:
            pin += 1
        (a_at, a_seconds), (b_at, b_seconds) = pins[pin], pins[min(pin + 1, len(pins) - 1)]
        share = (said - a_at) / (b_at - a_at) if b_at > a_at else 0
        turn.start_seconds = round(a_seconds + (b_seconds - a_seconds) * share, 3)
        said += count
    over = (
        f"spread over the {spoken.duration_seconds} s the front matter gives"
        if end == spoken.duration_seconds
        else f"at {WORDS_PER_SECOND:g} words a second"
    )
    pinned = f", pinned at the {len(pins) - 2} times its words give" if len(pins) > 2 else ""
    spoken.warnings.append(
        (spoken.turns[0].line, f"the transcript gives no times: each turn's start is "
         f"estimated from its words, {over}{pinned}; its moments are approximate until a "
         "timed transcript of the video is imported")
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


# A person's name as a title gives it: capitalised words ("LeMay", "MacInnis", "O'Neil"),
# initials ("J."), particles ("de"); not a show's ("HackAPrompt CEO", "Summit 2024").
NAME_WORD = re.compile(r"(?:[A-Z][a-z'’]+(?:-?[A-Z][a-z'’]+)?|[A-Z]\.|de|van|von|da|di|du|le|la)")
TITLE_TITLES = {"dr", "mr", "mrs", "ms", "prof", "jr", "sr", "ii", "iii"}


def title_people(title: str) -> list[str]:
    """Who a podcast's title names as its guests, as "Topic | Ada Chen (Stripe, Lyft)" and
    "Topic | Ada Chen & Jun Park" do: the names after the last `|`, without asides."""
    if "|" not in title:
        return []
    tail = re.sub(r"\([^)]*\)?", " ", title.rsplit("|", 1)[1])
    people = []
    for part in GUEST_SEPARATOR.split(tail.strip()):
        words = part.replace(",", " ").split()
        named = [w for w in words if w.rstrip(".").casefold() not in TITLE_TITLES]
        if 2 <= len(named) <= 4 and all(NAME_WORD.fullmatch(w) for w in named):
            people.append(" ".join(words))
    return people


def _folded(name: str) -> list[str]:
    plain = unicodedata.normalize("NFKD", name.casefold())
    plain = "".join(c if c.isalnum() else " " for c in plain if not unicodedata.combining(c))
    return [w for w in plain.split() if w not in TITLE_TITLES]


def same_person_loosely(name: str, other: str) -> bool:
    """The one person however a title or a label spells them: "Dr. Fei-Fei Li" and "Fei
    Fei Li", "Gustaf Alströmer" and "Gustaf Alstromer", "Chris Miller" and "Christopher
    Miller": the same last name, or the one name the other's first words ("Lenny", "Lenny
    Rachitsky"; "Shreyas Doshi", "Shreyas Doshi Live")."""
    a, b = _folded(name), _folded(other)
    if not a or not b:
        return False
    shorter, longer = sorted((a, b), key=len)
    return longer[: len(shorter)] == shorter or (len(shorter) > 1 and a[-1] == b[-1])


def _check_title(spoken: SpokenTranscript) -> None:
    """A title naming someone who never speaks, while the guest does, is another
    episode's title (an archive's front matter copied from the wrong episode): its
    video_id may be that episode's too."""
    named = [name for name in [*spoken.guests, spoken.host] if name]
    # A speaker labelled by a first name ("Ryan") is the guest or host of that name.
    voices = named + [s for s in spoken.speakers if not any(_same_person(s, n) for n in named)]
    show = set(_folded(spoken.channel))
    for person in title_people(spoken.title):
        if set(_folded(person)) <= show:
            continue  # the show's name ("… | The Career Ladder"), not a guest's
        if not any(same_person_loosely(person, voice) for voice in voices):
            spoken.warnings.append(
                (1, f"the title names {person!r}, who never speaks here: are the title and "
                 "the video_id this talk's, or another episode's?")
            )  # fmt: skip


def _propose_roles(spoken: SpokenTranscript) -> None:
    """The guest: the front matter's, as the transcript spells it, else who speaks most
    besides the host (and, the host known, anyone who says a third as much). The host:
    who introduces the show or the guest early on."""
    words: dict[str, int] = {}
    for turn in spoken.turns:
        words[turn.speaker] = words.get(turn.speaker, 0) + len(turn.text.split())
    speakers = sorted(words, key=lambda s: -words[s])
    named = []
    for guest in spoken.guests:
        said = next((s for s in speakers if _same_person(s, guest)), None)
        if said is None:
            # Spelled otherwise ("Tobi Lutke" speaks as "Tobi Lütke", "Cam Adams" as
            # "Cameron Adams"): the transcript's spelling.
            said = next((s for s in speakers if same_person_loosely(s, guest)), None)
            guest = said or guest
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
            # With the host known, everyone else who says a good part of what is said is a
            # guest (a compilation of several guests' stories); else the one who speaks most.
            named = [s for s in others if host and words[s] * 3 >= words[others[0]]]
            named = named or [others[0]]
            who = ", ".join(repr(name) for name in named)
            spoken.warnings.append(
                (None, f"no guest named: took {who}, who speak{'s' if len(named) == 1 else ''} "
                 "most (an editor can change it)")
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
                        piece.strip(), spoken.timed, turn.speaker)
            )  # fmt: skip
    return out
