"""Put each piece of advice on its moment in the video.

A summary's sections and the video's chapters don't line up one to one, and their
titles differ ("Staff Engineer Promotion: Impact…" vs "Staff promo"), so sections are
matched on content: BM25 over each chapter's transcript, where words that occur in few
chapters weigh most. Sections mostly follow the video's order; that breaks close calls.
Inside the chosen chapter, the moment is the start of the best-matching window of text.

Re-anchoring finds the same words in a new transcript (a timed one attached later), so
a moment moves to where those words are really said.
"""

import bisect
import functools
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass

from kb.importers.documents import Segment
from kb.importers.drafts.cues import sponsor_reads
from kb.text import CLOSES_SENTENCE

STOP_WORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing don down during each
    even ever every few for from further get gets getting go going gonna got had has have
    having he her here hers him his how i if in into is it its itself just kind know let like
    lot really me might more most much must my myself no nor not now of off on once one only or
    other our ours out over own pretty right said same say says she should so some something
    such than that thats the their theirs them then there these they thing things think this
    those through thing to too uh um under until up us very want was way we well were what when
    where which while who whom why will with would yeah yes you your yours yourself actually
    okay oh sort stuff maybe""".split()
)
SUFFIXES = ("ations", "ation", "ings", "ing", "edly", "ed", "ers", "er", "ies", "es", "ly", "s")
WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")

# BM25 constants (Robertson's defaults).
K1, B = 1.2, 0.75
# What a section pays, in normalised score, for going back to an earlier chapter, and
# for staying in the chapter of the section before it (sections mostly move forward).
# Tuned on the seed page: 15 of 15 sections land right anywhere in 0.1-0.3 / 0.2-0.5.
BACKWARD_PENALTY = 0.3
STAY_PENALTY = 0.15
# A chapter's title is a short, dense description of it: count its words this often.
CHAPTER_TITLE_WEIGHT = 3
WINDOW_WORDS = 45
# About a spoken sentence: a takeaway's moment is where such a run matches it best.
SENTENCE_WORDS = 15
# A lesson's moment goes back over the windows before its best that score at least this
# share of it: the lead-up to the point.
LEAD_FRACTION = 0.5


@functools.lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    # Cached: a long transcript says the same few thousand words over and over.
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def terms(text: str) -> list[str]:
    """Content words, lower-cased and crudely stemmed ("promoted", "promoting" → "promot")."""
    words = (w.replace("'", "") for w in WORD.findall(text.lower()))
    return [stem(w) for w in words if w not in STOP_WORDS and len(w) > 1]


def normalise(word: str) -> str:
    """A word as captions of the same speech would spell it, for finding words again."""
    return re.sub(r"[^\w]", "", word.lower())


@dataclass
class Link:
    chapter: int
    start_seconds: float
    score: float


@dataclass
class Passage:
    """A window of consecutive segments: what a moment or a suggested quote is made of."""

    first: int  # index into the index's segments
    last: int  # inclusive
    score: float


class ChapterIndex:
    """BM25 over the chapters of one video, plus windows of text across its segments."""

    def __init__(self, chapters: list[tuple[str, str]], segments: list[Segment]):
        ads = sponsor_reads(segments)
        if ads:  # a sponsor read is never where advice is said: its words are not searched
            spoken: dict[int, list[str]] = defaultdict(list)
            for i, segment in enumerate(segments):
                if i not in ads and segment.chapter is not None:
                    spoken[segment.chapter].append(segment.text)
            chapters = [(title, " ".join(spoken[n])) for n, (title, _) in enumerate(chapters)]
        self.docs = [
            Counter(terms(f"{title} " * CHAPTER_TITLE_WEIGHT + text)) for title, text in chapters
        ]
        self.lengths = [sum(doc.values()) for doc in self.docs]
        self.average = (sum(self.lengths) / len(self.lengths)) if self.lengths else 0.0
        df = Counter(term for doc in self.docs for term in doc)
        n = len(self.docs)
        self.idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}
        self.segments = segments
        self.by_chapter: dict[int, list[int]] = defaultdict(list)
        self.postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for i, segment in enumerate(segments):
            if segment.chapter is not None:
                self.by_chapter[segment.chapter].append(i)
            if i in ads:
                continue
            for term, count in Counter(terms(segment.text)).items():
                self.postings[term].append((i, count))
        # The window starting at segment i ends at ends[i]: about WINDOW_WORDS words, never
        # past its chapter. Segment i lies in the windows starting from firsts[i] to i.
        counts = [len(s.text.split()) for s in segments]
        self.ends = []
        for first in range(len(segments)):
            last, words = first, counts[first]
            while (
                last + 1 < len(segments)
                and words < WINDOW_WORDS
                and segments[last + 1].chapter == segments[first].chapter
            ):
                last += 1
                words += counts[last]
            self.ends.append(last)
        self.firsts = [bisect.bisect_left(self.ends, i) for i in range(len(segments))]

    def chapter_scores(self, query: Counter) -> list[float]:
        scores = []
        for doc, length in zip(self.docs, self.lengths, strict=True):
            norm = K1 * (1 - B + B * length / self.average) if self.average else K1
            score = 0.0
            for term, weight in query.items():
                tf = doc.get(term, 0)
                if tf:
                    score += weight * self.idf[term] * tf * (K1 + 1) / (tf + norm)
            scores.append(score)
        return scores

    def passages(self, query: Counter, starts: list[int] | None = None) -> list[Passage]:
        """Windows scored against `query`: those starting at `starts`, or all that match.

        A term counts at most twice in a window, weighted by how rare it is across
        chapters. Work is proportional to the query terms' occurrences, not the transcript.
        """
        scores: dict[int, float] = defaultdict(float)
        for term, weight in query.items():
            idf = self.idf.get(term)
            if not idf:
                continue
            in_window: dict[int, int] = defaultdict(int)
            for i, count in self.postings.get(term, ()):
                for first in range(self.firsts[i], i + 1):
                    in_window[first] += count
            for first, count in in_window.items():
                scores[first] += weight * idf * min(count, 2)
        if starts is None:
            starts = sorted(scores)
        return [Passage(first, self.ends[first], scores.get(first, 0.0)) for first in starts]

    def best_window(self, chapter: int, query: Counter) -> tuple[float, float] | None:
        """(start, score) of where the discussion that best matches `query` begins in
        `chapter`: the best window, moved back over the windows before it that still
        match well (the lead-up to the point), to the first line saying a query term.
        A reader starting there hears the lead-up and the point, never starts after it."""
        starts = self.by_chapter.get(chapter)
        if not starts:
            return None
        scored = self.passages(query, starts)
        if not scored:
            return self.segments[starts[0]].start_seconds, 0.0
        best_at = max(range(len(scored)), key=lambda k: (scored[k].score, -scored[k].first))
        best = scored[best_at]
        begin = best_at
        while begin > 0 and scored[begin - 1].score >= LEAD_FRACTION * best.score:
            begin -= 1
        first = scored[begin].first
        said = self.segment_scores(query, first, best.last)
        first += next((n for n, score in enumerate(said) if score > 0), 0)
        # And the line before it, in the same chapter: the sentence that leads in.
        if first > starts[0]:
            first -= 1
        return self.segments[first].start_seconds, best.score

    def segment_scores(self, query: Counter, first: int, last: int) -> list[float]:
        """How well each segment from `first` to `last` (inclusive) matches on its own."""
        scores = [0.0] * (last - first + 1)
        for term, weight in query.items():
            idf = self.idf.get(term)
            if not idf:
                continue
            postings = self.postings.get(term, ())
            for i, count in postings[bisect.bisect_left(postings, (first, 0)) :]:
                if i > last:
                    break
                scores[i - first] += weight * idf * min(count, 2)
        return scores

    def words_start(self, passage: "Passage", query: Counter) -> float:
        """Where, inside `passage`, the words that best match `query` begin: the run of
        about a sentence's words that matches best, from its first matching word (its
        time interpolated inside the segment)."""
        scores = self.segment_scores(query, passage.first, passage.last)
        sizes = [len(s.text.split()) for s in self.segments[passage.first : passage.last + 1]]
        best, best_total = 0, -1.0
        for k in range(len(scores)):
            total, words, j = 0.0, 0, k
            while j < len(scores) and (j == k or words < SENTENCE_WORDS):
                total, words, j = total + scores[j], words + sizes[j], j + 1
            if total > best_total:
                best, best_total = k, total
        segment = self.segments[passage.first + best]
        return segment.start_seconds + _first_match_share(segment, query) * (
            segment.end_seconds - segment.start_seconds
        )


def _first_match_share(segment: Segment, query: Counter) -> float:
    """How far into a segment (0 to 1, by words) its first word in `query` comes."""
    words = segment.text.split()
    for n, word in enumerate(words):
        if any(term in query for term in terms(word)):
            return n / len(words)
    return 0.0


def query_terms(*weighted_texts: tuple[str, float]) -> Counter:
    """Each distinct term of the texts, weighted. In sorted order: scores are float sums
    over the query's terms, so a hash-seeded order would change the winner of a tie
    from one process to the next."""
    query: Counter = Counter()
    for text, weight in weighted_texts:
        for term in sorted(set(terms(text))):
            query[term] += weight
    return query


def link_sections(
    sections: list[tuple[str, str]], chapters: list[tuple[str, str]], segments: list[Segment]
) -> list[Link | None]:
    """For each (title, text) section, its chapter and moment; None when nothing matches.

    `chapters` are (title, transcript text) pairs, `segments` the timed transcript.
    """
    if not chapters:
        return [None] * len(sections)
    return link_with_index(ChapterIndex(chapters, segments), sections)


def section_query(title: str, text: str) -> Counter:
    return query_terms((title, 2.0), (text, 1.0))


def link_with_index(index: "ChapterIndex", sections: list[tuple[str, str]]) -> list[Link | None]:
    queries = [section_query(title, text) for title, text in sections]
    normalised = []
    for query in queries:
        scores = index.chapter_scores(query)
        top = max(scores) if scores else 0.0
        normalised.append([s / top if top > 0 else 0.0 for s in scores])
    choices = _in_video_order(normalised)
    links: list[Link | None] = []
    for query, chapter, scores in zip(queries, choices, normalised, strict=True):
        if chapter is None:
            links.append(None)
            continue
        window = index.best_window(chapter, query)
        if window is None:
            links.append(None)
            continue
        links.append(Link(chapter, window[0], scores[chapter]))
    return links


# A takeaway stays in its lesson's chapter unless the best passage elsewhere is this much
# better: advice is usually said where its lesson is discussed.
ELSEWHERE_FACTOR = 2.0


def link_takeaway(index: ChapterIndex, text: str, chapter: int | None) -> Link | None:
    """The moment that best supports a takeaway: in its lesson's chapter first, then anywhere."""
    query = query_terms((text, 1.0))
    everywhere = index.passages(query)
    if not everywhere:
        return None
    best = max(everywhere, key=lambda p: (p.score, -p.first))
    inside = [p for p in everywhere if index.segments[p.first].chapter == chapter]
    if chapter is not None and inside:
        local = max(inside, key=lambda p: (p.score, -p.first))
        if local.score * ELSEWHERE_FACTOR >= best.score:
            best = local
    segment = index.segments[best.first]
    return Link(segment.chapter, round(index.words_start(best, query), 3), round(best.score, 3))


