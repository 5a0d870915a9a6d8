"""Suggest themes for a lesson (or a quote): by what it means, and how sure we are.

Each theme has a profile vector (kb.sentence_model where it is installed, else
kb.search.meaning): its name and description, and,
once editors have tagged lessons with it, the average of those lessons. A lesson's
confidence for a theme is how much closer it is to that profile than to the average
theme (a long lesson is somewhat close to every theme; what counts is which stands
out), plus a little credit for each of the theme's cue words it says ("promo" also
matches "promoted"). Only confident themes are applied; the next ones are offered to
editors in the admin.
"""

import functools
import re
from dataclasses import dataclass

import numpy as np

from kb import sentence_model

MAX_THEMES = 4
# The best theme is applied from this confidence; a second one only when it is this sure.
# For the sentence model (kb.sentence_model), tuned on the tune half of real
# episodes (bench/real); for the search's static model, where that is not installed, on
# bench/themes.py's tuning half.
SENTENCE_MODEL_APPLY = (0.127, 0.25)
STATIC_MODEL_APPLY = (0.16, 0.22)
# Offered to editors (not applied) from this confidence.
OFFER = 0.05
CUE_CREDIT = 0.02
# Cue hits count at most this often, so cue words can't carry a theme alone.
MAX_CUE_HITS = 3
TITLE_WEIGHT = 2.0
# What a title naming the theme adds over what applies a second theme: enough to apply it.
NAMED_IN_TITLE_MARGIN = 0.03
# Two words are forms of one word when they share their first letters this far
# ("promo", "promoted", "promotion"; "leader", "leadership").
SAME_STEM = 5


@dataclass
class ThemeProfile:
    name: str
    cues: list[str]
    vector: np.ndarray

    @functools.cached_property
    def title_patterns(self) -> list[re.Pattern]:
        """How a title names the theme (`name_forms`), worked out once a profile."""
        return [_cue_pattern(form) for form in name_forms(self.name, self.cues)]


@dataclass
class Scored:
    name: str
    confidence: float


@dataclass
class Chosen:
    applied: list[Scored]
    offered: list[Scored]

    @property
    def names(self) -> list[str]:
        return [s.name for s in self.applied]


def _cue_pattern(cue: str) -> re.Pattern:
    words = [re.escape(word) for word in cue.lower().split()]
    if not words:
        return re.compile(r"(?!)")
    if len(words[-1]) >= 4:
        words[-1] += r"[\w'-]{0,5}"
    return re.compile(r"(?<![\w-])" + r"[\s-]+".join(words) + r"(?![\w])")


def cue_hits(cues: list[str], title: str, text: str) -> float:
    """How often the cues are said (a title's count double)."""
    title, text = title.lower(), text.lower()
    return sum(
        len(pattern.findall(title)) * TITLE_WEIGHT + len(pattern.findall(text))
        for pattern in map(_cue_pattern, cues)
    )


def _words(text: str) -> list[str]:
    return re.findall(r"[\w'-]+", text.lower())


def _forms_of_one_word(a: str, b: str) -> bool:
    return a == b or (
        len(a) >= SAME_STEM and len(b) >= SAME_STEM and a[:SAME_STEM] == b[:SAME_STEM]
    )


def name_forms(name: str, cues: list[str]) -> list[str]:
    """The theme's name, and those of its cues that are forms of it word for word:
    "promo" and "promoted" for "promotion", but not "manager" for "management vs IC"."""
    named = _words(name)
    forms = [name]
    for cue in cues:
        words = _words(cue)
        if len(words) == len(named) and all(map(_forms_of_one_word, words, named)):
            forms.append(cue)
    return forms


def names_in_title(profile: ThemeProfile, title: str) -> bool:
    title = title.lower()
    return any(pattern.search(title) for pattern in profile.title_patterns)


def profile_vector(described: np.ndarray, tagged: list[np.ndarray]) -> np.ndarray:
    """A theme's description, and the lessons editors filed under it, as one unit vector."""
    vector = described + (np.mean(tagged, axis=0) if len(tagged) else 0)
    norm = np.linalg.norm(vector)
    return vector / norm if norm else vector


def thresholds() -> tuple[float, float]:
    """(apply the best theme from, apply a second from) for the model themes are read by."""
    return SENTENCE_MODEL_APPLY if sentence_model.available() else STATIC_MODEL_APPLY


def score(title: str, text: str, vector: np.ndarray, profiles: list[ThemeProfile]) -> list[Scored]:
    """Every theme's confidence for one text (its `vector`), best first."""
    if not profiles:
        return []
    named_in_title = thresholds()[1] + NAMED_IN_TITLE_MARGIN
    similarity = np.stack([p.vector for p in profiles]) @ vector
    similarity -= similarity.mean()
    scored = [
        Scored(
            p.name,
            float(s)
            + CUE_CREDIT * min(cue_hits(p.cues, title, text), MAX_CUE_HITS)
            + (named_in_title if names_in_title(p, title) else 0.0),
        )
        for p, s in zip(profiles, similarity, strict=True)
    ]
    return sorted(scored, key=lambda s: (-s.confidence, s.name.lower()))


def choose(scored: list[Scored]) -> Chosen:
    """The themes to apply (confident), and the next few to offer editors."""
    best = scored[:MAX_THEMES]
    apply, also_apply = thresholds()
    applied = [
        s
        for n, s in enumerate(best)
        if s.confidence >= also_apply or (n == 0 and s.confidence >= apply)
    ]
    offered = [s for s in best if s not in applied and s.confidence >= OFFER]
    return Chosen(applied, offered)
