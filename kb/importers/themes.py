"""Suggest themes for a lesson from the theme vocabulary and from lessons editors tagged.

Plain Python. A theme's cues are words and phrases ("promo", "promotion packet"); a cue
of four letters or more also matches its longer forms ("promo" → "promoted"). Cues in a
lesson's title count double. Once editors have tagged lessons, the themes of the most
similar tagged lessons add their votes.
"""

import math
import re
from collections import Counter
from dataclasses import dataclass

from kb.importers.linking import terms

MAX_THEMES = 4
MIN_SCORE = 2.0
TITLE_WEIGHT = 2.0
# A cue counts at most this often, so one repeated word can't carry a theme alone.
MAX_HITS_PER_CUE = 2
NEIGHBOURS = 3
MIN_SIMILARITY = 0.25
NEIGHBOUR_VOTE = 1.5


@dataclass
class ThemeCues:
    name: str
    cues: list[str]


@dataclass
class TaggedExample:
    text: str
    themes: list[str]


def _cue_pattern(cue: str) -> re.Pattern:
    words = [re.escape(word) for word in cue.lower().split()]
    if not words:
        return re.compile(r"(?!)")
    if len(words[-1]) >= 4:
        words[-1] += r"[\w'-]{0,5}"
    return re.compile(r"(?<![\w-])" + r"[\s-]+".join(words) + r"(?![\w])")


def cue_score(cues: list[str], title: str, text: str) -> float:
    title, text = title.lower(), text.lower()
    score = 0.0
    for cue in cues:
        pattern = _cue_pattern(cue)
        hits = len(pattern.findall(title)) * TITLE_WEIGHT + len(pattern.findall(text))
        score += min(hits, MAX_HITS_PER_CUE * TITLE_WEIGHT)
    return score


def _vector(text: str) -> Counter:
    return Counter(terms(text))


def _cosine(a: Counter, b: Counter) -> float:
    dot = sum(a[t] * b[t] for t in a.keys() & b.keys())
    norm = math.sqrt(sum(v * v for v in a.values())) * math.sqrt(sum(v * v for v in b.values()))
    return dot / norm if norm else 0.0


def suggest_themes(
    title: str,
    text: str,
    vocabulary: list[ThemeCues],
    examples: list[TaggedExample] = (),
) -> list[str]:
    """Up to four theme names for a lesson, best first; the best cue match even if weak."""
    scores: Counter = Counter()
    for theme in vocabulary:
        score = cue_score(theme.cues or [theme.name], title, text)
        if score:
            scores[theme.name] = score
    if examples:
        mine = _vector(f"{title} {text}")
        similar = sorted(
            ((_cosine(mine, _vector(example.text)), example) for example in examples),
            key=lambda pair: -pair[0],
        )[:NEIGHBOURS]
        for similarity, example in similar:
            if similarity >= MIN_SIMILARITY:
                for name in example.themes:
                    scores[name] += NEIGHBOUR_VOTE * similarity / MIN_SIMILARITY / 2
    ranked = [name for name, score in scores.most_common() if score >= MIN_SCORE][:MAX_THEMES]
    if not ranked and scores:
        ranked = [scores.most_common(1)[0][0]]
    return ranked
