"""Benchmark: does `suggest_insights` propose the advice our sample talks share, and only
that? Precision and recall on samples/, and the time at the million-line scale.

    .venv/bin/python bench/insights.py [--show]
    .venv/bin/python bench/insights.py --scale bench/out/search.sqlite3

The eight sample talks (written by us) overlap on purpose: three were written to agree
with the first five on some advice and to contradict them on other advice. The overlaps
an editor would turn into insights (GOLD, DIFFER) were written down with the talks,
before the first run. Each sample is imported into an empty SQLite database as
`make run` loads them, then proposals are computed.

- An agreement proposal is right when its lessons, but at most one, belong to one GOLD
  group (ALSO lists members an editor would keep too) and come from two videos or more:
  an editor accepts it, maybe removing one lesson. A GOLD group is found when a right
  proposal covers two of its videos.
- A disagreement proposal is right when its two lessons are a DIFFER pair.

With --scale, times `suggest_insights --dry-run` on an existing benchmark database
(bench/search.py makes one) and reports its peak memory.
"""

import argparse
import io
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
import scratch  # noqa: E402

# Lesson slugs as the samples import them. Each group: advice two videos or more give.
GOLD = {
    "a management trial with a way back": {
        "treat-management-as-a-six-month-experiment",
        "manager-or-ic",
        "agree-on-a-trial-period-with-a-way-back",
    },
    "one person leads an incident": {
        "name-an-incident-lead-in-the-first-minutes",
        "one-person-leads-every-incident",
    },
    "write the incident timeline as it happens": {
        "name-an-incident-lead-in-the-first-minutes",
        "on-call-incidents-staying-calm-when-5-minutes-matter",
        "write-the-timeline-while-it-happens",
    },
    "a rotation of five or more, fewer alerts": {
        "burnout-is-a-rotation-problem",
        "share-the-pager-with-another-team",
    },
    "ship behind feature flags": {
        "feature-flags-from-the-first-commit",
        "put-every-feature-behind-a-flag",
    },
    "every yes is a no to something else": {
        "every-yes-is-a-no-to-something-else",
        "guard-your-calendar-by-saying-no",
    },
    "keep a written record of your wins": {
        "keep-a-brag-document",
        "keep-a-running-list-of-your-wins",
    },
    "one page for every big decision": {
        "keep-a-decision-log",
        "staff-work-is-influence-on-a-few-problems",
    },
    "a manager stays technical": {
        "keep-coding-a-little-every-sprint",
        "manager-or-ic",
    },
    "small, reversible steps": {
        "becoming-a-tech-lead",
        "what-id-tell-my-younger-self",
    },
    "don't stay stuck alone": {
        "escalate-early",
        "ask-for-help-after-thirty-minutes",
    },
}
# Members an editor would also keep in a group's insight (not needed to find it).
ALSO = {
    "keep a written record of your wins": {
        "starting-from-the-support-desk",
        "advice-for-career-switchers",
    },
    "every yes is a no to something else": {"staff-work-is-influence-on-a-few-problems"},
    "small, reversible steps": {"small-batches-win-on-feedback-review-morale"},
    "one person leads an incident": {"write-the-timeline-while-it-happens"},
    "write the incident timeline as it happens": {"one-person-leads-every-incident"},
}
# Pairs of lessons whose advice is opposed (the second set: also acceptable partners).
DIFFER = [
    ({"keep-coding-a-little-every-sprint"}, {"treat-management-as-a-six-month-experiment"}),
    (
        {"try-for-an-hour-before-you-wake-anyone"},
        {"escalate-early", "ask-for-help-after-thirty-minutes"},
    ),
    ({"sometimes-the-big-rewrite-is-right"}, {"say-no-to-the-big-rewrite"}),
    ({"manager-or-ic"}, {"treat-management-as-a-six-month-experiment"}),
]
REQUIRED_DIFFER = 3  # the first three pairs were planted; the fourth is acceptable


