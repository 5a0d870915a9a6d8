"""Draft lessons rewritten by a language model the editor chose: plain Python, no Django.

The offline drafts (kb.importers.drafts) are the speaker's own words, lightly trimmed. With
a model configured (DJANGO_DRAFT_MODEL, or `draft_lessons --model ID`: any model the `llm`
library and its plugins offer, local or hosted with the editor's own key), each draft's
passage is given to it, one passage at a time, and it answers in a JSON schema (Answer): a
title and two to five takeaways written as advice, each with the transcript's words that
support it, and a verbatim quote.

A model is trusted with wording, never with what was said or when:
- every verbatim span it returns is searched for in the passage's own lines (case,
  whitespace and punctuation set aside for the search only). Found: the quote's text is
  the transcript's words, and every moment, start and end is the transcript's time for
  them; not found, too short to tell, or said by the host: that takeaway (or the quote) is
  refused and the offline one kept in its place;
- an answer that is not JSON, breaks the schema, or does not come in `timeout` seconds,
  a model that fails or has no key: that passage keeps its offline draft, and the report
  says why in a line.

`llm` is imported only when a model is asked for: without one nothing here loads it.
"""

import re
import threading
from collections import Counter
from dataclasses import dataclass, field, replace

from pydantic import BaseModel, Field, ValidationError

from kb.importers.drafts import Draft, DraftQuote, DraftTakeaway, Line, Talk
from kb.importers.drafts.cues import MAX_TAKEAWAYS, MIN_TAKEAWAYS, QUOTE_WORDS, TAKEAWAY_MAX_WORDS
from kb.importers.drafts.talk import WORD
from kb.importers.linking import normalise
from kb.text import clean
from kb.timecodes import format_timecode

# A verbatim span shorter than this (in words) proves nothing: "you should" is everywhere.
MIN_VERBATIM_WORDS = 4
# Spans longer than these are not a takeaway's support or a quote (words).
MAX_SUPPORT_WORDS = 2 * TAKEAWAY_MAX_WORDS
MAX_QUOTE_WORDS = 2 * QUOTE_WORDS
# What a passage may cost a model, in seconds, when the setting does not say.
TIMEOUT = 60.0

FENCED = re.compile(r"```(?:json)?\s*(.*?)\s*```", re.DOTALL)

SYSTEM = """\
You turn a passage of a podcast or talk transcript into a lesson of career advice.
Each line is [time] Speaker: words. Advice comes from the guest, never the host.
Answer in JSON with:
- title: the passage's advice in 3 to 9 words, as an imperative ("Ask for the offer in writing");
- takeaways: 2 to 5, each {"text": one sentence of advice in plain words, "verbatim": the
  exact words from the transcript that say it, copied character for character from one
  line or consecutive lines, at least 6 words};
- quote: the passage's best words to quote, copied exactly from the transcript, 10 to 60 words.
Never invent or paraphrase inside "verbatim" or "quote": they are checked against the
transcript and refused if they are not there word for word."""


class AnswerTakeaway(BaseModel):
    text: str = Field(min_length=3, max_length=400)
    verbatim: str = Field(min_length=1, max_length=1200)


class Answer(BaseModel):
    """What the model must answer for one passage (given to it as a JSON schema)."""

    title: str = Field(min_length=3, max_length=120)
    takeaways: list[AnswerTakeaway] = Field(min_length=MIN_TAKEAWAYS, max_length=MAX_TAKEAWAYS)
    quote: str = Field(min_length=1, max_length=1200)


class Unusable(Exception):
    """A passage's answer cannot be used (the message says why, in a few words)."""


class Stop(Exception):
    """No passage can be rewritten (no library, unknown model, no key): the message says why."""


