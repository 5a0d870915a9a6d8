"""Benchmark on material we did not write: real podcast episodes, gold written by hand
(bench/real/gold.toml, see bench/real/README.md). Themes, moments and insights, reported
for each half of the gold: "held" (the number to report) and "tune".

    .venv/bin/python bench/real/bench.py --snapshot DIR [--show]
    LENNY_SNAPSHOT=DIR .venv/bin/python bench/real/bench.py

DIR is a git directory of github:ChatPRD/lennys-podcast-transcripts (a bare one, as the
`fetch` tool gives, or a clone) holding the commit gold.toml names. The episodes' text is
read from it at run time and never copied into this repository.

For each episode, the script writes a Deep Summary page (the gold lessons in our words,
then the whole transcript as plain words under chapter markers) and timed captions
(WebVTT, see `captions`), and imports both with `manage.py import_video` into an empty
SQLite database, as an editor would (no --publish). Moments are measured on the page
alone ("estimated") and after the captions are attached ("captions"); themes and
insights once everything is imported.
"""

import argparse
import io
import itertools
import os
import re
import subprocess
import sys
import tempfile
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GOLD = Path(__file__).with_name("gold.toml")
QUESTIONS = Path(__file__).with_name("questions.toml")
sys.path.insert(0, str(ROOT / "bench"))
import moments  # noqa: E402 - bench/moments.py: timecodes and plain caption text
import scratch  # noqa: E402
import themes as theme_bench  # noqa: E402 - bench/themes.py: precision and recall

TAKEAWAY_SLACK = 15.0
# A lesson's moment is right when it is at most LEAD_BEFORE seconds before its passage's
# first paragraph and at most START_GRACE after it (the gold time is a paragraph's stamp,
# to the second). The looser measure allows anywhere up to the passage's last paragraph.
LEAD_BEFORE = 30.0
START_GRACE = 2.0
# Chapters: no chapter titles come with these episodes, so the page gets generic ones
# ("Part 3") at the first paragraph after every CHAPTER_SECONDS.
CHAPTER_SECONDS = 300
# The slowest speech assumed when spreading a paragraph's words over the time to the next
# paragraph: a long gap after a short paragraph (a cut, music) is silence, not slow words.
MIN_WORDS_PER_SECOND = 1.5
LAST_WORDS_PER_SECOND = 2.5
CUE_WORDS = (8, 6, 9, 7)
STAMP = re.compile(r"^(?:([^\n()]+?) )?\((\d\d):(\d\d):(\d\d)\):\n(.*?)(?=\n\n|\Z)", re.M | re.S)


@dataclass
class Paragraph:
    start: float
    speaker: str
    text: str
    words: list[tuple[str, float]] = field(default_factory=list)  # (word, time)


def seconds(stamp: str) -> float:
    h, m, s = (int(part) for part in stamp.split(":"))
    return float(h * 3600 + m * 60 + s)


def snapshot_text(snapshot: Path, commit: str, path: str) -> str:
    result = subprocess.run(
        ["git", "-C", str(snapshot), "show", f"{commit}:{path}"],
        capture_output=True, text=True,
    )  # fmt: skip
    if result.returncode != 0:
        sys.exit(f"cannot read {path} at {commit[:12]} in {snapshot}: {result.stderr.strip()}")
    return result.stdout


def front_matter(text: str) -> dict:
    """The few fields the page needs; the rest (keywords, and a duration that is wrong for
    some episodes) is not trusted."""
    head = text.split("\n---", 2)[0] if text.startswith("---") else ""
    fields = {}
    for key in ("guest", "publish_date"):
        found = re.search(rf"^{key}:\s*(.+)$", head, re.M)
        fields[key] = found[1].strip().strip("'\"") if found else ""
    return fields


def paragraphs(text: str) -> list[Paragraph]:
    """`Speaker (hh:mm:ss):` paragraphs, words timed: spread evenly up to the next
    paragraph, but never slower than MIN_WORDS_PER_SECOND."""
    body = text.split("## Transcript", 1)[-1]
    found, speaker = [], ""
    for m in STAMP.finditer(body):
        speaker = m[1] or speaker
        start = seconds(f"{m[2]}:{m[3]}:{m[4]}")
        found.append(Paragraph(start, speaker, " ".join(m[5].split())))
    for n, paragraph in enumerate(found):
        words = paragraph.text.split()
        if n + 1 < len(found):
            span = max(found[n + 1].start - paragraph.start, 0.5)
            step = min(span / max(len(words), 1), 1 / MIN_WORDS_PER_SECOND)
        else:
            step = 1 / LAST_WORDS_PER_SECOND
        paragraph.words = [(w, paragraph.start + i * step) for i, w in enumerate(words)]
    return found


