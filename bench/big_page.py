"""Write a big summary page for import benchmarks: a page's transcript said N times over.

    .venv/bin/python bench/big_page.py PAGE N > big.txt

Each chapter's words repeat N times and every time (chapter starts, the video's length)
is stretched N times, so the page stays valid and its speech pace unchanged.
"""

import re
import sys

from kb.timecodes import format_timecode

MARKER = re.compile(r"## ([^\[\n]+)\[(\d+(?::\d\d)+)\]")
HEADER_LENGTH = re.compile(r"(• )(\d+(?::\d\d)+)( minutes)")


def stretch(text: str, n: int) -> str:
    first = MARKER.search(text)
    head, transcript = text[: first.start()], text[first.start() :]
    head = HEADER_LENGTH.sub(
        lambda m: m[1] + format_timecode(parse(m[2]) * n) + m[3], head, count=1
    )
    pieces = MARKER.split(transcript)  # "", title, time, words, title, time, words...
    out = []
    for title, time, words in zip(pieces[1::3], pieces[2::3], pieces[3::3], strict=True):
        out.append(f"## {title}[{format_timecode(parse(time) * n)}]")
        out.append((" " + words.strip()) * n + " ")
    return head + "".join(out)


def parse(time: str) -> int:
    seconds = 0
    for part in time.split(":"):
        seconds = seconds * 60 + int(part)
    return seconds


if __name__ == "__main__":
    sys.stdout.write(stretch(open(sys.argv[1], encoding="utf-8").read(), int(sys.argv[2])))
