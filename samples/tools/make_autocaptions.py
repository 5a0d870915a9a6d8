"""Write a YouTube-style auto-caption WebVTT for a sample from its chapter texts.

    python samples/tools/make_autocaptions.py samples/tools/shipping-small-chapters.txt \
        > samples/shipping-small-lessons-from-a-decade-of-startups.vtt

Each chapter is spoken at its own pace with a few pauses (so estimated moments drift
from the real ones, as they do in life); cues roll two lines as YouTube's do, with
inline word timings and 10 ms cues that repeat the last line. Prints the chapter starts
(for the summary page) on stderr.
"""

import random
import sys

WORDS_PER_SECOND = [3.1, 3.9, 3.4, 2.8, 3.6]
WORDS_PER_LINE = 8


def timestamp(seconds: float) -> str:
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{int(hours):02d}:{int(minutes):02d}:{secs:06.3f}"


def spoken_words(
    chapters: list[tuple[str, str]],
) -> tuple[list[tuple[float, str]], list[int], float]:
    rng = random.Random(7)
    words, starts, clock = [], [], 0.0
    for n, ((_, text), rate) in enumerate(zip(chapters, WORDS_PER_SECOND, strict=False)):
        start = 0 if n == 0 else int(clock) + 1
        starts.append(start)
        clock = start + (0.4 if n == 0 else 0.3)
        for word in text.split():
            words.append((clock, word))
            clock += rng.uniform(0.6, 1.4) / rate
            if rng.random() < 0.04:
                clock += rng.uniform(0.5, 1.5)
        clock += 1.0
    return words, starts, clock


def main(path: str) -> None:
    with open(path, encoding="utf-8") as source:
        chapters = [tuple(line.split("|", 1)) for line in source.read().strip().split("\n")]
    words, starts, end = spoken_words(chapters)
    lines = [words[i : i + WORDS_PER_LINE] for i in range(0, len(words), WORDS_PER_LINE)]
    out = ["WEBVTT", "Kind: captions", "Language: en", ""]
    previous = " "
    for n, line in enumerate(lines):
        start = line[0][0]
        following = lines[n + 1][0][0] if n + 1 < len(lines) else end
        timed = line[0][1] + "".join(f"<{timestamp(t)}><c> {w}</c>" for t, w in line[1:])
        plain = " ".join(w for _, w in line)
        out += [f"{timestamp(start)} --> {timestamp(following)} align:start position:0%"]
        out += [previous, timed, ""]
        repeat_at = max(following - 0.01, start)
        out += [f"{timestamp(repeat_at)} --> {timestamp(following)} align:start position:0%"]
        out += [plain, " ", ""]
        previous = plain
    print("\n".join(out))
    print("chapter starts:", starts, "end:", round(end, 1), file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1])
