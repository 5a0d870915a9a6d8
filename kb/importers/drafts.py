"""Draft lessons from a transcript alone: plain Python, no Django.

Most talks arrive with no summary (a podcast's speaker-labelled transcript, captions):
their words and sometimes chapters, but no lessons. Here a talk becomes draft lessons for
an editor to review, each anchored to the words that support it:

- **Passages.** The video's chapters where it has real ones (titled, not "Part 3"; one
  longer than MAX_PASSAGE is cut further); otherwise where the topic shifts. Every
  sentence has a meaning vector; at each place a passage could start (one every
  GAP_STEP seconds at most, a host's turn first), the dozen sentences before are
  compared with the dozen after (sponsor reads left out: an ad is no topic), and how
  much more they differ than the places around them (TextTiling's depth) is the
  place's worth, more where the host asks a question, less inside a speaker's turn. A
  cut costs CUT_COST, so only clear dips pay; dynamic programming picks the cuts so
  that passages run MIN_PASSAGE to MAX_PASSAGE, near TARGET_PASSAGE. The intro, the
  outro and sponsor reads at either end are left out of the passages.
- **Takeaways.** What the guest says in the passage, sentence by sentence, scored by
  how much it sounds like advice (imperatives, "you should", "my advice", "the key
  is"…) and how central it is to the passage (its vector against the passage's). The
  best two to five, not next to each other, in the order said; each the speaker's own
  words, lightly trimmed ("you know", "um", "I think that" out; cased as a sentence),
  with its moment. Never the host's turns (where speakers are known), a sponsor read,
  the intro before the host welcomes the guest, the outro (a lightning round, "where can
  folks find you"), thanks or small talk. A transcript that does not say who speaks has
  only its words: the cues and centrality then carry it alone.
- **Title**: the chapter's (a real one), else a clause of the passage's key sentences,
  a few words ending on a content word; **quote**: the best takeaway's words verbatim,
  with the next sentences of the same turn, with start and end.

A passage with fewer than two takeaways good enough, or with none that is advice on its
own (a cue, not only centrality), is left out: it is talk or a story, not advice. Every
threshold was chosen on the tune half of bench/real/gold.toml only (bench/drafts.py).
Bounded work: every sentence is at most SENTENCE_WORDS words (longer runs are cut), the
model reads at most its MAX_TOKENS of any text (kb.search.meaning), and the passage search
looks at one place a GAP_STEP.
"""

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from kb.text import clean

# Passages, in seconds: 3 to 12 minutes, about 6 (a podcast answers a question in 3 to 8).
MIN_PASSAGE = 180.0
MAX_PASSAGE = 720.0
TARGET_PASSAGE = 360.0
# What a passage pays for straying from TARGET_PASSAGE: this times log(length/target)².
LENGTH_COST = 0.6
# A chapter shorter than this is folded into the next ("Sponsor", "Intro"): too short for
# a lesson of its own.
MIN_CHAPTER = 60.0
# The speech compared on each side of a place a passage could start, in sentences (about
# ninety seconds of a podcast's).
SIDE_SENTENCES = 12
# Depth is measured against the highest similarity this far on each side.
PEAK_SECONDS = 150.0
# At most one place a passage could start every GAP_STEP seconds: the search stays small
# whatever the transcript's size.
GAP_STEP = 10.0
# Where speakers are known: a host's question is where a new topic starts.
HOST_TURN_BONUS = 0.25
# What a cut costs: only a place deeper than most (a clear dip) pays for itself.
CUT_COST = 0.4
# Inside one speaker's turn: possible (a monologue changes topic), but rarely right.
MID_TURN_COST = 0.15

# Sentences: at most this many words (a run of unpunctuated captions is cut into pieces
# of CHUNK_WORDS, at a line's end).
SENTENCE_WORDS = 60
CHUNK_WORDS = 24
# Captions mark a sentence's end with a pause between cues, not a full stop: this long.
PAUSE_SECONDS = 0.6
# A transcript with fewer sentence ends than one in this many words does not mark them.
PUNCTUATED_WORDS = 60
# A takeaway: its sentence (or two) between these, in words.
TAKEAWAY_MIN_WORDS = 6
TAKEAWAY_MAX_WORDS = 55
# A word this long is not speech (a pasted hash, a 100,000-letter "word").
LONG_WORD = 30
MIN_TAKEAWAYS = 2
MAX_TAKEAWAYS = 5
# A sentence is a takeaway from this score (cues, centrality) on.
TAKEAWAY_SCORE = 1.0
CENTRALITY_WEIGHT = 1.5
# Two takeaways this close in meaning are one said twice: the second is left out.
SAME_MEANING = 0.9
# A quote: the key sentence and what follows it in the same turn, up to this many words.
QUOTE_WORDS = 60
TITLE_WORDS = (3, 9)
# How far into a talk the host's welcome may come (the intro is what precedes it), and
# from how far on an outro may start (a share of the talk).
INTRO_SECONDS = 600.0
OUTRO_FROM = 0.5
# A sponsor read runs from its opening words to its last call to action within this.
SPONSOR_SECONDS = 120.0