# A lesson whose best window comes after the first of its takeaways starts this long
# before that takeaway instead: the passage leads in with the question or story that
# sets up its first point (tuned on the real episodes' tune half, bench/real).
LEAD_IN_SECONDS = 30.0


def lead_into(index: ChapterIndex, link: Link | None, moments: list[Link | None]) -> None:
    """Move a lesson's moment back to lead into its first takeaway said in its chapter,
    when it lands after it: a reader who starts at the lesson hears each of its points."""
    if link is None:
        return
    said = [m.start_seconds for m in moments if m is not None and m.chapter == link.chapter]
    if not said or link.start_seconds <= min(said):
        return
    target = min(said) - LEAD_IN_SECONDS
    lines = index.by_chapter.get(link.chapter, [])
    # The line under way at the target, never before the chapter's first line.
    at = bisect.bisect_right([index.segments[i].start_seconds for i in lines], target) - 1
    link.start_seconds = index.segments[lines[max(at, 0)]].start_seconds if lines else target


CHAPTER_BONUS = 1.25


def suggest_passages(
    index: ChapterIndex, query: Counter, chapter: int | None, count: int = 3, avoid=()
) -> list[Passage]:
    """The `count` best non-overlapping passages for a lesson, its own chapter favoured.

    `avoid` holds (start, end) spans an editor dismissed: passages overlapping them are skipped.
    """
    scored = index.passages(query)
    for passage in scored:
        if chapter is not None and index.segments[passage.first].chapter == chapter:
            passage.score *= CHAPTER_BONUS
    chosen: list[Passage] = []
    for passage in sorted(scored, key=lambda p: (-p.score, p.first)):
        if passage.score <= 0 or len(chosen) == count:
            break
        start = index.segments[passage.first].start_seconds
        end = index.segments[passage.last].end_seconds
        if any(passage.first <= c.last and c.first <= passage.last for c in chosen):
            continue
        if any(start < b and a < end for a, b in avoid):
            continue
        chosen.append(passage)
    return chosen