def sentence_time(paras: list[Paragraph], at: str) -> float:
    """The time of "hh:mm:ss#n": the n-th sentence of the paragraph stamped hh:mm:ss, on
    the same word timing as the captions. Of two paragraphs with one stamp (the host's
    "Great." and the guest's answer), the last."""
    stamp, _, number = at.partition("#")
    start = seconds(stamp)
    paragraph = next((p for p in reversed(paras) if p.start == start), None)
    if paragraph is None:
        sys.exit(f"gold names a paragraph at {stamp} that the transcript does not have")
    sentences = re.split(r"(?<=[.?!])\s+", paragraph.text)
    index = int(number or 1) - 1
    if index >= len(sentences):
        sys.exit(f"gold names sentence {index + 1} of the paragraph at {stamp}: it has fewer")
    before = sum(len(s.split()) for s in sentences[:index])
    return paragraph.words[before][1]


def summary_page(episode: str, fields: dict, paras: list[Paragraph], lessons: list[dict]) -> str:
    """A Deep Summary page as bench/moments.py writes one: our lessons (in the order of
    their passages), then the transcript as plain words under timed chapter markers."""
    chapters, next_at = [], 0.0
    for paragraph in paras:
        if paragraph.start >= next_at:
            chapters.append((paragraph.start, []))
            next_at = paragraph.start + CHAPTER_SECONDS
        chapters[-1][1].append(moments._plain(paragraph.text))
    transcript = " ".join(
        f"## Part {n} [{moments.timecode(start)}] " + " ".join(texts)
        for n, (start, texts) in enumerate(chapters, 1)
    )
    blocks = []
    for lesson in lessons:
        bullets = "\n".join(f"  • {t['text']}" for t in lesson["takeaways"])
        blocks.append(f"{lesson['title']}\n\n{lesson['body']}\n\nKey Takeaways:\n\n{bullets}\n")
    length = int(paras[-1].words[-1][1]) + 5 if paras[-1].words else int(paras[-1].start) + 5
    guest = fields["guest"] or episode
    words = sum(len(p.words) for p in paras)
    return (
        "YouTube Deep Summary\n\nVideo thumbnail\n\n"
        f"Lenny's Podcast with {guest}\n\nLenny's Podcast • {length // 60}:{length % 60:02} "
        f"minutes • Published {fields['publish_date'] or '2024-01-01'} • YouTube\n\n"
        f"📚 Chapter Summaries ({len(chapters)})\n\n🤖 AI-Generated Summary:\n\n"
        f"Career lessons from {guest}\n\nWhat {guest} has learned about careers.\n\n\n"
        + "\n".join(blocks)
        + "\nConclusion\n\nSmall habits, repeated, are what these lessons share.\n\n\n"
        f"📝 Transcript Chapters ({len(chapters)} chapters):\n\n"
        f"📝 Transcript ({words} entries):\n\n{transcript}\n"
    )


def captions(paras: list[Paragraph]) -> str:
    """WebVTT as auto-captions look: lower case, no punctuation, a cue every 6-9 words,
    never across paragraphs."""
    sizes, cues = itertools.cycle(CUE_WORDS), []
    for paragraph in paras:
        words, n = paragraph.words, 0
        while n < len(words):
            chunk = words[n : n + next(sizes)]
            n += len(chunk)
            # A cue ends where the next word starts (the last one of a paragraph, a little
            # after its start): cues never overlap, as rolling auto-captions would.
            end = words[n][1] if n < len(words) else chunk[-1][1] + 0.4
            text = moments._plain(" ".join(w for w, _ in chunk))
            if text:
                cues.append((chunk[0][1], end, text))

    def stamp(t: float) -> str:
        h, rest = divmod(t, 3600)
        m, s = divmod(rest, 60)
        return f"{int(h):02}:{int(m):02}:{s:06.3f}"

    return "WEBVTT\n\n" + "\n\n".join(f"{stamp(a)} --> {stamp(b)}\n{t}" for a, b, t in cues) + "\n"


def share(hits: int, total: int) -> str:
    return f"{hits}/{total} ({100 * hits / total:.0f}%)" if total else "-"


def measure_moments(rows, gold: list[dict], paras) -> dict:
    """Per lesson: (starts right, inside its passage, offset from the passage start) and per
    takeaway: (within the slack, offset or None)."""
    out = {"lead": [], "inside": [], "takeaway": []}
    for lesson, row in zip(gold, rows, strict=True):
        start, end = (seconds(t) for t in lesson["span"])
        moment = row.start_seconds
        off = None if moment is None else moment - start
        ok = off is not None and -LEAD_BEFORE <= off <= START_GRACE
        out["lead"].append((lesson["id"], ok, off))
        out["inside"].append((lesson["id"], off is not None and -LEAD_BEFORE <= off <= end - start))
        stored = list(row.takeaways.order_by("position"))
        for n, (takeaway, saved) in enumerate(zip(lesson["takeaways"], stored, strict=True), 1):
            said = sentence_time(paras, takeaway["at"])
            toff = None if saved.start_seconds is None else saved.start_seconds - said
            hit = toff is not None and abs(toff) <= TAKEAWAY_SLACK
            out["takeaway"].append((f"{lesson['id']}.{n}", hit, toff))
    return out


