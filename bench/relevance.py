"""Benchmark: do readers' own words find the right moment? Words, meaning, and both.

    .venv/bin/python bench/relevance.py [--show]

Reader phrasings of what the seed's and our samples' chapters discuss, in words their
speakers mostly did not use, each with the chapters that answer it (gold). Written
before any tuning; the "held" half was set aside and looked at last. A query is a hit
when a lesson or a transcript moment from a gold chapter is among the first five of
either list, as /search/ shows them; "rrf" merges the words and meaning lists by
reciprocal-rank fusion instead, for comparison. Results go in a dated file under
bench/results/, cited from docs/search.md#how-often-a-readers-phrasing-finds-its-answer.
"""

import argparse
import io
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT.parent / "shared" / "seeds" / "deep-summary-staff-eng-at-meta.txt"
sys.path.insert(0, str(ROOT))
import scratch  # noqa: E402 - bench/scratch.py, beside this script

SEED_VIDEO = "25-year-old-staff-eng-meta-promotion-story"
DESK = "from-support-desk-to-engineering-manager-a-career-switch-story"
SHIP = "shipping-small-lessons-from-a-decade-of-startups"

# (split, query, video, gold chapter titles)
QUERIES = [
    ("tune", "tips for coding interviews", SEED_VIDEO, ["Leetcode"]),
    ("tune", "how did he get his first promotion", SEED_VIDEO, ["Mid-level promo"]),
    ("tune", "working faster as a new engineer", SEED_VIDEO, ["How to ship code fast"]),
    ("tune", "should i become a manager", SEED_VIDEO, ["Management vs Eng"]),
    ("tune", "burnout and long hours", SEED_VIDEO, ["How much he worked"]),
    ("tune", "what he would do differently", SEED_VIDEO, ["Biggest career regret"]),
    ("tune", "joining a small company after big tech", SEED_VIDEO, ["Why leave Meta"]),
    ("tune", "getting people to follow you without being their boss", SEED_VIDEO,
     ["Influence without authority"]),
    ("tune", "choosing which team to join", SEED_VIDEO, ["Picking his first team"]),
    ("tune", "becoming a staff engineer", SEED_VIDEO, ["Staff promo"]),
    ("tune", "starting your own company", SEED_VIDEO, ["When to build a startup"]),
    ("tune", "advice for students graduating", SEED_VIDEO, ["Advice for new grads & past self"]),
    ("tune", "keeping calm when production breaks", DESK, ["On-call & incidents"]),
    ("tune", "studying programming in the evenings with a kid", DESK,
     ["Learning to code at night"]),
    ("tune", "answering customer complaints", DESK, ["Working the support desk"]),
    ("tune", "trying out people management with a way back", DESK, ["Manager or IC?"]),
    ("tune", "changing careers without a degree", DESK, ["Advice for career switchers", "Intro"]),
    ("tune", "doing the boring work nobody wants", DESK, ["Becoming a tech lead"]),
    ("tune", "why smaller changes are better", SHIP, ["Why small batches win"]),
    ("tune", "turning features off in production", SHIP, ["The feature flag habit"]),
    ("held", "how to prepare for algorithm questions", SEED_VIDEO, ["Leetcode"]),
    ("held", "how the senior promotion happened", SEED_VIDEO, ["Senior promo"]),
    ("held", "delivering code quickly", SEED_VIDEO, ["How to ship code fast"]),
    ("held", "manager or individual contributor", SEED_VIDEO, ["Management vs Eng"]),
    ("held", "how many hours a week did he work", SEED_VIDEO, ["How much he worked"]),
    ("held", "regrets in his career", SEED_VIDEO, ["Biggest career regret"]),
    ("held", "leaving a big company", SEED_VIDEO, ["Why leave Meta"]),
    ("held", "leading a team as a tech lead", SEED_VIDEO, ["On being a tech lead"]),
    ("held", "how he started coding as a teenager", SEED_VIDEO, ["Getting into programming"]),
    ("held", "what counts as impact at a big company", SEED_VIDEO,
     ["Meta impact culture", "Staff promo"]),
    ("held", "learning more at a startup or a big company", SEED_VIDEO,
     ["Technical learning (big tech vs startups)"]),
    ("held", "handling outages calmly", DESK, ["On-call & incidents"]),
    ("held", "landing the first developer job", DESK, ["The first engineering job"]),
    ("held", "becoming a team lead by volunteering", DESK, ["Becoming a tech lead"]),
    ("held", "going back to engineering after managing", DESK, ["Manager or IC?"]),
    ("held", "helpdesk job as a stepping stone", DESK, ["Working the support desk"]),
    ("held", "rewriting the whole codebase from scratch", SHIP, ["Saying no to big rewrites"]),
    ("held", "advice to my younger self", SHIP, ["What I'd tell my younger self"]),
    ("held", "shipping in small pieces", SHIP, ["Why small batches win"]),
    ("held", "toggles for new code", SHIP, ["The feature flag habit"]),
]  # fmt: skip
FIRST = 5


