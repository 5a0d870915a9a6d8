"""Benchmark: do lessons, takeaways and quotes land on their words? Measured on talks whose
speech we know word by word (bench/talks/*.talk, written by us).

    .venv/bin/python bench/moments.py [--show]

Each talk file gives the speech line by line, some lines marked: `L1` where lesson 1's
passage begins (its lead-up), `P1` where its point is made, `T1.2` the sentence lesson
1's second takeaway summarises. The script times the speech (a steady pace per chapter,
pauses between sentences), writes the talk's summary page (transcript without times, as
the Deep Summary format has it) and its timed captions, imports the page into an empty
SQLite database, measures, attaches the captions, and measures again:

- lessons on the right chapter (the one where their point is made);
- lesson moments leading into their passage: at or before the point, and no more than
  LEAD_SLACK seconds before the lead-up begins;
- takeaways within TAKEAWAY_SLACK seconds of the sentence they summarise;
- suggested quotes starting within QUOTE_SLACK seconds of a sentence's start.

Results go in a dated file under bench/results/, cited from
docs/quality.md#moments-on-talks-whose-speech-we-know.
"""

import argparse
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TALKS = ROOT / "bench" / "talks"
sys.path.insert(0, str(ROOT))
import scratch  # noqa: E402 - bench/scratch.py, beside this script

LEAD_SLACK = 20.0
TAKEAWAY_SLACK = 15.0
QUOTE_SLACK = 2.0
SENTENCE_PAUSE = 0.35
TURN_PAUSE = 0.7
CUE_WORDS = (8, 6, 9, 7)


@dataclass
class Line:
    mark: str
    text: str
    start: float = 0.0
    sentence_starts: list[float] = field(default_factory=list)


@dataclass
class Chapter:
    title: str
    lines: list[Line]
    start: int = 0


@dataclass
class Lesson:
    title: str
    body: str
    takeaways: list[tuple[str, str]]  # (text, mark)


@dataclass
class Talk:
    fields: dict
    chapters: list[Chapter]
    lessons: list[Lesson]
    words: list[tuple[str, float, float]] = field(default_factory=list)  # word, start, end

    def mark(self, mark: str) -> Line:
        return next(line for c in self.chapters for line in c.lines if line.mark == mark)

    def chapter_of(self, mark: str) -> str:
        return next(c.title for c in self.chapters for line in c.lines if line.mark == mark)

    @property
    def sentence_starts(self) -> list[float]:
        return [t for c in self.chapters for line in c.lines for t in line.sentence_starts]


def read_talk(path: Path) -> Talk:
    fields, chapters, lessons = {}, [], []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("=== "):
            lessons.append(Lesson(line[4:], "", []))
        elif lessons:
            takeaway = re.match(r"^- (.*?)\s+\[(T[\d.]+)\]$", line)
            if takeaway:
                lessons[-1].takeaways.append((takeaway[1], takeaway[2]))
            else:
                lessons[-1].body = line
        elif line.startswith("## "):
            chapters.append(Chapter(line[3:], []))
        elif chapters:
            mark, _, text = line.partition(":")
            chapters[-1].lines.append(Line(mark.strip(), text.strip()))
        else:
            key, _, value = line.partition(":")
            fields[key.strip()] = value.strip()
    talk = Talk(fields, chapters, lessons)
    _time(talk)
    return talk


def _time(talk: Talk) -> None:
    """Every word's time: a pace per chapter (85-115% of the talk's), pauses between
    sentences and longer ones between turns."""
    pace = float(talk.fields.get("pace", 3.4))
    now = 0.4
    for n, chapter in enumerate(talk.chapters):
        chapter.start = 0 if n == 0 else int(now)
        per_word = 1 / (pace * (0.85 + 0.1 * (n % 4)))
        for line in chapter.lines:
            line.start = now
            for sentence in re.split(r"(?<=[.?!])\s+", line.text):
                line.sentence_starts.append(now)
                for word in sentence.split():
                    talk.words.append((word, now, now + per_word * 0.9))
                    now += per_word
                now += SENTENCE_PAUSE
            now += TURN_PAUSE
    talk.fields["length"] = int(now) + 5


def _plain(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s']", " ", text.lower()).split())


def timecode(seconds: float) -> str:
    seconds = int(seconds)
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02}:{s:02}" if h else f"{m:02}:{s:02}"


def summary_page(talk: Talk) -> str:
    f = talk.fields
    lessons = []
    for lesson in talk.lessons:
        bullets = "\n".join(f"  • {text}" for text, _ in lesson.takeaways)
        lessons.append(f"{lesson.title}\n\n{lesson.body}\n\nKey Takeaways:\n\n{bullets}\n")
    transcript = " ".join(
        f"## {c.title} [{timecode(c.start)}] " + " ".join(_plain(line.text) for line in c.lines)
        for c in talk.chapters
    )
    length = f["length"]
    return (
        "YouTube Deep Summary\n\nVideo thumbnail\n\n"
        f"{f['title']}\n\n{f['channel']} • {length // 60}:{length % 60:02} minutes • "
        f"Published {f['published']} • YouTube\n\n"
        f"📚 Chapter Summaries ({len(talk.chapters)})\n\n🤖 AI-Generated Summary:\n\n"
        f"{f['headline']}\n\n{f['intro']}\n\n\n" + "\n".join(lessons) + "\nConclusion\n\n"
        "Every piece of this advice is small, and that is the point.\n\n\n"
        "Have questions? Drop a comment below!\n\n\n"
        f"📝 Transcript Chapters ({len(talk.chapters)} chapters):\n\n"
        f"📝 Transcript ({len(talk.words)} entries):\n\n{transcript}\n"
    )


