"""Make a YouTube-style auto-caption VTT for samples/shipping-small.vtt from chapter texts."""

import random
import sys

random.seed(7)
chapters = [l.split("|") for l in open(sys.argv[1]).read().strip().split("\n")]
rates = [3.1, 3.9, 3.4, 2.8, 3.6]  # words per second differ per chapter: estimates drift from truth
t = 0.6
words = []
starts = []
for (title, text), rate in zip(chapters, rates):
    starts.append(int(t) if not starts else int(t) + 1)
    if len(starts) > 1:
        t = float(starts[-1]) + 0.3
    else:
        t = 0.0
        starts[0] = 0
        t = 0.4
    for w in text.split():
        words.append((t, w))
        t += random.uniform(0.6, 1.4) / rate
        if random.random() < 0.04:
            t += random.uniform(0.5, 1.5)  # pauses
    t += 1.0
end = t


def ts(x):
    h = int(x // 3600)
    m = int(x % 3600 // 60)
    s = x % 60
    return f"{h:02d}:{m:02d}:{s:06.3f}"


out = ["WEBVTT", "Kind: captions", "Language: en", ""]
lines = [words[i : i + 8] for i in range(0, len(words), 8)]
prev = ""
for n, line in enumerate(lines):
    start = line[0][0]
    nxt = lines[n + 1][0][0] if n + 1 < len(lines) else end
    first = f"{line[0][1]}" + "".join(f"<{ts(tw)}><c> {w}</c>" for tw, w in line[1:])
    out.append(f"{ts(start)} --> {ts(nxt)} align:start position:0%")
    out.append(prev if prev else " ")
    out.append(first)
    out.append("")
    plain = " ".join(w for _, w in line)
    out.append(
        f"{ts(nxt - 0.01 if nxt - 0.01 > start else nxt)} --> {ts(nxt)} align:start position:0%"
    )
    out.append(plain)
    out.append(" ")
    out.append("")
    prev = plain
print("\n".join(out))
print(starts, end, file=sys.stderr)
