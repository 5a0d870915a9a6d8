"""Write our word-by-word talks (bench/talks/*.talk) as sample documents: each talk's
summary page and its timed captions, as `make run` loads them.

    .venv/bin/python samples/tools/make_talk_samples.py

The talks are ours (written for bench/moments.py); their advice overlaps the other
samples' on purpose (asking for help, on-call, manager or IC), so that advice can be
compared across guests.
"""

import sys
from pathlib import Path

from django.utils.text import slugify

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))
import moments  # noqa: E402 - bench/moments.py

SAMPLES = ROOT / "samples"


def main() -> None:
    for path in sorted(moments.TALKS.glob("*.talk")):
        talk = moments.read_talk(path)
        slug = slugify(talk.fields["title"])[:80].strip("-")
        (SAMPLES / f"{path.stem}.txt").write_text(moments.summary_page(talk), encoding="utf-8")
        cased = talk.fields.get("captions") == "cased"
        (SAMPLES / f"{slug}.vtt").write_text(moments.vtt(talk, cased), encoding="utf-8")
        print(f"samples/{path.stem}.txt, samples/{slug}.vtt")


if __name__ == "__main__":
    main()