def judge(proposals, video_of):
    """(right agreement proposals, groups found, right disagreements, pairs found)."""
    right, found = [], set()
    for proposal in (p for p in proposals if p.kind == "agree"):
        members = set(proposal.slugs)
        for name, group in GOLD.items():
            accepted = group | ALSO.get(name, set())
            inside = members & accepted
            if len(members - accepted) <= 1 and len({video_of[s] for s in inside}) >= 2:
                right.append(proposal)
                if len({video_of[s] for s in members & group}) >= 2:
                    found.add(name)
                break
    right_differ, pairs = [], set()
    for proposal in (p for p in proposals if p.kind == "differ"):
        a, b = proposal.slugs[:2]
        for n, (first, second) in enumerate(DIFFER):
            if (a in first and b in second) or (b in first and a in second):
                right_differ.append(proposal)
                pairs.add(n)
                break
    return right, found, right_differ, pairs


def share(n: int, d: int) -> str:
    return f"{n}/{d} ({100 * n / max(d, 1):.0f}%)"


def samples(show: bool) -> None:
    scratch.setup("kb-insights-")
    from django.core.management import call_command

    from kb import insights
    from kb.models import Lesson

    call_command("load_samples", stdout=io.StringIO())
    video_of = dict(Lesson.objects.values_list("slug", "video_id"))
    proposals = insights.propose()
    right, found, right_differ, pairs = judge(proposals, video_of)
    agree = [p for p in proposals if p.kind == "agree"]
    differ = [p for p in proposals if p.kind == "differ"]
    planted = sum(1 for n in pairs if n < REQUIRED_DIFFER)
    print(f"{len(video_of)} lessons in {len(set(video_of.values()))} videos")
    print(
        "| proposals | made | precision (an editor accepts) | recall (planted overlaps proposed) |"
    )
    print("|---|---|---|---|")
    print(
        f"| several guests agree | {len(agree)} | {share(len(right), len(agree))} | {share(len(found), len(GOLD))} |"
    )
    print(
        f"| guests may disagree | {len(differ)} | {share(len(right_differ), len(differ))} | {share(planted, REQUIRED_DIFFER)} |"
    )
    # As imports make them: around one video at a time (each import looks only around
    # the videos it wrote), every distinct proposal over the eight.
    around, seen = [], set()
    for video_id in sorted(set(video_of.values())):
        for p in insights.propose(videos=[video_id]):
            if p.signature not in seen:
                seen.add(p.signature)
                around.append(p)
    right_a, found_a, right_differ_a, pairs_a = judge(around, video_of)
    agree_a = [p for p in around if p.kind == "agree"]
    differ_a = [p for p in around if p.kind == "differ"]
    print(
        f"| agree, around one video at a time | {len(agree_a)} | {share(len(right_a), len(agree_a))} | {share(len(found_a), len(GOLD))} |"
    )
    print(
        f"| disagree, around one video at a time | {len(differ_a)} | {share(len(right_differ_a), len(differ_a))} | {share(sum(1 for n in pairs_a if n < REQUIRED_DIFFER), REQUIRED_DIFFER)} |"
    )
    if show:
        for p in proposals:
            mark = "ok " if p in right or p in right_differ else "-- "
            print(f"  {mark}{p.kind} {p.score:.2f} {' '.join(p.slugs)}: {p.title}")


def scale(database: str) -> None:
    import os

    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_DEBUG="1",
        DATABASE_URL=f"sqlite:///{Path(database).resolve()}",
    )
    import django

    django.setup()
    from django.core.management import call_command

    from kb.models import Lesson
    from kb.search import meaning

    meaning.embed(["load the model first"])
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    out = io.StringIO()
    call_command("suggest_insights", dry_run=True, stdout=out)
    took = time.perf_counter() - started
    lines = out.getvalue().count("proposal: ")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"suggest_insights --dry-run over {Lesson.objects.count():,} lessons: {took:.1f} s, "
        f"{lines} proposals; peak memory of the process {peak:.0f} MB "
        f"({before:.0f} MB with Django and the model loaded before it ran)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--show", action="store_true", help="print every proposal")
    parser.add_argument("--scale", metavar="SQLITE_FILE", help="time it on a benchmark database")
    args = parser.parse_args()
    if args.scale:
        scale(args.scale)
    else:
        samples(args.show)


if __name__ == "__main__":
    main()