def _in_video_order(normalised: list[list[float]]) -> list[int | None]:
    """The chapter per section maximising total match, less penalties for not moving on.

    Dynamic programming over (section, chapter): a section that clearly belongs to an
    earlier chapter still goes there; a close call goes to the chapter that keeps order.
    """
    if not normalised:
        return []
    n_chapters = len(normalised[0])
    best = [list(normalised[0])]
    back: list[list[int]] = [[-1] * n_chapters]
    for scores in normalised[1:]:
        previous = best[-1]
        row, row_back = [], []
        for j in range(n_chapters):
            options = [
                previous[k] - (BACKWARD_PENALTY if j < k else STAY_PENALTY if j == k else 0.0)
                for k in range(n_chapters)
            ]
            k = max(range(n_chapters), key=options.__getitem__)
            row.append(options[k] + scores[j])
            row_back.append(k)
        best.append(row)
        back.append(row_back)
    j = max(range(n_chapters), key=best[-1].__getitem__)
    path = [j]
    for i in range(len(normalised) - 1, 0, -1):
        j = back[i][j]
        path.append(j)
    path.reverse()
    return [j if normalised[i][j] > 0 else None for i, j in enumerate(path)]


class WordTimeline:
    """Every word of a transcript in order, each with the time it is (about to be) said."""

    def __init__(self, segments: list[Segment]):
        self.words: list[str] = []
        self.times: list[float] = []
        for segment in segments:
            words = [normalise(w) for w in segment.text.split()]
            words = [w for w in words if w]
            if not words:
                continue
            step = (segment.end_seconds - segment.start_seconds) / len(words)
            for n, word in enumerate(words):
                self.words.append(word)
                self.times.append(segment.start_seconds + n * step)
        self._ngrams: dict[int, dict[tuple[str, ...], list[int]]] = {}

    def index_at(self, seconds: float) -> int:
        return max(bisect.bisect_right(self.times, seconds + 1e-6) - 1, 0)

    def positions(self, gram: tuple[str, ...]) -> list[int]:
        n = len(gram)
        if n not in self._ngrams:
            table: dict[tuple[str, ...], list[int]] = defaultdict(list)
            for i in range(len(self.words) - n + 1):
                table[tuple(self.words[i : i + n])].append(i)
            self._ngrams[n] = table
        return self._ngrams[n].get(gram, [])

    def find(self, words: list[str], near: float, gram: int = 6) -> int | None:
        """Index in this timeline of the first of `words`, choosing the occurrence nearest `near`.

        Tries successive runs of `gram` words, so a word the captions spell differently
        does not lose the match.
        """
        words = [w for w in (normalise(w) for w in words) if w]
        size = min(gram, len(words))
        if size == 0:
            return None
        for offset in range(0, max(len(words) - size, 0) + 1):
            hits = self.positions(tuple(words[offset : offset + size]))
            if hits:
                best = min(hits, key=lambda i: abs(self.times[i] - near))
                return max(best - offset, 0)
        return None