@dataclass
class Rewritten:
    """What the model did to a talk's drafts, for the command's output and the import's
    summary."""

    model: str
    drafts: int = 0  # passages given to the model
    rewritten: int = 0  # drafts with the model's wording
    used: Counter = field(default_factory=Counter)  # "takeaways", "quotes" used
    refused: Counter = field(default_factory=Counter)  # (what, why) -> how many
    failed: Counter = field(default_factory=Counter)  # why a passage kept its draft
    error: str = ""  # why no passage was rewritten at all

    def lines(self) -> list[str]:
        """One line of what happened, then one per kind of refusal or failure."""
        if self.error:
            return [f"model {self.model}: {self.error}; the offline drafts are kept"]
        out = [f"model {self.model}: {self.rewritten} of {self.drafts} drafts rewritten"]
        for (what, why), n in sorted(self.refused.items()):
            noun = what if n != 1 else what.rstrip("s")
            out.append(f"model {self.model}: refused {n} {noun} ({why}): offline ones kept")
        for why, n in sorted(self.failed.items()):
            noun = "drafts" if n != 1 else "draft"
            out.append(f"model {self.model}: {n} {noun} kept offline ({why})")
        return out

    def note(self) -> str:
        """A few words for an import's summary line."""
        if self.error:
            return f"model {self.model}: {self.error}"
        refused = sum(self.refused.values())
        failed = sum(self.failed.values())
        return (
            f"{self.rewritten} of {self.drafts} drafts rewritten by {self.model}"
            + (f", {refused} spans refused" if refused else "")
            + (f", {failed} kept offline" if failed else "")
        )


def rewrite(
    drafts: list[Draft], talk: Talk, model_id: str, *, timeout: float = TIMEOUT
) -> tuple[list[Draft], Rewritten]:
    """`drafts` with the model's wording where it holds up (see the module's doc), in the
    same order, one for one; and what happened. Never raises for the model's sake."""
    report = Rewritten(model_id, drafts=len(drafts))
    if not drafts:
        return drafts, report
    try:
        model = _model(model_id)
    except Stop as stop:
        report.error = str(stop)
        return drafts, report
    out = []
    for n, offline in enumerate(drafts):
        passage = Passage(talk, offline.start_seconds, offline.end_seconds)
        try:
            answer = _ask(model, passage.prompt(), timeout)
            better = _checked(offline, answer, passage, report)
        except Unusable as why:
            report.failed[str(why)] += 1
            better = offline
        except Stop as stop:
            # Every later passage would fail the same way (a key, a model that hangs).
            report.failed[str(stop)] += len(drafts) - n
            out += drafts[n:]
            break
        report.rewritten += better is not offline
        out.append(better)
    return out, report


def _model(model_id: str):
    try:
        import llm
    except ImportError:
        raise Stop(
            "the llm library is not installed (pip install -e '.[llm]', then an llm plugin)"
        ) from None
    try:
        model = llm.get_model(model_id)
    except llm.UnknownModelError:
        raise Stop(
            "no such model in llm (install its plugin, e.g. llm install llm-ollama; "
            "llm models lists them)"
        ) from None
    except Exception as exc:  # a plugin that fails to load
        raise Stop(f"llm could not load the model: {_said(exc)}") from None
    if not getattr(model, "supports_schema", False):
        raise Stop("the model cannot answer in a JSON schema (pick one that can)")
    return model