WORD = re.compile(r"\S+")


def _words(*phrases: str) -> re.Pattern:
    return re.compile(r"\b(?:" + "|".join(phrases) + r")\b", re.IGNORECASE)


# Advice, by how it is said. Strong: a piece of advice is being given.
STRONG_CUES = _words(
    r"you (?:really |just |always |absolutely |also |still |definitely )?(?:should|shouldn'?t|"
    r"need|have to|must|gotta|got to|ought to|want to make sure|don'?t want to|can'?t)",
    r"i want you to", r"you want to (?:be|make|have|find|get|do|think|go|start|ask|build)",
    r"(?:is|are) to (?:start|ask|find|be|build|make|do|get|go|focus|think|write|learn|take)",
    r"(?:the )?number one (?:thing|is|reason|mistake)",
    r"my (?:biggest |best |main |one )?(?:advice|recommendation|suggestion|tip)",
    r"the (?:key|trick|secret|lesson|answer) (?:is|here is|there is)",
    r"make sure", r"what i(?:'d| would) (?:tell|say to|recommend|suggest|encourage)",
    r"i(?:'d| would) (?:recommend|suggest|encourage|advise|tell)",
    r"i (?:always |often )?(?:recommend|suggest|encourage|advise|tell people|tell folks)",
    r"the (?:best|most important|biggest|first|one|main|key) (?:thing|way|lesson|advice|"
    r"mistake|one|piece)",
    r"(?:it'?s|it is) (?:really |so |super )?(?:important|critical|essential|crucial|key) to",
    r"don'?t (?:be|let|wait|try|just|ever|assume|forget|underestimate|worry|take)",
    r"(?:step|rule|principle) (?:one|two|three|four|five|number \w+|\d)",
    r"if you (?:want|wanna|are trying|'re trying|hope) to",
    r"the way (?:to|you) (?:do|get|think|build|grow|handle|approach)",
)  # fmt: skip
# Weaker: talk about what the listener can do, or what the speaker learned.
WEAK_CUES = _words(
    r"you can", r"you'll", r"you will", r"you'?re going to", r"if you", r"your (?:manager|boss|"
    r"career|team|job|company|goal|work|skills?|peers|network|role)",
    r"try to", r"focus on", r"think about", r"remember", r"never", r"always",
    r"i learned", r"i realized", r"what i (?:learned|found)", r"the lesson",
    r"the reason", r"what matters", r"people who", r"the people", r"most people",
    r"great (?:managers|leaders|engineers|people)", r"instead of", r"rather than",
    r"what i do is", r"i try to", r"the way i", r"how i (?:think|approach)",
    r"people (?:don'?t|should|need|tend to|often|forget)", r"it might (?:actually )?mean",
    r"(?:it'?s|that'?s) (?:a|the) (?:great|good|best|better|right|wrong) way",
    r"(?:is|are) (?:really )?(?:important|critical|essential|crucial|key)",
)  # fmt: skip
# A sentence that starts with one of these (after "so", "and"…) is an imperative.
IMPERATIVE = re.compile(
    r"^(?:(?:so|and|but|then|now|just|really|also|first|second|third|finally|instead)[,]?\s+)*"
    r"(?:ask|be|build|do|don'?t|find|focus|get|give|go|keep|know|learn|let(?! me\b|'s\b| us\b)|"
    r"look|make|never|always|pick|put|remember|spend|start|stop|take|talk|tell|think|try|use|write|show|"
    r"treat|avoid|choose|figure|work|stay|set|seek|create|practice|practise|prepare|read|"
    r"reach|share|surround|invest|own|embrace|accept|assume|understand|hire|say|send|"
    r"follow|lean|aim|optimize|prioritize|protect|document|measure|negotiate|call|"
    r"celebrate|admit|apologize|listen|notice|plan|schedule|volunteer|offer|help|bring|"
    r"define|decide|drop|earn|expect|explain|frame|imagine|join|meet|push|raise|review|"
    r"simplify|test|trust|check|come)\b",
    re.IGNORECASE,
)
# "Step two is ask your boss…", "the first one is you have to…": advice in a list.
LISTED = re.compile(
    r"\b(?:step|rule|thing|one|part) (?:\w+ )?is (?:to |that )?(?:you (?:have to|need to|"
    r"should) )?\w+", re.IGNORECASE
)  # fmt: skip
# A procedure told to the listener ("then you go back to your manager and say…"), or the
# speaker's own habit ("I work backwards from…"): advice in the present tense.
PROCEDURE = re.compile(
    r"^(?:(?:so|and|then|now|but|first|next|after that)[,]?\s+)*"
    r"(?:you\s+(?:always\s+|usually\s+|just\s+|then\s+)?|"
    r"i\s+(?:always|usually|typically|often|try to)\s+)"
    r"(?:go|ask|say|tell|take|write|find|start|make|build|send|pick|set|put|sit|call|reach|"
    r"work|try|look|read|spend|share|create|get|bring|pull|list|think|focus|practice|"
    r"practise|prepare|follow|keep|give|show)\b",
    re.IGNORECASE,
)
PROCEDURE_WEIGHT = 0.5
# Telling a story rather than advising: the speaker's own past.
STORY = _words(
    r"i was", r"we were", r"i went", r"we went", r"he said", r"she said", r"they said",
    r"i remember", r"i had", r"we had", r"i got", r"i joined", r"i started", r"i didn'?t",
    r"back then", r"at the time", r"years ago",
)  # fmt: skip
# Not advice whoever says it.
SMALL_TALK = re.compile(
    r"^(?:\W*(?:yeah|yes|yep|no|right|exactly|totally|absolutely|definitely|sure|okay|ok|"
    r"great|awesome|amazing|wow|cool|nice|interesting|thank you|thanks|good question|"
    r"great question|i love that|that'?s (?:great|funny|awesome|amazing|interesting|true|"
    r"right|fair)|oh)\b)+\W*$|\bthank(?:s| you)\b.{0,40}\b(?:having me|for coming|for joining|"
    r"for being here|so much)\b|\b(?:great|good|fun|interesting) question\b",
    re.IGNORECASE,
)
SPONSOR_START = _words(
    r"brought to you by",
    r"(?:is|are) sponsored by",
    r"today'?s sponsor",
    r"our sponsors?",
    r"a (?:short |quick )?word from",
    r"let me tell you about",
    r"this episode is",
    r"thanks to (?:our|today'?s)",
    r"support(?:s|ed)? (?:the|this) (?:show|podcast)",
)
SPONSOR = re.compile(
    r"\b(?:promo code|use (?:the )?code|discount code|% off|percent off|free trial|"
    r"sign up (?:at|today|now)|get started (?:at|today|for free)|visit \S+\.\w{2,}|"
    r"go to \S+\.\w{2,}|\w+\.(?:com|io|ai|co|org)/\w+|head (?:over )?to \S+\.\w{2,}|"
    r"(?:is|are) sponsored by|brought to you by)",
    re.IGNORECASE,
)
# The host welcoming the guest: what comes before it is the intro (a teaser of the guest's
# best lines, the host's introduction, sponsors).
WELCOME = _words(
    r"welcome (?:to|back to) (?:the|my|our) (?:show|podcast|episode|program)",
    r"thank you (?:so much )?for (?:being here|coming|joining|doing this|making the time)",
    r"thanks (?:so much )?for (?:being here|coming|joining|doing this)",
    r"my guest (?:today )?is", r"today'?s guest", r"today my guest",
)  # fmt: skip
OUTRO = _words(
    r"lightning round", r"where can (?:folks|people|listeners|they|we|our listeners) "
    r"(?:find|follow|reach)", r"how can (?:listeners|folks|people) be (?:useful|helpful)",
    r"before we (?:go|wrap|end)", r"that'?s (?:all|it) for (?:today|this episode)",
    r"thanks (?:so much )?for listening", r"thank you (?:so much )?for listening",
)  # fmt: skip
# Fillers taken out of a takeaway; words a title may not end on.
LEADING = re.compile(
    r"^(?:(?:so|and|but|yeah|yes|well|okay|ok|right|look|now|like|basically|honestly|"
    r"um+|uh+|oh|i mean|you know|and so|so yeah|anyway|actually|again|plus|also)\b[,.]?\s+)+",
    re.IGNORECASE,
)
FILLER = re.compile(r",?\s*\b(?:you know|i mean|um+|uh+|erm|uh-huh)\b,?(?=\s|[.?!]|$)", re.I)
HEDGE = re.compile(
    r"(^|[,;:]\s*|\b(?:and|but|so|that|because)\s+)"
    r"(?:i (?:do |really )?(?:think|guess|feel like|believe)|i(?:'d| would) (?:say|argue))"
    r"(?: that)?,?\s+",
    re.IGNORECASE,
)
KIND_OF = re.compile(r"(\b\w+\b\s+)(?:kind|sort) of\s+(?=\w)", re.IGNORECASE)
KIND_OF_NOUN = {"what", "this", "that", "the", "a", "any", "some", "which", "every", "one",
                "same", "different", "these", "those", "other", "all", "right", "new"}  # fmt: skip