# The halves reported: both, or the tune half alone while tuning (--tune-only).
HALVES = ["held", "tune"]


def pairs_of(proposal) -> set[frozenset]:
    return {frozenset(p) for p in itertools.combinations(proposal.lesson_ids, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--snapshot", default=os.environ.get("LENNY_SNAPSHOT", ""))
    parser.add_argument("--show", action="store_true", help="print every lesson's results")
    parser.add_argument(
        "--tune-only", action="store_true", help="report the tune half only (while tuning)"
    )
    args = parser.parse_args()
    if args.tune_only:
        HALVES[:] = ["tune"]
    gold = tomllib.loads(GOLD.read_text(encoding="utf-8"))
    source = gold["source"]
    snapshot = Path(args.snapshot) if args.snapshot else None
    if snapshot is None or not snapshot.is_dir():
        sys.exit(
            f"no snapshot of {source['repo']}: give its git directory with --snapshot DIR or "
            f"LENNY_SNAPSHOT=DIR (e.g. git clone https://github.com/"
            f"{source['repo'].removeprefix('github:')}, commit {source['commit'][:12]})"
        )
    half_of = {ep: half for half, eps in gold["halves"].items() for ep in eps}
    by_episode: dict[str, list[dict]] = {}
    for lesson in gold["lesson"]:
        by_episode.setdefault(lesson["episode"], []).append(lesson)
    for lessons in by_episode.values():
        lessons.sort(key=lambda lesson: seconds(lesson["span"][0]))

    scratch.setup("kb-real-")
    from django.core.management import call_command

    from kb import insights
    from kb.models import Lesson, Video

    pages = Path(tempfile.mkdtemp(prefix="kb-real-pages-"))
    moment_results = {"estimated": {}, "captions": {}}
    lesson_ids: dict[int, str] = {}
    for episode, lessons in by_episode.items():
        text = snapshot_text(snapshot, source["commit"], f"episodes/{episode}/transcript.md")
        paras = paragraphs(text)
        page = pages / f"{episode}.txt"
        page.write_text(summary_page(episode, front_matter(text), paras, lessons), "utf-8")
        call_command("import_video", str(page), stdout=io.StringIO())
        video = Video.objects.order_by("-pk").first()
        for kind in ("estimated", "captions"):
            if kind == "captions":
                vtt = pages / f"{episode}.vtt"
                vtt.write_text(captions(paras), "utf-8")
                call_command("import_video", str(vtt), video=video.slug, stdout=io.StringIO())
            rows = list(Lesson.objects.filter(video=video).order_by("position"))
            if len(rows) != len(lessons):
                sys.exit(f"{episode}: {len(rows)} lessons imported, gold has {len(lessons)}")
            moment_results[kind][episode] = measure_moments(rows, lessons, paras)
        for lesson, row in zip(lessons, rows, strict=True):
            lesson_ids[row.pk] = lesson["id"]

    report(gold, half_of, by_episode, moment_results, lesson_ids, insights.propose(), args.show)
    ask(gold, half_of, lesson_ids, args.show)


def ask(gold, half_of, lesson_ids, show) -> None:
    """Each reader question through the site's search (words, then meaning), with every
    video and lesson published: where the lesson that answers it ranks among lessons."""
    from kb.models import Lesson, Status, Video
    from kb.search import search

    Video.objects.update(status=Status.PUBLISHED)
    Lesson.objects.update(status=Status.PUBLISHED)
    episode_of = {lesson["id"]: lesson["episode"] for lesson in gold["lesson"]}
    questions = tomllib.loads(QUESTIONS.read_text(encoding="utf-8"))["question"]
    ranks: dict[str, list[int | None]] = {"held": [], "tune": []}
    lines = []
    for question in questions:
        found = [lesson_ids.get(pk) for pk, *_ in search(question["text"]).lessons.ranked]
        rank = found.index(question["answer"]) + 1 if question["answer"] in found else None
        ranks[half_of[episode_of[question["answer"]]]].append(rank)
        lines.append(
            f"    {question['answer']} rank {rank or '-'}: {question['text']} -> {found[:3]}"
        )
    print("\n## Reader questions (kb.search.search, all published)\n")
    print("| half | questions | answer first | in the first 3 | in the first 10 | MRR |")
    print("|---|---|---|---|---|---|")
    for half in HALVES:
        got = ranks[half]
        if not got:
            continue
        within = [sum(1 for r in got if r is not None and r <= n) for n in (1, 3, 10)]
        mrr = sum(1 / r for r in got if r) / len(got)
        print(
            f"| {half} | {len(got)} | "
            + " | ".join(share(w, len(got)) for w in within)
            + f" | {mrr:.2f} |"
        )
    if show:
        print("\n".join(lines))


def report(gold, half_of, by_episode, moment_results, lesson_ids, proposals, show) -> None:
    from kb.models import Lesson

    halves = HALVES
    print(f"Snapshot {gold['source']['repo']} at {gold['source']['commit'][:12]}; "
          f"held: {', '.join(gold['halves']['held'])}")  # fmt: skip
    print("\n## Moments\n")
    print("| half | lessons | lessons start ≤ 30 s before their passage | ... or inside it "
          f"| takeaways within {TAKEAWAY_SLACK:.0f} s |")  # fmt: skip
    print("|---|---|---|---|---|")
    for kind in ("estimated", "captions"):
        for half in halves:
            got = {"lead": [], "inside": [], "takeaway": []}
            for episode, result in moment_results[kind].items():
                if half_of.get(episode) == half:
                    for key in got:
                        got[key].extend(result[key])
            cells = [share(sum(1 for v in got[k] if v[1]), len(got[k])) for k in got]
            print(f"| {half}, {kind} | {len(got['lead'])} | " + " | ".join(cells) + " |")
            if show:
                for name, ok, off in got["lead"] + got["takeaway"]:
                    where = "none" if off is None else f"{off:+.0f} s"
                    print(f"    {kind} {name}: {'ok' if ok else 'MISS'} {where}")

    print("\n## Themes (import as an editor would, without --publish)\n")
    print("| half | lessons | applied: precision | recall | suggested too: precision | recall |")
    print("|---|---|---|---|---|---|")
    rows = {
        lesson_ids[row.pk]: row
        for row in Lesson.objects.prefetch_related("tags", "theme_suggestions__theme")
    }
    for half in halves:
        lessons = [lesson for ep, ls in by_episode.items() if half_of[ep] == half for lesson in ls]
        applied = [{t.name for t in rows[lesson["id"]].tags.all()} for lesson in lessons]
        offered = [
            {s.theme.name for s in rows[lesson["id"]].theme_suggestions.all() if s.is_open}
            for lesson in lessons
        ]
        right = [set(lesson["themes"]) for lesson in lessons]
        both = [a | o for a, o in zip(applied, offered, strict=True)]
        print(f"| {half} | {len(lessons)} | {theme_bench.rates(applied, right)} | "
              f"{theme_bench.rates(both, right)} |")  # fmt: skip
        if show:
            for lesson, a, o in zip(lessons, applied, offered, strict=True):
                print(f"    {lesson['id']}: applied {sorted(a)} suggested {sorted(o - a)} "
                      f"right {sorted(lesson['themes'])}")  # fmt: skip

    print("\n## Insights (kb.insights.propose over all 22 lessons)\n")
    episode_of = {lesson["id"]: lesson["episode"] for lesson in gold["lesson"]}
    label = {frozenset((p["a"], p["b"])): p["label"] for p in gold["pair"]}

    def half_of_pair(pair) -> str:
        found = {half_of[episode_of[i]] for i in pair}
        return found.pop() if len(found) == 1 else "cross"

    proposed = {"agree": set(), "differ": set()}
    for proposal in proposals:
        for pair in pairs_of(proposal):
            names = frozenset(lesson_ids[i] for i in pair)
            if len({episode_of[i] for i in names}) == 2:
                proposed[proposal.kind].add(names)
    print("| half | kind | gold pairs | proposed pairs | of them judged right | judged wrong "
          "| not in gold | recall |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|")
    for half in (*halves, "cross"):
        for kind in ("agree", "differ"):
            wanted = {p for p, lab in label.items() if lab == kind and half_of_pair(p) == half}
            made = {p for p in proposed[kind] if half_of_pair(p) == half}
            right = made & wanted
            wrong = {p for p in made if p in label and label[p] != kind}
            print(f"| {half} | {kind} | {len(wanted)} | {len(made)} | {len(right)} | "
                  f"{len(wrong)} | {len(made) - len(right) - len(wrong)} | "
                  f"{share(len(right), len(wanted))} |")  # fmt: skip
    if show:
        for kind, made in proposed.items():
            for pair in sorted(made, key=sorted):
                print(f"    proposed {kind}: {' + '.join(sorted(pair))} "
                      f"(gold: {label.get(pair, 'not labelled')})")  # fmt: skip


if __name__ == "__main__":
    main()