def _ask(model, prompt: str, timeout: float) -> Answer:
    """The model's answer, parsed; in a thread of its own so a model that hangs costs
    `timeout` seconds and no more (the thread is a daemon: it cannot keep the process)."""
    import llm

    box: dict = {}

    def call() -> None:
        try:
            box["text"] = model.prompt(prompt, system=SYSTEM, schema=Answer).text()
        except BaseException as exc:  # reported below, in the caller's thread
            box["error"] = exc

    worker = threading.Thread(target=call, name="draft-model", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise Stop(f"no answer within {timeout:g} s")
    error = box.get("error")
    if isinstance(error, llm.errors.NeedsKeyException):
        raise Stop(f"no key: {_said(error)}")
    if error is not None:
        raise Unusable(f"the model failed: {_said(error)}")
    try:
        return Answer.model_validate_json(_unfenced(box.get("text") or ""))
    except ValidationError as exc:
        if any(e["type"] == "json_invalid" for e in exc.errors()):
            raise Unusable("its answer is not JSON") from None
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "answer"
        raise Unusable(f"its answer breaks the schema: {where}: {first['msg']}") from None


def _unfenced(text: str) -> str:
    """The JSON inside a Markdown code fence, which some local models add whatever the
    schema says; any other text as it is."""
    found = FENCED.fullmatch(text.strip())
    return found[1] if found else text


def _said(exc: BaseException) -> str:
    """An exception in one short line."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 160 else text[:159] + "…"


# ---------------------------------------------------------------- checking the answer


class Passage:
    """The lines of a talk in [start, end), word by word: each word's own spelling, its
    form for the search, its time (a line's time spread over its words, as the offline
    drafts time them) and its speaker."""

    def __init__(self, talk: Talk, start: float, end: float):
        self.talk = talk
        self.lines: list[Line] = [
            line for line in talk.lines if line.end > start and line.start < end
        ]
        self.words: list[tuple[str, str, float, float, str]] = []
        for line in self.lines:
            said = WORD.findall(clean(line.text))
            per_word = (line.end - line.start) / len(said) if said else 0.0
            for k, word in enumerate(said):
                normal = normalise(word)
                if normal:
                    start_at = line.start + k * per_word
                    self.words.append((word, normal, start_at, start_at + per_word, line.speaker))
        self.first: dict[str, list[int]] = {}
        for n, (_, normal, *_) in enumerate(self.words):
            self.first.setdefault(normal, []).append(n)

    def prompt(self) -> str:
        rows = []
        for line in self.lines:
            role = self._role(line.speaker)
            said = " ".join(clean(line.text).split())
            rows.append(f"[{format_timecode(line.start)}] {role + ': ' if role else ''}{said}")
        return "Transcript passage:\n" + "\n".join(rows)

    def _role(self, speaker: str) -> str:
        if speaker and speaker in self.talk.hosts:
            return "Host"
        if speaker and speaker in self.talk.guests:
            return "Guest"
        return "Speaker" if speaker else ""

    def find(self, span: str, most: int) -> tuple[int, int] | str:
        """Where `span` is said, as (first word, last word + 1); else why it is refused."""
        wanted = [w for w in (normalise(word) for word in span.split()) if w]
        if len(wanted) < MIN_VERBATIM_WORDS:
            return "too short to check"
        if len(wanted) > most:
            return "too long"
        for n in self.first.get(wanted[0], ()):
            if [w[1] for w in self.words[n : n + len(wanted)]] == wanted:
                if any(w[4] in self.talk.hosts for w in self.words[n : n + len(wanted)]):
                    return "said by the host"
                return n, n + len(wanted)
        return "not in the transcript"

    def text(self, at: tuple[int, int]) -> str:
        """The transcript's own words for a span."""
        return " ".join(w[0] for w in self.words[at[0] : at[1]])


def _checked(offline: Draft, answer: Answer, passage: Passage, report: Rewritten) -> Draft:
    """The offline draft with what holds up of the model's answer."""
    found: list[DraftTakeaway] = []
    spans: list[tuple[int, int]] = []
    for takeaway in answer.takeaways:
        text = " ".join(takeaway.text.split())
        at = passage.find(takeaway.verbatim, MAX_SUPPORT_WORDS) if text else "no advice in it"
        if isinstance(at, str):
            report.refused[("takeaways", at)] += 1
            continue
        report.used["takeaways"] += 1
        spans.append(at)
        _, _, start, _, speaker = passage.words[at[0]]
        found.append(DraftTakeaway(text, round(start, 3), speaker, 0.0))
    quote_at = passage.find(answer.quote, MAX_QUOTE_WORDS)
    if isinstance(quote_at, str):
        report.refused[("quotes", quote_at)] += 1
        quote = offline.quote
    else:
        report.used["quotes"] += 1
        spans.append(quote_at)
        first, last = passage.words[quote_at[0]], passage.words[quote_at[1] - 1]
        quote = DraftQuote(passage.text(quote_at), round(first[2], 3), round(last[3], 3), first[4])
    if not spans:
        return offline  # nothing it said is in the passage: its title is not trusted either
    # Each refused takeaway: an offline one in its place, one said elsewhere than those kept.
    taken = [(passage.words[a][2], passage.words[b - 1][3]) for a, b in spans]
    spare = sorted(
        (t for t in offline.takeaways if not any(a <= t.start_seconds <= b for a, b in taken)),
        key=lambda t: -t.score,
    )
    takeaways = found + spare[: len(answer.takeaways) - len(found)]
    if len(takeaways) < MIN_TAKEAWAYS:
        takeaways = list(offline.takeaways)
    takeaways.sort(key=lambda t: t.start_seconds)
    title = " ".join(answer.title.split()).rstrip(".")
    return replace(
        offline, title=title or offline.title, takeaways=takeaways[:MAX_TAKEAWAYS], quote=quote
    )