REPEATED = re.compile(r"\b(\w+)(?:,?\s+\1\b)+", re.IGNORECASE)
ENDS_WEAK = {
    "a", "an", "the", "and", "or", "but", "so", "to", "of", "in", "on", "at", "for", "with",
    "by", "from", "as", "that", "which", "who", "is", "are", "was", "be", "your", "my", "their",
    "our", "his", "her", "its", "this", "these", "those", "if", "when", "than", "then", "it",
    "you", "i", "we", "they", "just", "really", "very", "not", "do", "can", "will", "would",
    "about", "into", "like", "get", "have", "has", "had", "what", "how", "because",
    "say", "tell", "make", "know", "think", "go", "want", "need", "more", "some", "any",
    "maybe", "actually", "kind", "sort", "lot",
}  # fmt: skip
# Openers a title does without: "you should X" is "X".
TITLE_OPENER = re.compile(
    r"^(?:(?:the )?(?:\w+ )?(?:step|thing|one|rule|part) (?:\w+ )?is (?:to |that )?|"
    r"you (?:really |just |always |also )?(?:should|need to|have to|must|gotta|ought to|"
    r"want to)\s+|(?:it'?s|it is) (?:really |so )?(?:important|critical|key|essential) "
    r"(?:to|that you)\s+|the key is (?:to )?|my advice (?:is|would be) (?:to )?|"
    r"i(?:'d| would) (?:recommend|suggest|encourage|tell|say)(?: (?:people|folks|you))?"
    r"(?: to)?\s+|(?:really|just|actually|definitely|probably|basically)\s+|"
    r"i (?:really )?want you to\s+|i (?:always )?(?:tell|ask) (?:people|folks|them) "
    r"(?:to\s+)?|(?:one of the|the) (?:things|tactics|ideas)(?: that)? i (?:tell people |"
    r"like to share )?is (?:that )?|what i ask (?:people|you) to do is\s+|"
    r"you(?:'ve| have)? got to\s+|you gotta\s+|make sure (?:that )?you\s+)+",
    re.IGNORECASE,
)
# A title's first word that leans on what came before, or tells rather than advises.
LEANS_ON = {
    "if", "when", "then", "and", "but", "so", "because", "we", "i", "he", "she", "they", "it",
    "that", "this", "there", "to", "at", "in", "on", "for", "of", "which", "who", "what",
    "where", "let's", "or", "as", "once", "while", "until", "those", "these", "his", "her",
    "my", "our", "their", "i'm", "we're", "they're", "he's", "she's", "it's", "that's", "i've",
    "we've", "said", "like", "even", "also", "just", "maybe", "now", "here", "how", "why",
    "is", "are", "was", "were", "let", "called", "you'll", "you're", "you've", "do", "does",
}  # fmt: skip
# A title is drawn from the passage's best sentences: at most this many.
TITLE_SENTENCES = 8
CLAUSE = re.compile(r"\s*(?:,(?!\d)|[;:—–]|\s-\s|\.\.\.|…|\.|\?|!)\s*|\s+(?=(?:because|but|so that|"
                    r"which|whereas|although|though|and then|and so|unless|until|where)\b)",
                    re.IGNORECASE)  # fmt: skip