def vtt(talk: Talk, cased: bool) -> str:
    """Captions cut every few words, as auto-captions are (not at sentence ends)."""
    cues, n, sizes = [], 0, 0
    while n < len(talk.words):
        size = CUE_WORDS[sizes % len(CUE_WORDS)]
        sizes += 1
        chunk = talk.words[n : n + size]
        n += size
        text = " ".join(w for w, _, _ in chunk)
        cues.append((chunk[0][1], chunk[-1][2], text if cased else _plain(text)))

    def stamp(t: float) -> str:
        h, rest = divmod(t, 3600)
        m, s = divmod(rest, 60)
        return f"{int(h):02}:{int(m):02}:{s:06.3f}"

    body = "\n\n".join(f"{stamp(a)} --> {stamp(b)}\n{text}" for a, b, text in cues)
    return f"WEBVTT\n\n{body}\n"


def measure(talk: Talk, video) -> dict:
    from kb.models import Lesson as StoredLesson

    results = {"chapter": [], "lead": [], "takeaway": [], "quote": []}
    stored = list(StoredLesson.objects.filter(video=video).select_related("chapter"))
    stored.sort(key=lambda lesson: lesson.position)
    starts = talk.sentence_starts
    for n, (lesson, row) in enumerate(zip(talk.lessons, stored, strict=True), 1):
        point, lead = talk.mark(f"P{n}"), talk.mark(f"L{n}")
        on_chapter = row.chapter is not None and row.chapter.title == talk.chapter_of(f"P{n}")
        moment = row.start_seconds if row.start_seconds is not None else -1.0
        leads = lead.start - LEAD_SLACK <= moment <= point.start + 0.5
        results["chapter"].append(on_chapter)
        results["lead"].append((leads, moment - lead.start, moment - point.start, row.title))
        takeaways = list(row.takeaways.order_by("position"))
        for (text, mark), takeaway in zip(lesson.takeaways, takeaways, strict=True):
            said = talk.mark(mark).start
            off = (takeaway.start_seconds - said) if takeaway.start_seconds is not None else None
            ok = off is not None and abs(off) <= TAKEAWAY_SLACK
            results["takeaway"].append((ok, off, text))
        for suggestion in row.suggestions.order_by("rank")[:3]:
            nearest = min(starts, key=lambda t: abs(t - suggestion.start_seconds))
            off = suggestion.start_seconds - nearest
            results["quote"].append((abs(off) <= QUOTE_SLACK, off, suggestion.text[:60]))
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--show", action="store_true", help="print every miss")
    args = parser.parse_args()
    scratch.setup("kb-moments-")
    from kb.importers.pipeline import import_document

    totals = {"estimated": {}, "exact": {}}
    for path in sorted(TALKS.glob("*.talk")):
        talk = read_talk(path)
        page = summary_page(talk)
        outcome = import_document(f"{path.stem}.txt", page.encode(), publish=True)
        cased = talk.fields.get("captions") == "cased"
        for kind in ("estimated", "exact"):
            if kind == "exact":
                captions = vtt(talk, cased).encode()
                import_document(f"{path.stem}.vtt", captions, video_slug=outcome.video.slug)
            results = measure(talk, outcome.video)
            for key, values in results.items():
                totals[kind].setdefault(key, []).extend(values)
            if args.show:
                show(path.stem, kind, results)
    print_table(totals)


def show(name: str, kind: str, results: dict) -> None:
    for ok, from_lead, from_point, title in results["lead"]:
        if not ok:
            print(f"{name} {kind}: lesson {title!r} {from_lead:+.1f} s from its lead-up, "
                  f"{from_point:+.1f} s from its point")  # fmt: skip
    for ok, off, text in results["takeaway"]:
        if not ok:
            where = "not found" if off is None else f"{off:+.1f} s"
            print(f"{name} {kind}: takeaway {text!r} {where}")
    for ok, off, text in results["quote"]:
        if not ok:
            print(f"{name} {kind}: quote {text!r} starts {off:+.1f} s from a sentence start")


def print_table(totals: dict) -> None:
    def share(values) -> str:
        hits = sum(1 for v in values if (v if isinstance(v, bool) else v[0]))
        return f"{hits}/{len(values)} ({100 * hits / len(values):.0f}%)" if values else "-"

    rows = [
        ("lessons on the right chapter", "chapter"),
        (f"lesson moments leading into their passage (≤ {LEAD_SLACK:.0f} s before)", "lead"),
        (f"takeaways within {TAKEAWAY_SLACK:.0f} s of their sentence", "takeaway"),
        (f"suggested quotes starting within {QUOTE_SLACK:.0f} s of a sentence", "quote"),
    ]
    for kind in ("estimated", "exact"):
        leads = sorted(v[1] for v in totals[kind]["lead"])
        offs = sorted(abs(v[1]) for v in totals[kind]["takeaway"] if v[1] is not None)
        print(f"{kind}: lesson moments from their lead-up {leads[0]:+.1f} to {leads[-1]:+.1f} s; "
              f"takeaway error median {offs[len(offs) // 2]:.1f} s, worst {offs[-1]:.1f} s")  # fmt: skip
    print("| what | estimated transcript | exact captions |")
    print("|---|---|---|")
    for label, key in rows:
        print(f"| {label} | {share(totals['estimated'][key])} | {share(totals['exact'][key])} |")


if __name__ == "__main__":
    main()