def reanchor(old: WordTimeline, new: WordTimeline, seconds: float, span: int = 24) -> float | None:
    """Where the words said at `seconds` in the old transcript are said in the new one."""
    if not old.words or not new.words:
        return None
    i = old.index_at(seconds)
    found = new.find(old.words[i : i + span], near=seconds)
    return None if found is None else new.times[found]


def locate_text(timeline: WordTimeline, text: str, near: float) -> tuple[float, float] | None:
    """(start, end) of `text`'s words in a timeline, near the moment it was thought to be."""
    words = [w for w in (normalise(w) for w in text.split()) if w]
    if not words or not timeline.words:
        return None
    first = timeline.find(words, near=near)
    if first is None:
        return None
    tail = words[-6:]
    last = timeline.find(tail, near=timeline.times[first])
    end_index = (last + len(tail)) if last is not None and last >= first else first + len(words)
    end_index = min(end_index, len(timeline.times) - 1)
    return timeline.times[first], max(timeline.times[end_index], timeline.times[first])


@dataclass
class SuggestedPassage:
    chapter: int | None
    start_seconds: float
    end_seconds: float
    text: str
    score: float


def passage_of(index: ChapterIndex, passage: Passage, query: Counter) -> SuggestedPassage:
    """A passage as a quote: its words from a sentence's start to a sentence's end where
    the captions show them (a pause between cues; a capital after a full stop), else from
    the first to the last word that matches; never mid-word, never across a chapter."""
    chapter = index.segments[passage.first].chapter
    lo, hi = passage.first, passage.last
    while lo > passage.first - QUOTE_REACH and lo > 0 and index.segments[lo - 1].chapter == chapter:
        lo -= 1
    while (
        hi < passage.last + QUOTE_REACH
        and hi + 1 < len(index.segments)
        and index.segments[hi + 1].chapter == chapter
    ):
        hi += 1
    words = _timed_words(index, lo, hi)
    own = [n for n, w in enumerate(words) if passage.first <= w.segment <= passage.last]
    said = [n for n in own if any(term in query for term in terms(words[n].text))] or own
    first, last = said[0], said[-1]
    start = next(
        (n for n in range(first, max(first - QUOTE_LEAD_WORDS, 0) - 1, -1) if words[n].opens),
        first,
    )
    end = next(
        (
            n
            for n in range(last, min(last + QUOTE_TAIL_WORDS, len(words) - 1) + 1)
            if words[n].closes
        ),
        last,
    )
    text = " ".join(w.text for w in words[start : end + 1])
    return SuggestedPassage(
        chapter,
        round(words[start].start, 3),
        round(words[end].end, 3),
        text,
        round(passage.score, 3),
    )