GENERIC_CHAPTER = re.compile(
    r"^\W*(?:(?:part|chapter|section|segment|episode|clip|video)\s*\d*|\d+|untitled|"
    r"no title)\W*$",
    re.IGNORECASE,
)


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


def draft(talk: Talk, embed: Embed, avoid=()) -> list[Draft]:
    """The draft lessons of a talk, in the order said. `embed` turns texts into unit
    vectors (kb.search.meaning.embed). `avoid`: (start, end) spans already decided (an
    editor dismissed or accepted a draft there) and (t, t) moments of lessons the talk
    has: a passage that holds such a moment, or shares half of itself or of such a span,
    is left out."""
    sentences = cut_sentences(talk)
    if not sentences:
        return []
    mark_not_advice(sentences, talk)
    vectors = embed([s.text for s in sentences])
    drafts = []
    for first, last, chapter_title in passages(sentences, vectors, talk):
        start, end = sentences[first].start, sentences[last].end
        if any(taken(start, end, a, b) for a, b in avoid):
            continue
        found = _draft_passage(sentences, vectors, first, last, chapter_title, talk)
        if found is not None:
            drafts.append(found)
    return drafts


def taken(start: float, end: float, a: float, b: float) -> bool:
    if a == b:
        return start <= a < end
    shared = _overlap(start, end, a, b)
    return shared > 0 and shared >= 0.5 * min(end - start, b - a)


def _overlap(a: float, b: float, c: float, d: float) -> float:
    return max(0.0, min(b, d) - max(a, c))


# ---------------------------------------------------------------- sentences


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


