"""What the sentence model costs an import: the seed page (a two-hour talk's Deep Summary)
imported into an empty database, themes by the sentence model or, with --static, by the
search's static model as before. Run each under a timer that reports peak memory:

    /usr/bin/time -v .venv/bin/python bench/sentence_model_cost.py
    /usr/bin/time -v .venv/bin/python bench/sentence_model_cost.py --static
"""

import argparse
import io
import sys
import time
from pathlib import Path

import scratch

SEED = Path(__file__).resolve().parents[2] / "shared/seeds/deep-summary-staff-eng-at-meta.txt"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--static", action="store_true", help="themes by the static model")
    parser.add_argument("--page", type=Path, default=SEED)
    args = parser.parse_args()
    scratch.setup("kb-sentence-cost-")
    from django.core.management import call_command

    from kb import sentence_model
    from kb.models import Lesson

    if args.static:
        sentence_model.available = lambda: False
    started = time.perf_counter()
    call_command("import_video", str(args.page), stdout=io.StringIO())
    took = time.perf_counter() - started
    themed = Lesson.objects.filter(tags__isnull=False).distinct().count()
    print(f"import {took:.2f} s; {Lesson.objects.count()} lessons, {themed} with a theme",
          file=sys.stderr)  # fmt: skip


if __name__ == "__main__":
    main()
