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

from kb.importers.drafts.cues import mark_not_advice
from kb.importers.drafts.talk import (
    Draft,
    DraftQuote,
    DraftTakeaway,
    Embed,
    Line,
    Talk,
    cut_sentences,
)
from kb.importers.drafts.topics import passages
from kb.importers.drafts.wording import draft_passage

# The drafter's parts: `talk` (lines and sentences), `cues` (what advice sounds like, and
# what is never advice), `topics` (where passages start), `wording` (a passage's
# takeaways, quote and title). What callers use is named here.
__all__ = ["Draft", "DraftQuote", "DraftTakeaway", "Embed", "Line", "Talk", "draft", "taken"]


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
        found = draft_passage(sentences, vectors, first, last, chapter_title, talk)
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