def _role(sentence: Sentence, talk: Talk) -> str:
    if sentence.speaker in talk.hosts:
        return "host"
    if sentence.speaker in talk.guests:
        return "guest"
    return ""


def mark_not_advice(sentences: list[Sentence], talk: Talk) -> None:
    """Mark what is never advice: the host's turns (where speakers are known), sponsor
    reads, the intro before the host's welcome, the outro from a lightning round or a
    "where can folks find you" on."""
    known = any(s.speaker for s in sentences)
    end = sentences[-1].end
    # The intro: up to the host's last welcome in the first minutes (in a transcript that
    # names nobody, anyone's, in a shorter stretch).
    reach = INTRO_SECONDS if known else INTRO_SECONDS / 2
    intro_end = -1
    for n, s in enumerate(sentences):
        if s.start > reach:
            break
        if WELCOME.search(s.text) and (not known or _role(s, talk) != "guest"):
            intro_end = n
    if intro_end >= 0:
        # The welcome's own turn, to its end.
        turn = sentences[intro_end].turn
        while intro_end + 1 < len(sentences) and sentences[intro_end + 1].turn == turn:
            intro_end += 1
        for s in sentences[: intro_end + 1]:
            s.excluded = "intro"
    for n, s in enumerate(sentences):
        if s.start >= end * OUTRO_FROM and OUTRO.search(s.text) and _role(s, talk) != "guest":
            for later in sentences[n:]:
                later.excluded = "outro"
            break
    _mark_sponsors(sentences, talk)
    if known:
        for s in sentences:
            s.host = _role(s, talk) == "host"
            if s.host and not s.excluded:
                s.excluded = "host"


def _mark_sponsors(sentences: list[Sentence], talk: Talk) -> None:
    """A sponsor read: from its opening words to its last call to action within
    SPONSOR_SECONDS; a host's turn that reads one, whole."""
    n = 0
    while n < len(sentences):
        s = sentences[n]
        if not (SPONSOR_START.search(s.text) or SPONSOR.search(s.text)):
            n += 1
            continue
        last = n
        for m in range(n + 1, len(sentences)):
            if sentences[m].start - s.start > SPONSOR_SECONDS:
                break
            if SPONSOR.search(sentences[m].text) or SPONSOR_START.search(sentences[m].text):
                last = m
        if _role(s, talk) == "host" or not s.speaker:
            first = n
            while first > 0 and s.speaker and sentences[first - 1].turn == s.turn:
                first -= 1
            while (
                last + 1 < len(sentences)
                and s.speaker
                and sentences[last + 1].turn == (sentences[last].turn)
            ):
                last += 1
        else:
            first = n
        for each in sentences[first : last + 1]:
            if each.excluded != "intro":
                each.excluded = "sponsor"
        n = last + 1


# ---------------------------------------------------------------- passages


def passages(sentences: list[Sentence], vectors: np.ndarray, talk: Talk):
    """(first sentence, last sentence, its real chapter's title or "") of each passage."""
    # From the first sentence to the last that is no intro, outro or sponsor read (an ad
    # between two topics stays inside).
    body = [n for n, s in enumerate(sentences) if s.excluded not in ("intro", "outro", "sponsor")]
    if not body:
        return []
    lo, hi = body[0], body[-1]
    chapters = _real_chapters(talk)
    if not chapters:
        return [(a, b, "") for a, b in _topic_passages(sentences, vectors, lo, hi)]
    out = []
    starts = [start for start, _ in chapters]
    for k, (start, title) in enumerate(chapters):
        until = starts[k + 1] if k + 1 < len(starts) else math.inf
        inside = [n for n in range(lo, hi + 1) if start <= sentences[n].start < until]
        if not inside:
            continue
        pieces = _topic_passages(sentences, vectors, inside[0], inside[-1])
        for m, (a, b) in enumerate(pieces):
            out.append((a, b, title if m == 0 else ""))
    return out


def _real_chapters(talk: Talk) -> list[tuple[float, str]]:
    """The talk's chapters when they are real (two or more, most with a title that is not
    "Part 3"), short ones folded into the next; else none."""
    chapters = sorted(talk.chapters)
    titled = [c for c in chapters if c[1].strip() and not GENERIC_CHAPTER.match(c[1])]
    if len(chapters) < 2 or len(titled) * 2 < len(chapters):
        return []
    end = talk.lines[-1].end if talk.lines else 0.0
    kept: list[tuple[float, str]] = []
    for n, (start, title) in enumerate(chapters):
        until = chapters[n + 1][0] if n + 1 < len(chapters) else end
        if until - start < MIN_CHAPTER and n + 1 < len(chapters):
            continue  # folded into the next: the next starts here
        kept.append((start, title))
    # A folded chapter's start moves the next one back, so no speech is left out.
    fixed, previous_end = [], None
    for n, (start, title) in enumerate(kept):
        fixed.append((start if previous_end is None else previous_end, title))
        previous_end = kept[n + 1][0] if n + 1 < len(kept) else None
    first = chapters[0][0]
    return [(min(first, fixed[0][0]), fixed[0][1]), *fixed[1:]] if fixed else []


