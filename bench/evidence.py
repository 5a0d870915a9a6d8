"""Measure the evidence: do takeaways land in their lesson's chapter, and how far are
estimated moments from the exact ones a timed transcript gives?

    .venv/bin/python bench/evidence.py

Plain Python over the importer (no database). Results go in a dated file under
bench/results/, cited from docs/quality.md.
"""

import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kb.importers.analysis import parse_page  # noqa: E402
from kb.importers.captions import parse_captions  # noqa: E402
from kb.importers.documents import Segment  # noqa: E402
from kb.importers.linking import WordTimeline, reanchor  # noqa: E402

SEED = ROOT.parent / "shared" / "seeds" / "deep-summary-staff-eng-at-meta.txt"
PAGES = [
    SEED,
    ROOT / "samples" / "support-desk-to-engineering-manager.txt",
    ROOT / "samples" / "shipping-small.txt",
]
TIMED = (
    ROOT / "samples" / "shipping-small.txt",
    ROOT / "samples" / "shipping-small-lessons-from-a-decade-of-startups.vtt",
)


def takeaway_share(path: Path) -> tuple[int, int]:
    parsed = parse_page(path.read_text(encoding="utf-8"))
    total = inside = 0
    for link, evidence in zip(parsed.links, parsed.evidence, strict=True):
        for moment in evidence.takeaways:
            total += 1
            inside += bool(moment and link and moment.chapter == link.chapter)
    return inside, total


def estimate_error(page_path: Path, vtt_path: Path) -> dict:
    parsed = parse_page(page_path.read_text(encoding="utf-8"))
    cues = parse_captions(vtt_path.read_text(encoding="utf-8"), "vtt")
    estimated = WordTimeline(parsed.segments)
    exact = WordTimeline(
        [Segment(None, c.start_seconds, c.end_seconds, c.text, True) for c in cues]
    )
    moments = [link.start_seconds for link in parsed.links if link]
    moments += [m.start_seconds for e in parsed.evidence for m in e.takeaways if m]
    errors = []
    for seconds in moments:
        found = reanchor(estimated, exact, seconds)
        if found is not None:
            errors.append(abs(found - seconds))
    same_words = estimated.words == exact.words
    word_errors = (
        [abs(a - b) for a, b in zip(estimated.times, exact.times, strict=False)]
        if same_words
        else []
    )
    return {
        "moments": len(moments),
        "found": len(errors),
        "mean": statistics.mean(errors),
        "median": statistics.median(errors),
        "max": max(errors),
        "word_mean": statistics.mean(word_errors) if word_errors else None,
        "word_max": max(word_errors) if word_errors else None,
    }


def main() -> None:
    print("takeaways landing in their lesson's chapter:")
    for path in PAGES:
        if not path.exists():
            print(f"  {path.name}: not here (skipped)")
            continue
        inside, total = takeaway_share(path)
        print(f"  {path.name}: {inside}/{total} ({inside / total:.0%})")
    result = estimate_error(*TIMED)
    print(f"estimated vs exact moments ({TIMED[1].name}):")
    print(
        f"  {result['found']}/{result['moments']} moments found again; "
        f"error mean {result['mean']:.1f} s, median {result['median']:.1f} s, "
        f"max {result['max']:.1f} s"
    )
    if result["word_mean"] is not None:
        print(f"  every word: mean {result['word_mean']:.1f} s, max {result['word_max']:.1f} s")


if __name__ == "__main__":
    main()