RRF_K = 60  # the usual constant of reciprocal-rank fusion


def fused(words, meaning) -> tuple[list, list]:
    """The first five moments and lessons of words and meaning merged by reciprocal-rank
    fusion (each item scores 1/(k + its rank) in each list), the alternative to the
    site's "what says every word first, meaning fills the places left"."""

    def fuse(a: list, b: list, key) -> list:
        score: dict = {}
        first: dict = {}
        for hits in (a, b):
            for rank, hit in enumerate(hits, 1):
                score[key(hit)] = score.get(key(hit), 0.0) + 1 / (RRF_K + rank)
                first.setdefault(key(hit), hit)
        return [first[k] for k in sorted(score, key=lambda k: -score[k])][:FIRST]

    def moment_key(m):
        return (m.chapter.pk if m.chapter else None, int(m.start_seconds // 30))

    moments = fuse(words.moments, meaning.moments, moment_key)
    lessons = fuse(list(words.lessons[:20]), list(meaning.lessons[:20]), lambda h: h.lesson.pk)
    return moments, lessons


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--show", action="store_true", help="print each query's result")
    args = parser.parse_args()
    scratch.setup("kb-relevance-")
    from django.core.management import call_command

    from kb.models import Video
    from kb.search import search

    pages = sorted((ROOT / "samples").glob("*.txt")) + ([SEED] if SEED.exists() else [])
    call_command("import_video", *map(str, pages), "--publish", stdout=io.StringIO())
    videos = {v.slug: v for v in Video.objects.all()}
    table = {}
    for by in ("words", "meaning", "both", "rrf"):
        for split, query, slug, gold in QUERIES:
            if slug not in videos:
                continue
            if by == "rrf":
                moments, lessons = fused(search(query, by="words"), search(query, by="meaning"))
            else:
                results = search(query, by=by)
                moments, lessons = results.moments[:FIRST], results.lessons[:FIRST]
            chapters = [(m.video.slug, m.chapter.title) for m in moments if m.chapter]
            chapters += [
                (h.lesson.video.slug, h.lesson.chapter.title) for h in lessons if h.lesson.chapter
            ]
            hit = any(video == slug and title in gold for video, title in chapters)
            table.setdefault((by, split), []).append(hit)
            if args.show:
                print(f"{by:8} {split:5} {'HIT ' if hit else 'miss'} {query!r}: {chapters[:4]}")
    print("| split | queries | words | meaning | both (the site) | reciprocal-rank fusion |")
    print("|---|---|---|---|---|---|")
    for split in ("tune", "held"):
        cells = []
        for by in ("words", "meaning", "both", "rrf"):
            hits = table.get((by, split), [])
            cells.append(f"{sum(hits)}/{len(hits)} ({100 * sum(hits) / max(len(hits), 1):.0f}%)")
        print(f"| {split} | {len(table.get(('words', split), []))} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