def _topic_passages(sentences, vectors, lo: int, hi: int) -> list[tuple[int, int]]:
    """Sentences lo..hi cut where the topic shifts (see the module's doc)."""
    start, end = sentences[lo].start, sentences[hi].end
    if end - start <= MAX_PASSAGE:
        return [(lo, hi)]
    places = _places(sentences, lo, hi)
    if not places:
        return _even(sentences, lo, hi)
    depth = _depths(sentences, vectors, lo, hi, places)
    times = [sentences[p].start for p in places]
    gains = [
        depth[k]
        + (HOST_TURN_BONUS if sentences[p].host and _asks(sentences, p) else 0)
        - (MID_TURN_COST if sentences[p].speaker and not sentences[p].turn_start else 0)
        - CUT_COST
        for k, p in enumerate(places)
    ]
    # Dynamic programming over the places: best[k] is the best score of passages from the
    # start to place k; the end is one more place, with no gain.
    points = [start, *times, end]
    gain = [0.0, *gains, 0.0]
    best = [-math.inf] * len(points)
    back = [-1] * len(points)
    best[0] = 0.0
    for j in range(1, len(points)):
        for i in range(j - 1, -1, -1):
            length = points[j] - points[i]
            if length > MAX_PASSAGE:
                break
            if length < MIN_PASSAGE or best[i] == -math.inf:
                continue
            value = best[i] + gain[j] - LENGTH_COST * math.log(length / TARGET_PASSAGE) ** 2
            if value > best[j]:
                best[j], back[j] = value, i
    if best[-1] == -math.inf:
        return _even(sentences, lo, hi)
    chosen, j = [], back[-1]
    while j > 0:
        chosen.append(places[j - 1])
        j = back[j]
    cuts = [lo, *sorted(chosen), hi + 1]
    return [(a, b - 1) for a, b in zip(cuts, cuts[1:], strict=False) if b > a]


