"""Draft lessons from a transcript alone (issue 42), measured on real episodes we did not
write: the podcast archive bench/real/ reads (github: ChatPRD/lennys-podcast-transcripts),
whose lessons we know by hand (bench/real/gold.toml: 22 lessons of 11 episodes, each with
its passage and three takeaways, each on the sentence that says it).

    .venv/bin/python bench/drafts.py --snapshot DIR [--half held|tune|both] [--sheet]
                                     [--time EPISODE]

For each episode of the half, only its speaker-labelled transcript is imported
(`manage.py import_video transcript.md`, which drafts), into an empty SQLite database; the
machine drafts are then compared with the gold:

- lessons: a gold lesson is held when a draft's passage covers at least half of its span,
  and (strictly) one of that draft's takeaways is said inside the span (30 s either side);
- takeaways: a gold takeaway has a draft takeaway within 30 s of its sentence; and "says
  the same" by a mechanical proxy (half of the gold sentence's content words, or a meaning
  similarity of 0.6 with it), for tuning; the reported figure is judged by reading;
- the drafts per hour of talk and the takeaways per draft.

`--sheet` writes bench/out/drafts-<half>.md (never committed: it quotes the episodes) with
each gold takeaway beside the draft takeaways near it, and every draft in full: what the
judgements in bench/results/2026-12-07-drafts.md were made from. `--time EPISODE` imports
one long episode in a fresh process and reports the time to draft it (the import, and
`draft_lessons` again alone) and the process's peak memory (VmHWM).

The episodes' text is read from the snapshot at run time and never copied into this
repository.
"""

import argparse
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "bench" / "real"))
import scratch  # noqa: E402

import bench as real  # noqa: E402 - bench/real/bench.py: the gold's paragraphs and times

SLACK = 30.0
SAME_WORDS = 0.5
SAME_MEANING = 0.6
OUT = ROOT / "bench" / "out"


def episode_text(snapshot: Path, commit: str, episode: str) -> str:
    return real.snapshot_text(snapshot, commit, f"episodes/{episode}/transcript.md")


def gold_sentence(paras, at: str) -> str:
    stamp, _, number = at.partition("#")
    paragraph = next(p for p in reversed(paras) if p.start == real.seconds(stamp))
    return re.split(r"(?<=[.?!])\s+", paragraph.text)[int(number or 1) - 1]


def import_episode(path: Path):
    from django.core.management import call_command

    from kb.models import Video

    out = io.StringIO()
    started = time.perf_counter()
    call_command("import_video", str(path), stdout=out, stderr=io.StringIO())
    seconds = time.perf_counter() - started
    video = Video.objects.order_by("-pk").first()
    drafted = re.search(r"(\d+) lessons drafted", out.getvalue())
    return video, int(drafted.group(1)) if drafted else 0, seconds


def drafts_of(video):
    from kb.models import Lesson

    lessons = (
        Lesson.objects.filter(video=video, machine_draft=True)
        .select_related("draft_passage")
        .prefetch_related("takeaways", "suggestions")
        .order_by("start_seconds")
    )
    return [
        {
            "start": lesson.draft_passage.start_seconds,
            "end": lesson.draft_passage.end_seconds,
            "title": lesson.title,
            "takeaways": [(t.start_seconds, t.text) for t in lesson.takeaways.all()],
            "quote": next((s.text for s in lesson.suggestions.all()), ""),
        }
        for lesson in lessons
    ]


def measure(gold: dict, halves: list[str], snapshot: Path, sheet: bool) -> None:
    from kb.importers.linking import terms
    from kb.search.meaning import embed

    commit = gold["source"]["commit"]
    folder = Path(tempfile.mkdtemp(prefix="kb-drafts-"))
    for half in halves:
        episodes = gold["halves"][half]
        totals = dict(lessons=0, held=0, strict=0, takeaways=0, near=0, same=0, drafts=0,
                      drafted_takeaways=0, hours=0.0, seconds=0.0)  # fmt: skip
        lines = [f"# Drafts of the {half} half (bench/drafts.py; quotes the episodes: not "
                 "for committing)\n"]  # fmt: skip
        for episode in episodes:
            text = episode_text(snapshot, commit, episode)
            path = folder / f"{episode}.md"
            path.write_text(text, encoding="utf-8")
            video, count, seconds = import_episode(path)
            drafts = drafts_of(video)
            assert count == len(drafts), (episode, count, len(drafts))
            paras = real.paragraphs(text)
            totals["drafts"] += len(drafts)
            totals["drafted_takeaways"] += sum(len(d["takeaways"]) for d in drafts)
            totals["hours"] += video.duration_seconds / 3600
            totals["seconds"] += seconds
            lines.append(f"\n## {episode}: {len(drafts)} drafts ({seconds:.1f} s to import)\n")
            for lesson in (g for g in gold["lesson"] if g["episode"] == episode):
                a, b = (real.seconds(t) for t in lesson["span"])
                b = max(b, a + SLACK)
                covering = [
                    d for d in drafts if _overlap(d["start"], d["end"], a, b) >= (b - a) / 2
                ]
                strict = [
                    d for d in covering
                    if any(a - SLACK <= at <= b + SLACK for at, _ in d["takeaways"])
                ]  # fmt: skip
                totals["lessons"] += 1
                totals["held"] += bool(covering)
                totals["strict"] += bool(strict)
                lines.append(
                    f"\n### {lesson['id']} {lesson['span'][0]}–{lesson['span'][1]} "
                    f"{lesson['title']}: {'held' if strict else 'covered' if covering else 'MISSED'}"
                    + "".join(f"; draft {_clock(d['start'])}–{_clock(d['end'])} “{d['title']}”"
                              for d in covering) + "\n"
                )  # fmt: skip
                for n, takeaway in enumerate(lesson["takeaways"], 1):
                    at = real.sentence_time(paras, takeaway["at"])
                    sentence = gold_sentence(paras, takeaway["at"])
                    near = [
                        (t, said) for d in drafts for t, said in d["takeaways"]
                        if t is not None and abs(t - at) <= SLACK
                    ]  # fmt: skip
                    same = _says_the_same(sentence, [said for _, said in near], terms, embed)
                    totals["takeaways"] += 1
                    totals["near"] += bool(near)
                    totals["same"] += same
                    lines.append(
                        f"- {lesson['id']}.{n} at {_clock(at)} ({'proxy: same' if same else 'near' if near else 'none near'}): "
                        f"gold “{takeaway['text']}” — said: “{sentence}”\n"
                    )  # fmt: skip
                    lines += [f"    - {_clock(t)} {said}\n" for t, said in near]
            lines.append("\n#### Every draft\n")
            for d in drafts:
                lines.append(f"- {_clock(d['start'])}–{_clock(d['end'])} **{d['title']}**\n")
                lines += [f"    - {_clock(t)} {said}\n" for t, said in d["takeaways"]]
                lines.append(f"    - quote: {d['quote']}\n")
        report(half, totals)
        if sheet:
            OUT.mkdir(parents=True, exist_ok=True)
            (OUT / f"drafts-{half}.md").write_text("".join(lines), encoding="utf-8")
            print(f"  sheet: {OUT / f'drafts-{half}.md'}")


