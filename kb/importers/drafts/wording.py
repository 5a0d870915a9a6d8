"""A passage's draft in words: its takeaways (the guest's own sentences, lightly
trimmed), its quote (verbatim) and its title."""

import re

import numpy as np

from kb.importers.drafts.cues import (
    CENTRALITY_WEIGHT,
    CLAUSE,
    ENDS_WEAK,
    FILLER,
    HEDGE,
    IMPERATIVE,
    KIND_OF,
    KIND_OF_NOUN,
    LEADING,
    LEANS_ON,
    LONG_WORD,
    MAX_TAKEAWAYS,
    MIN_TAKEAWAYS,
    QUOTE_WORDS,
    REPEATED,
    SAME_MEANING,
    SMALL_TALK,
    SPONSOR,
    TAKEAWAY_MAX_WORDS,
    TAKEAWAY_MIN_WORDS,
    TAKEAWAY_SCORE,
    TITLE_OPENER,
    TITLE_SENTENCES,
    TITLE_WORDS,
    advice_score,
)
from kb.importers.drafts.talk import Draft, DraftQuote, DraftTakeaway, Sentence, Talk


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


def draft_passage(sentences, vectors, first, last, chapter_title, talk) -> Draft | None:
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