def _places(sentences, lo: int, hi: int) -> list[int]:
    """Where a passage could start: at most one sentence every GAP_STEP seconds, a host's
    turn first, then any turn's start, then the first sentence there."""
    chosen: dict[int, int] = {}
    for n in range(lo + 1, hi + 1):
        s = sentences[n]
        slot = int((s.start - sentences[lo].start) // GAP_STEP)
        rank = 2 if s.turn_start and s.host else 1 if s.turn_start else 0
        held = chosen.get(slot)
        if held is None:
            chosen[slot] = n
            continue
        other = sentences[held]
        held_rank = 2 if other.turn_start and other.host else int(other.turn_start)
        if rank > held_rank:
            chosen[slot] = n
    return sorted(chosen.values())


def _asks(sentences: list[Sentence], n: int) -> bool:
    """A host's turn starting at `n` that asks a question: where a topic starts."""
    if not sentences[n].turn_start:
        return False
    turn = sentences[n].turn
    for s in sentences[n:]:
        if s.turn != turn:
            return False
        if "?" in s.text:
            return True
    return False


def _depths(sentences, vectors, lo: int, hi: int, places: list[int]) -> list[float]:
    """How much the speech before each place differs from the speech after it (the
    SIDE_SENTENCES sentences on each side, sponsor reads left out: an ad is not a topic),
    against the most alike the places around it are: TextTiling's depth, 0 to 2."""
    content = [n for n in range(lo, hi + 1) if sentences[n].excluded != "sponsor"]
    if not content:
        return [0.0] * len(places)
    weights = np.array(
        [math.sqrt(len(sentences[n].text.split())) for n in content], dtype=np.float32
    )
    weighted = vectors[content] * weights[:, None]
    totals = np.vstack([np.zeros((1, weighted.shape[1]), np.float32), np.cumsum(weighted, 0)])
    similarity = []
    for p in places:
        k = int(np.searchsorted(content, p, "left"))  # content sentences before p: [0, k)
        left = totals[k] - totals[max(0, k - SIDE_SENTENCES)]
        right = totals[min(len(content), k + SIDE_SENTENCES)] - totals[k]
        norm = float(np.linalg.norm(left) * np.linalg.norm(right))
        similarity.append(float(left @ right) / norm if norm else 1.0)
    times = [sentences[p].start for p in places]
    depths = []
    for k, t in enumerate(times):
        a = np.searchsorted(times, t - PEAK_SECONDS, "left")
        b = np.searchsorted(times, t + PEAK_SECONDS, "right")
        left_peak = max(similarity[a : k + 1])
        right_peak = max(similarity[k:b])
        depths.append((left_peak - similarity[k]) + (right_peak - similarity[k]))
    return depths


def _even(sentences, lo: int, hi: int) -> list[tuple[int, int]]:
    """Passages of about TARGET_PASSAGE, where nothing better is found."""
    out, first = [], lo
    for n in range(lo + 1, hi + 1):
        if sentences[n].start - sentences[first].start >= TARGET_PASSAGE:
            out.append((first, n - 1))
            first = n
    out.append((first, hi))
    return out


# ---------------------------------------------------------------- a passage's draft


def advice_score(text: str) -> float:
    """How much a sentence sounds like advice: from its cues alone."""
    body = LEADING.sub("", text)
    score = 0.0
    strong = len(STRONG_CUES.findall(text))
    score += min(strong, 2) * 1.0
    if IMPERATIVE.match(body):
        score += 1.0
    elif PROCEDURE.match(body):
        score += PROCEDURE_WEIGHT
    if LISTED.search(text):
        score += 0.5
    score += min(len(WEAK_CUES.findall(text)), 3) * 0.3
    score -= min(len(STORY.findall(text)), 3) * 0.3
    return score


def _can_be_takeaway(s: Sentence, known: bool, talk: Talk) -> bool:
    if s.excluded:
        return False
    if known and talk.guests and s.speaker not in talk.guests:
        return False
    words = s.text.split()
    if not TAKEAWAY_MIN_WORDS <= len(words) <= TAKEAWAY_MAX_WORDS:
        return False
    if not _speech(s.text):
        return False
    text = s.text.rstrip()
    if "?" in text or SMALL_TALK.search(text) or SPONSOR.search(text):
        return False
    return True


def _draft_passage(sentences, vectors, first, last, chapter_title, talk) -> Draft | None:
    known = any(s.speaker for s in sentences[first : last + 1])
    candidates = [n for n in range(first, last + 1) if _can_be_takeaway(sentences[n], known, talk)]
    if len(candidates) < MIN_TAKEAWAYS:
        return None
    centroid = vectors[candidates].sum(axis=0)
    norm = float(np.linalg.norm(centroid))
    centroid = centroid / norm if norm else centroid
    centrality = vectors[candidates] @ centroid
    scored = sorted(
        (
            (
                advice_score(sentences[n].text) + CENTRALITY_WEIGHT * float(c),
                n,
            )
            for n, c in zip(candidates, centrality, strict=True)
        ),
        key=lambda pair: (-pair[0], pair[1]),
    )
    chosen: list[tuple[float, int]] = []
    used: set[int] = set()
    for score, n in scored:
        if score < TAKEAWAY_SCORE or len(chosen) == MAX_TAKEAWAYS:
            break
        span = {n, n + 1} if _joins_next(sentences, n) else {n}
        if span & used:
            continue
        if (used & {n - 1, max(span) + 1}) and advice_score(sentences[n].text) < ADVICE_ON_ITS_OWN:
            continue  # next to one chosen, and not advice on its own: the same point
        if any(float(vectors[n] @ vectors[m]) >= SAME_MEANING for _, m in chosen):
            continue
        chosen.append((score, n))
        used |= span
    if len(chosen) < MIN_TAKEAWAYS or not any(
        advice_score(sentences[n].text) >= ADVICE_ON_ITS_OWN for _, n in chosen
    ):
        return None  # talk, a story: no advice said as advice
    key = chosen[0][1]
    takeaways = [
        DraftTakeaway(
            _takeaway_text(sentences, n),
            sentences[n].start,
            sentences[n].speaker,
            round(score, 3),
        )  # fmt: skip
        for score, n in sorted(chosen, key=lambda pair: pair[1])
    ]
    title = chapter_title or _title(sentences, [n for _, n in chosen] + [n for _, n in scored])
    return Draft(
        start_seconds=sentences[first].start,
        end_seconds=sentences[last].end,
        title=title,
        takeaways=takeaways,
        quote=_quote(sentences, key),
        chapter_title=chapter_title,
        score=round(sum(score for score, _ in chosen), 3),
    )


# A takeaway this short (in words) takes the next sentence with it when it goes on there.
SHORT_TAKEAWAY = 12
CARRIES_ON = re.compile(
    r"^(?:because|that way|that's (?:why|how|what)|this is (?:why|how)|otherwise|so that|"
    r"which means|it means|then)\b", re.IGNORECASE
)  # fmt: skip
# Next to a chosen takeaway, a sentence is one only with at least this much advice of its
# own ("Step two…" after "Step one…"); else it is the same point going on.
ADVICE_ON_ITS_OWN = 1.0


def trim(text: str) -> str:
    """A speaker's words as a takeaway: fillers out, cased as a sentence, ended."""
    text = " ".join(text.split())
    text = FILLER.sub("", text)
    text = HEDGE.sub(lambda m: m[1], text)
    text = KIND_OF.sub(lambda m: m[0] if m[1].strip().lower() in KIND_OF_NOUN else m[1], text)
    text = REPEATED.sub(lambda m: m[1], text)
    text = LEADING.sub("", text).strip(" ,;:-–—")
    text = re.sub(r"\s+([,.!?;:])", r"\1", text)
    text = re.sub(r"(?<![\w'’])i(?=(?:['’](?:m|ve|d|ll))?(?!\w))", "I", text)
    if not text:
        return text
    text = text[0].upper() + text[1:]
    if text[-1] not in '.!?…"”’':
        text += "."
    return text


def _joins_next(sentences: list[Sentence], n: int) -> bool:
    """A short sentence goes on in the next one of the same turn (a sentence or two):
    when that one is advice too, or carries on from it ("because…", "that way…")."""
    text = sentences[n].text
    following = sentences[n + 1] if n + 1 < len(sentences) else None
    return (
        len(trim(text).split()) < SHORT_TAKEAWAY
        and following is not None
        and following.turn == sentences[n].turn
        and not following.excluded
        and len(text.split()) + len(following.text.split()) <= TAKEAWAY_MAX_WORDS
        and "?" not in following.text
        and _speech(following.text)
        and (advice_score(following.text) > 0 or bool(CARRIES_ON.match(following.text)))
    )


def _takeaway_text(sentences: list[Sentence], n: int) -> str:
    """The sentence, trimmed; with the next when it goes on in it."""
    if _joins_next(sentences, n):
        return trim(f"{sentences[n].text} {sentences[n + 1].text}")
    return trim(sentences[n].text)


def _quote(sentences: list[Sentence], n: int) -> DraftQuote:
    """The key sentence's words verbatim, with the whole sentences that follow it in the
    same turn, to about QUOTE_WORDS words."""
    last, words = n, len(sentences[n].text.split())
    while last + 1 < len(sentences) and _ends_sentence(sentences[last].text):
        following = sentences[last + 1]
        size = len(following.text.split())
        if (
            following.turn != sentences[n].turn
            or following.excluded
            or words + size > QUOTE_WORDS
            or not _ends_sentence(following.text)
            or not _speech(following.text)
        ):
            break
        last, words = last + 1, words + size
    said = sentences[n : last + 1]
    return DraftQuote(
        " ".join(s.text for s in said), said[0].start, said[-1].end, sentences[n].speaker
    )


def _speech(text: str) -> bool:
    """No word too long to be said (a pasted hash, a 100,000-letter "word")."""
    return all(len(word) <= LONG_WORD for word in text.split())


def _ends_sentence(text: str) -> bool:
    return text.rstrip("\"'”’)")[-1:] in (".", "!", "?", "…")


def _title(sentences: list[Sentence], order: list[int]) -> str:
    """A few words from the passage's key sentences (`order`: the best first): of their
    clauses that read whole in TITLE_WORDS words and end on a content word, the best as a
    title: an imperative ("Ask your boss how you can help") before a statement, a
    statement before one that leans on what came before ("Then…", "If…", "We…"), a better
    sentence's before a worse one's. Else the key sentence's first words, backed off to a
    content word."""
    low, high = TITLE_WORDS
    best, best_rank = "", None
    for place, n in enumerate(dict.fromkeys(order)):
        if place >= TITLE_SENTENCES:
            break
        for clause in CLAUSE.split(trim(sentences[n].text)):
            clause = _title_clause(clause)
            words = clause.split()
            if not (low <= len(words) <= high and _ends_whole(words)):
                continue
            first = words[0].lower().strip("\"'“”‘’")
            rank = (
                2 if IMPERATIVE.match(clause) else 0 if first in LEANS_ON else 1,
                -place,
            )
            if best_rank is None or rank > best_rank:
                best, best_rank = clause, rank
    if best:
        return _sentence_case(best)
    words = _title_clause(trim(sentences[order[0]].text).rstrip(".!?…")).split()[:high]
    while len(words) > 1 and not _ends_whole(words):
        words.pop()
    return _sentence_case(" ".join(words)[:120])


def _title_clause(clause: str) -> str:
    clause = LEADING.sub("", clause.strip(" ,;:-–—.!?…\"'“”‘’"))
    clause = TITLE_OPENER.sub("", clause)
    return clause.strip(" ,;:-–—.!?…\"'“”‘’")


def _ends_whole(words: list[str]) -> bool:
    last = words[-1].lower().strip(".,!?;:\"'“”‘’")
    return bool(last) and last not in ENDS_WEAK and len(last) <= LONG_WORD and "'" not in last[-2:]


def _sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text
