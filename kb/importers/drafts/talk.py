"""A talk as the drafter reads it: its lines, who speaks, and its sentences (cut where
the transcript marks them, or at pauses between captions)."""

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from kb.text import clean

# Sentences: at most this many words (a run of unpunctuated captions is cut into pieces
# of CHUNK_WORDS, at a line's end).
SENTENCE_WORDS = 60
CHUNK_WORDS = 24
# Captions mark a sentence's end with a pause between cues, not a full stop: this long.
PAUSE_SECONDS = 0.6
# A transcript with fewer sentence ends than one in this many words does not mark them.
PUNCTUATED_WORDS = 60
WORD = re.compile(r"\S+")


@dataclass
class Line:
    """A line of transcript, as stored: its times, its words, who says it ("" unknown)."""

    start: float
    end: float
    text: str
    speaker: str = ""


@dataclass
class Talk:
    lines: list[Line]
    chapters: list[tuple[float, str]] = field(default_factory=list)  # (start, title)
    guests: frozenset[str] = frozenset()
    hosts: frozenset[str] = frozenset()


@dataclass
class Sentence:
    text: str
    start: float
    end: float
    speaker: str
    turn: int  # consecutive lines of one speaker are one turn
    turn_start: bool = False  # the first sentence of its turn
    host: bool = False  # said by a host (where speakers are known)
    excluded: str = ""  # why it can't be advice: "intro", "outro", "sponsor", "host"


@dataclass
class DraftTakeaway:
    text: str
    start_seconds: float
    speaker: str
    score: float


@dataclass
class DraftQuote:
    text: str  # the transcript's words, verbatim
    start_seconds: float
    end_seconds: float
    speaker: str


@dataclass
class Draft:
    start_seconds: float  # the passage
    end_seconds: float
    title: str
    takeaways: list[DraftTakeaway]
    quote: DraftQuote
    chapter_title: str = ""  # the real chapter it is, if any
    score: float = 0.0

    @property
    def speakers(self) -> list[str]:
        return list(dict.fromkeys(t.speaker for t in self.takeaways if t.speaker))

    @property
    def text(self) -> str:
        """What themes are chosen from."""
        return "\n".join([*(t.text for t in self.takeaways), self.quote.text])


Embed = Callable[[list[str]], np.ndarray]


def cut_sentences(talk: Talk) -> list[Sentence]:
    """The talk's sentences, each timed by its words (a line's time spread over its words),
    across lines: captions cut a sentence into cues. A sentence ends at a full stop before a
    capital, or where the speaker changes; in caption text that has no full stops, at a
    pause between lines, or at a line's end after CHUNK_WORDS words. None is longer than
    SENTENCE_WORDS. Read word by word: the work grows with the text, nothing else."""
    punctuated = _punctuated(talk.lines)
    out: list[Sentence] = []
    turn, speaker, first = -1, None, True
    said: list[tuple[str, float, float]] = []  # (word, start, end) of the sentence so far

    def close() -> None:
        nonlocal said, first
        if said:
            text = " ".join(word for word, _, _ in said)
            start, end = round(said[0][1], 3), round(said[-1][2], 3)
            out.append(Sentence(text, start, end, speaker or "", turn, first))
            first, said = False, []

    previous_end = 0.0
    for line in talk.lines:
        words = WORD.findall(clean(line.text))
        if not words:
            continue
        if speaker is None or line.speaker != speaker:
            close()
            turn, speaker, first = turn + 1, line.speaker, True
        elif not punctuated and (
            line.start - previous_end >= PAUSE_SECONDS or len(said) >= CHUNK_WORDS
        ):
            close()
        per_word = (line.end - line.start) / len(words)
        for k, word in enumerate(words):
            if said and (
                len(said) >= SENTENCE_WORDS or (punctuated and _ends(said[-1][0]) and _starts(word))
            ):
                close()
            said.append((word, line.start + k * per_word, line.start + (k + 1) * per_word))
        previous_end = line.end
    close()
    return out


def _ends(word: str) -> bool:
    return word.rstrip("\"'”’)]")[-1:] in (".", "!", "?", "…")


def _starts(word: str) -> bool:
    word = word.lstrip("\"'“‘([")
    return bool(word) and (word[0].isupper() or word[0].isdigit())


def _punctuated(lines: list[Line]) -> bool:
    """Whether the transcript marks its sentences (a full stop every few dozen words at
    least), or is caption text that does not (auto-captions: lower case, no stops)."""
    words = ends = 0
    for line in lines:
        for word in line.text.split():
            words += 1
            ends += _ends(word)
    return ends > 0 and ends * PUNCTUATED_WORDS >= words