def _says_the_same(sentence: str, said: list[str], terms, embed) -> bool:
    """The mechanical proxy: a draft takeaway holding half the gold sentence's content
    words, or close to it in meaning."""
    if not said:
        return False
    wanted = set(terms(sentence))
    vectors = embed([sentence, *said])
    return any(
        (wanted and len(wanted & set(terms(text))) / len(wanted) >= SAME_WORDS)
        or float(vectors[0] @ vector) >= SAME_MEANING
        for text, vector in zip(said, vectors[1:], strict=True)
    )


def report(half: str, t: dict) -> None:
    share = real.share
    print(f"\n{half} half: {t['lessons']} gold lessons, {t['takeaways']} gold takeaways")
    print("| half | gold lessons held (strict) | covered | gold takeaways with a draft "
          "takeaway within 30 s | of them saying the same (proxy) | drafts | drafts an hour "
          "| takeaways a draft | import s an hour |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|")
    print(
        f"| {half} | {share(t['strict'], t['lessons'])} | {share(t['held'], t['lessons'])} | "
        f"{share(t['near'], t['takeaways'])} | {share(t['same'], t['takeaways'])} | "
        f"{t['drafts']} | {t['drafts'] / t['hours']:.1f} | "
        f"{t['drafted_takeaways'] / max(t['drafts'], 1):.1f} | {t['seconds'] / t['hours']:.1f} |"
    )


def _overlap(a: float, b: float, c: float, d: float) -> float:
    return max(0.0, min(b, d) - max(a, c))


def _clock(seconds: float) -> str:
    return real.moments.timecode(seconds)


def time_one(snapshot: Path, commit: str, episode: str) -> None:
    """In this (fresh) process: import one episode, then draft it again alone; print the
    times and the peak memory as JSON."""
    from django.core.management import call_command

    text = episode_text(snapshot, commit, episode)
    path = Path(tempfile.mkdtemp(prefix="kb-drafts-")) / f"{episode}.md"
    path.write_text(text, encoding="utf-8")
    video, count, seconds = import_episode(path)
    started = time.perf_counter()
    call_command("draft_lessons", video.slug, stdout=io.StringIO())
    drafting = time.perf_counter() - started
    status = Path("/proc/self/status").read_text()
    peak = int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024
    print(json.dumps({
        "episode": episode, "minutes": round(video.duration_seconds / 60),
        "segments": video.segments.count(), "drafts": count, "import_s": round(seconds, 2),
        "draft_lessons_s": round(drafting, 2), "peak_mb": round(peak),
    }))  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--snapshot", default=os.environ.get("LENNY_SNAPSHOT", ""))
    parser.add_argument("--half", choices=("held", "tune", "both"), default="held")
    parser.add_argument("--sheet", action="store_true", help="write bench/out/drafts-HALF.md")
    parser.add_argument("--time", metavar="EPISODE", help="time drafting one long episode")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    gold = tomllib.loads(real.GOLD.read_text(encoding="utf-8"))
    snapshot = Path(args.snapshot) if args.snapshot else None
    if snapshot is None or not snapshot.is_dir():
        sys.exit("no snapshot: give the archive's git directory with --snapshot DIR or "
                 "LENNY_SNAPSHOT=DIR (see bench/real/README.md)")  # fmt: skip
    scratch.setup("kb-drafts-")
    if args.time and args.child:
        time_one(snapshot, gold["source"]["commit"], args.time)
        return
    if args.time:
        # A process of its own: its peak memory is the drafting's, not this bench's.
        result = subprocess.run(
            [sys.executable, __file__, "--snapshot", str(snapshot), "--time", args.time,
             "--child"], capture_output=True, text=True, check=True,
        )  # fmt: skip
        print(result.stdout.strip().splitlines()[-1])
        return
    halves = ["held", "tune"] if args.half == "both" else [args.half]
    print(f"Snapshot {gold['source']['repo']} at {gold['source']['commit'][:12]}")
    measure(gold, halves, snapshot, args.sheet)


if __name__ == "__main__":
    main()
