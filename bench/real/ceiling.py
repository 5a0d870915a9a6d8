"""How well could a takeaway be placed if its lesson's passage were known? An upper bound
for the moments of bench/real/bench.py (issue 37), on the same gold and snapshot.

    .venv/bin/python bench/real/ceiling.py --snapshot DIR [--margin 30] [--run 20]

For each gold lesson, the timed captions of its episode (as bench.py writes them) are cut
into runs of about `--run` words, one starting at each cue, and only the runs starting in
the lesson's gold passage (± `--margin` seconds) are candidates: the passage is given, as
no linker knows it. Each takeaway goes to the run that matches it best, by words (BM25, as
kb/importers/linking.py scores windows), by meaning (the import's sentence model), or by
both (meaning + 0.2 × words scaled to the best run); "in order" places a lesson's
takeaways together so that each comes no earlier than the one before it (the best such
sequence, by dynamic programming). A hit is a run starting within 15 s of the gold
sentence, as in bench.py. Both halves are printed: nothing here was tuned.
"""

import argparse
import os
import sys
import tomllib
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench as real  # noqa: E402 - bench/real/bench.py: the gold, pages and captions

sys.path.insert(0, str(real.ROOT))
from kb import sentence_model  # noqa: E402
from kb.importers import linking  # noqa: E402
from kb.importers.captions import parse_vtt  # noqa: E402
from kb.importers.documents import Segment  # noqa: E402

WORDS_SHARE = 0.2


def in_order(scores: np.ndarray) -> list[int]:
    """Per row (takeaway), a column (run), non-decreasing, maximising the total."""
    rows, cols = scores.shape
    total, back = scores[0].copy(), np.zeros((rows, cols), dtype=int)
    for r in range(1, rows):
        best_at = np.zeros(cols, dtype=int)
        for c in range(1, cols):
            best_at[c] = c if total[c] >= total[best_at[c - 1]] else best_at[c - 1]
        back[r] = best_at
        total = scores[r] + total[best_at]
    path = [int(total.argmax())]
    for r in range(rows - 1, 0, -1):
        path.append(int(back[r][path[-1]]))
    return path[::-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--snapshot", default=os.environ.get("LENNY_SNAPSHOT", ""))
    parser.add_argument("--margin", type=float, default=30.0)
    parser.add_argument("--run", type=int, default=20)
    args = parser.parse_args()
    gold = tomllib.loads(real.GOLD.read_text(encoding="utf-8"))
    snapshot = Path(args.snapshot)
    if not snapshot.is_dir():
        sys.exit("give the snapshot's git directory with --snapshot DIR (see bench/real/README.md)")
    print(f"Passage given ± {args.margin:.0f} s, runs of {args.run} words, exact captions\n")
    print("| half | takeaways | words | meaning | both | both, in order |")
    print("|---|---|---|---|---|---|")
    for half in ("held", "tune"):
        hits, count = dict.fromkeys(("words", "meaning", "both", "order"), 0), 0
        for episode in gold["halves"][half]:
            lessons = [g for g in gold["lesson"] if g["episode"] == episode]
            text = real.snapshot_text(
                snapshot, gold["source"]["commit"], f"episodes/{episode}/transcript.md"
            )
            paras = real.paragraphs(text)
            cues = parse_vtt(real.captions(paras))
            segments = [Segment(0, c.start_seconds, c.end_seconds, c.text, True) for c in cues]
            runs = []  # (start, text, last segment)
            for first in range(len(segments)):
                words, last = [], first
                while last < len(segments) and len(words) < args.run:
                    words += segments[last].text.split()
                    last += 1
                runs.append((segments[first].start_seconds, " ".join(words), last - 1))
            vectors = sentence_model.embed([r[1] for r in runs])
            index = linking.ChapterIndex([("", " ".join(s.text for s in segments))], segments)
            for lesson in lessons:
                low = real.seconds(lesson["span"][0]) - args.margin
                high = real.seconds(lesson["span"][1]) + args.margin
                candidates = [n for n, r in enumerate(runs) if low <= r[0] <= high]
                said = [real.sentence_time(paras, t["at"]) for t in lesson["takeaways"]]
                texts = [t["text"] for t in lesson["takeaways"]]
                meaning = vectors[candidates] @ sentence_model.embed(texts).T  # runs x takeaways
                both = []
                for k, text in enumerate(texts):
                    query = linking.query_terms((text, 1.0))
                    words = np.array(
                        [sum(index.segment_scores(query, n, runs[n][2])) for n in candidates]
                    )
                    scaled = words / words.max() if words.max() > 0 else words
                    both.append(meaning[:, k] + WORDS_SHARE * scaled)
                    for name, score in (("words", words), ("meaning", meaning[:, k])):
                        start = runs[candidates[int(score.argmax())]][0]
                        hits[name] += abs(start - said[k]) <= real.TAKEAWAY_SLACK
                    start = runs[candidates[int(both[-1].argmax())]][0]
                    hits["both"] += abs(start - said[k]) <= real.TAKEAWAY_SLACK
                for k, column in enumerate(in_order(np.array(both))):
                    start = runs[candidates[column]][0]
                    hits["order"] += abs(start - said[k]) <= real.TAKEAWAY_SLACK
                count += len(texts)
        cells = " | ".join(
            real.share(hits[k], count) for k in ("words", "meaning", "both", "order")
        )
        print(f"| {half} | {count} | {cells} |")


if __name__ == "__main__":
    main()
