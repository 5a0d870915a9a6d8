"""Share cards: the time and peak memory of drawing one card, for normal and absurd text.

    .venv/bin/python bench/cards.py [--runs 3]

Each case runs in its own process (so its peak memory is its own) and draws the card the
way `/…/card.png` does on a cache miss (kb.cards.draw: layout and PNG). A card's cost should
not depend on how long the text behind it is. Nothing here runs in CI.
"""

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SENTENCE = "Write your decisions down, because nobody remembers why they chose what they chose. "
WORDS = "Incomprehensibilities notwithstanding, every engineer should keep a log ".split()


def text_of(chars: int) -> str:
    return (SENTENCE * (chars // len(SENTENCE) + 1))[:chars]


def description(words: int) -> str:
    return " ".join(WORDS[n % len(WORDS)] for n in range(words))


def cases():
    """Each card's fields; the card is made inside the timing, as a view makes it."""
    byline, video, moment = "Jane Doe", "Staff Engineering: the path beyond senior", "▶ 52:45"
    return {
        "quote, 200 characters": ("Quote", text_of(200), byline, video, moment, True),
        "quote, 40,000 characters": ("Quote", text_of(40_000), byline, video, moment, True),
        "quote, 160,000 characters": ("Quote", text_of(160_000), byline, video, moment, True),
        "quote, one 160,000-character word": ("Quote", "W" * 160_000, byline, video, moment),
        "lesson, 160,000-character title and byline": (
            "Lesson",
            text_of(160_000),
            text_of(160_000),
            text_of(160_000),
            moment,
        ),
        "theme, 20-word description": ("Theme", "Writing", "3 lessons", description(20)),
        "theme, 1,000-word description": ("Theme", "Writing", "3 lessons", description(1000)),
        "person, 1,000-word bio": ("Person", "Jane Doe", "3 lessons", description(1000)),
    }


def one(name: str, runs: int) -> None:
    from kb import cards

    fields = cases()[name]
    times = []
    for _ in range(runs):
        cards._font.cache_clear()  # each run loads its fonts, as a fresh worker would
        start = time.perf_counter()
        png = cards.draw(cards.Card(*fields))
        times.append(time.perf_counter() - start)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "median": statistics.median(times),
                "worst": max(times),
                "peak_kb": peak_kb,
                "bytes": len(png),
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--case")
    args = parser.parse_args()
    if args.case:
        return one(args.case, args.runs)
    print(f"\n{args.runs} runs each, kb.cards.draw (layout and PNG), one process per case\n")
    print("| card | median s | worst s | peak memory MB | PNG KB |")
    print("|---|---:|---:|---:|---:|")
    for name in cases():
        done = subprocess.run(
            [sys.executable, __file__, "--case", name, "--runs", str(args.runs)],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
        got = json.loads(done.stdout)
        print(
            f"| {name} | {got['median']:.2f} | {got['worst']:.2f} | "
            f"{got['peak_kb'] / 1024:.0f} | {got['bytes'] / 1024:.0f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