# How far (segments) a quote may reach past its passage to start or end on a sentence,
# and how many words before its first matching word it may start, after its last end.
QUOTE_REACH = 3
QUOTE_LEAD_WORDS = 20
QUOTE_TAIL_WORDS = 25
# A gap between two captions this long is a pause: a sentence may start after it.
PAUSE_SECONDS = 0.25


@dataclass
class TimedWord:
    text: str
    start: float
    end: float
    segment: int
    opens: bool  # a sentence may start here
    closes: bool  # a sentence may end here


def _timed_words(index: ChapterIndex, first: int, last: int) -> list[TimedWord]:
    """The words of segments `first`..`last`, each timed by its place in its segment,
    with where a sentence may start (after a pause between captions, or a capital after
    a full stop) and end (before such a start, or on a full stop)."""
    words: list[TimedWord] = []
    previous = index.segments[first - 1] if first > 0 else None
    before = previous.text.split()[-1] if previous and previous.text.split() else ""
    for i in range(first, last + 1):
        segment = index.segments[i]
        texts = segment.text.split()
        if not texts:
            continue
        step = (segment.end_seconds - segment.start_seconds) / len(texts)
        paused = previous is None or segment.start_seconds - previous.end_seconds >= PAUSE_SECONDS
        for n, text in enumerate(texts):
            opens = (n == 0 and paused) or (
                bool(CLOSES_SENTENCE.search(before)) and text[:1].isupper()
            )
            start = segment.start_seconds + n * step
            words.append(TimedWord(text, start, start + step, i, opens, False))
            before = text
        previous = segment
    for n, word in enumerate(words):
        following = words[n + 1] if n + 1 < len(words) else None
        word.closes = bool(CLOSES_SENTENCE.search(word.text)) or bool(following and following.opens)
    return words


@dataclass
class SectionEvidence:
    """What supports one lesson: a moment per takeaway, and passages to quote."""

    takeaways: list[Link | None]
    passages: list[SuggestedPassage]


# Passages proposed per lesson, best first. Editors see three; the spares replace any that
# overlap a passage they already accepted or dismissed.
CANDIDATE_PASSAGES = 6


def gather_evidence(
    index: ChapterIndex,
    sections: list[tuple[str, str, list[str]]],
    links: list[Link | None],
) -> list[SectionEvidence]:
    """For (title, text, takeaways) sections linked by `links`: their takeaways' moments and
    the best passages to quote."""
    evidence = []
    for (title, text, takeaways), link in zip(sections, links, strict=True):
        chapter = link.chapter if link else None
        moments = [link_takeaway(index, takeaway, chapter) for takeaway in takeaways]
        lead_into(index, link, moments)
        chosen = suggest_passages(
            index, section_query(title, text), chapter, count=CANDIDATE_PASSAGES
        )
        query = section_query(title, text)
        evidence.append(SectionEvidence(moments, [passage_of(index, p, query) for p in chosen]))
    return evidence


KEYWORDS = 15


def keywords(text: str) -> str:
    """A lesson's most frequent content words, for finding related lessons cheaply."""
    return " ".join(term for term, _ in Counter(terms(text)).most_common(KEYWORDS))
