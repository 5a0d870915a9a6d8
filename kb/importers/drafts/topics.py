"""Where a talk's passages start and end: its real chapters, else where the topic
shifts (TextTiling's depth, cuts chosen by dynamic programming)."""

import math

import numpy as np

from kb.importers.drafts.cues import GENERIC_CHAPTER
from kb.importers.drafts.talk import Sentence, Talk

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
