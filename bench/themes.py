"""Benchmark: are the themes an import gives lessons the right ones, on talks from
careers other than software? Precision and recall, themes applied and themes suggested.

    .venv/bin/python bench/themes.py [--show]

The talks (bench/careers/*.talk, written by us) are a nurse, a teacher, an accountant, a
lawyer and a shop manager on their careers. Each lesson's right themes (GOLD, from the
starting vocabulary) were decided before the first run; the first two talks are the
tuning half, the last three were set aside and run last. Each talk's summary page is
imported into an empty SQLite database, as an editor would import it (no --publish).

- applied: the themes the lesson is tagged with (readers see them once it is published);
- suggested: those, plus the themes offered to editors in the admin (not applied).

Precision: of the themes given, how many are right; recall: of the right ones, how many
were given. With --editors, an editor first files the tuning half's lessons under their
right themes (as the admin would), and the held half is imported after: what editors'
tagging teaches the importer. Results go in a dated file under bench/results/, cited
from docs/quality.md#themes.
"""

import argparse
import io
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CAREERS = ROOT / "bench" / "careers"
sys.path.insert(0, str(ROOT))
import moments  # noqa: E402 - bench/moments.py, beside this script
import scratch  # noqa: E402

SPLITS = {
    "tune": ["nurse-to-product", "teacher-to-ux"],
    "held": ["accountant-to-data", "lawyer-to-founder", "retail-to-engineer"],
}

GOLD = {
    # nurse-to-product
    "Leaving Nursing to Build Better Tools": {"career switch"},
    "A Bootcamp Is a Start, Not a Finish": {"career switch", "learning"},
    "Clinical Judgement Is Product Judgement": {"career switch"},
    "Winning Over People You Do Not Manage": {"influence"},
    "Sit With the People Who Do the Work": {"learning"},
    "Guard Your Sleep": {"work-life balance"},
    # teacher-to-ux
    "Leaving Teaching Before It Broke Me": {"career switch", "work-life balance"},
    "Show a Portfolio, Not a Certificate": {"interviewing", "career switch"},
    "Your Old Job Is Research Experience": {"career switch"},
    "A Friday Review With Someone Senior": {"mentoring", "relationships"},
    "Ask What the Acronyms Mean": {"asking for help"},
    # accountant-to-data
    "Learn SQL With Your Own Questions": {"learning", "career switch"},
    "Fail an Interview, Then Study It": {"interviewing", "resilience"},
    "Lead With What It Is Worth": {"impact"},
    "Automate the Crunch Away": {"work-life balance"},
    "A Manager Who Asks Why": {"mentoring"},
    # lawyer-to-founder
    "Leaving Law to Found a Company": {"career switch", "startups"},
    "Your Clients Are Your Network": {"relationships", "startups"},
    "Give Your First Hires Whole Areas": {"leadership", "startups"},
    "A Lost Deal Is Information": {"resilience", "startups"},
    "Negotiate by Listening": {"influence"},
    # retail-to-engineer
    "Retail Is Software Problems in Disguise": {"career switch"},
    "Choosing to Be an Individual Contributor Again": {"management vs IC", "career switch"},
    "Bootcamp Friends Are Your First Network": {"relationships", "career switch"},
    "Build One Small Thing Every Week": {"learning"},
    "Thirty Minutes, Then Ask": {"asking for help"},
}


def rates(given: list[set], gold: list[set]) -> str:
    right = sum(len(g & r) for g, r in zip(given, gold, strict=True))
    total_given, total_gold = sum(map(len, given)), sum(map(len, gold))
    precision = f"{right}/{total_given} ({100 * right / max(total_given, 1):.0f}%)"
    recall = f"{right}/{total_gold} ({100 * right / max(total_gold, 1):.0f}%)"
    return f"{precision} | {recall}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--show", action="store_true", help="print each lesson's themes")
    parser.add_argument("--editors", action="store_true", help="editors tag the tuning half first")
    args = parser.parse_args()
    scratch.setup("kb-themes-")
    from django.core.management import call_command

    from kb.models import Lesson, Theme

    pages = Path(tempfile.mkdtemp(prefix="kb-careers-"))
    for split, stems in SPLITS.items():
        for stem in stems:
            page = pages / f"{stem}.txt"
            page.write_text(moments.summary_page(moments.read_talk(CAREERS / f"{stem}.talk")))
            call_command("import_video", str(page), stdout=io.StringIO())
        if split == "tune" and args.editors:
            for lesson in Lesson.objects.all():
                lesson.tags.set(Theme.objects.filter(name__in=GOLD[lesson.title]))
    lessons = {
        lesson.title: lesson
        for lesson in Lesson.objects.prefetch_related("tags", "theme_suggestions__theme")
    }
    print("| split | lessons | applied: precision | recall | suggested too: precision | recall |")
    print("|---|---|---|---|---|---|")
    for split, stems in SPLITS.items():
        titles = [
            lesson.title
            for stem in stems
            for lesson in moments.read_talk(CAREERS / f"{stem}.talk").lessons
        ]
        applied = [{t.name for t in lessons[title].tags.all()} for title in titles]
        offered = [
            {s.theme.name for s in lessons[title].theme_suggestions.all() if s.is_open}
            for title in titles
        ]
        gold = [GOLD[title] for title in titles]
        both = [a | o for a, o in zip(applied, offered, strict=True)]
        print(f"| {split} | {len(titles)} | {rates(applied, gold)} | {rates(both, gold)} |")
        if args.show:
            for title, a, o, g in zip(titles, applied, offered, gold, strict=True):
                print(f"    {title}: applied {sorted(a)} suggested {sorted(o)} right {sorted(g)}")


if __name__ == "__main__":
    main()
