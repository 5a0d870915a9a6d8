"""Each lesson lands on the chapter that discusses it, at a moment inside it."""

import pytest

from kb.importers.analysis import parse_page
from kb.importers.documents import Segment, decode_text
from kb.importers.drafts.cues import sponsor_reads
from kb.importers.linking import WordTimeline, link_sections, reanchor
from tests.pages import page

# Read off the seed's transcript by a person: the chapter(s) each summary section is about.
SEED_EXPECTED = {
    "Early Beginnings: No Need to Be a Prodigy": {"Getting into programming"},
    "Building Skills and Leadership in College": {"Getting into programming"},
    "Navigating Interviews and Landing Meta": {"Leetcode"},
    "Choosing the Right Team and Role": {"Picking his first team"},
    "Early Career Promotions and Confidence Building": {"Mid-level promo"},
    "Shipping Code Fast: Workflow and Asking for Help": {"How to ship code fast"},
    "Growing Into Leadership and Senior Roles": {"Senior promo"},
    "Staff Engineer Promotion: Impact and Holistic Problem Solving": {"Staff promo"},
    # The section spans the three chapters on Meta's culture, tech leading and influence.
    "Meta’s Culture of Impact and Influence Without Authority": {
        "Meta impact culture",
        "On being a tech lead",
        "Influence without authority",
    },
    "Management vs. Individual Contributor Path": {"Management vs Eng"},
    "Leaving Meta for Startups: Risks and Rewards": {"Why leave Meta"},
    "Technical Growth: Big Tech vs. Startups": {"Technical learning (big tech vs startups)"},
    "When to Build a Startup": {"When to build a startup"},
    # Hours worked and regrets: two neighbouring chapters.
    "Work-Life Balance and Biggest Regrets": {"How much he worked", "Biggest career regret"},
    "Final Advice to New Grads and Aspiring Engineers": {"Advice for new grads & past self"},
}


def chapters(*texts):
    return [(f"Chapter {n}", text) for n, text in enumerate(texts)]


def segments_for(chapter_texts, seconds_per_chapter=100):
    return [
        Segment(n, n * seconds_per_chapter, (n + 1) * seconds_per_chapter, text, False)
        for n, (_, text) in enumerate(chapter_texts)
    ]


def test_a_section_lands_on_the_chapter_its_distinctive_words_come_from():
    chs = chapters(
        "we talk about careers and how to grow in your job",
        "I went snowboarding every weekend in the mountains and snowboarding kept me sane",
        "the promotion packet needs evidence of impact for calibration",
    )
    links = link_sections(
        [
            ("Hobbies Keep You Sane", "He snowboards on weekends to rest."),
            ("Promotion Needs Evidence", "Collect impact for the promotion packet."),
        ],
        chs,
        segments_for(chs),
    )
    assert [link.chapter for link in links] == [1, 2]
    assert 100 <= links[0].start_seconds < 200
    assert 200 <= links[1].start_seconds < 300


def test_a_section_that_matches_nothing_gets_no_chapter():
    chs = chapters("alpha beta gamma", "delta epsilon zeta")
    assert link_sections([("Quantum", "chromodynamics")], chs, segments_for(chs)) == [None]


def test_every_lesson_of_the_sample_page_lands_in_its_chapter():
    parsed = parse_page(page())
    landed = {
        s.title: parsed.page.chapters[link.chapter].title
        for s, link in zip(parsed.page.sections, parsed.links, strict=True)
    }
    assert landed == {
        "Asking for Help Early": "Asking for help",
        "Gardening & the <Promo> Packet": "Promo packets",
        "Final Advice": "Promo packets",
    }


def test_every_seed_lesson_lands_on_the_chapter_that_discusses_it(seed_path):
    parsed = parse_page(decode_text(seed_path.read_bytes())).page
    links = parse_page(decode_text(seed_path.read_bytes())).links
    misses = []
    for section, link in zip(parsed.sections, links, strict=True):
        chapter = parsed.chapters[link.chapter]
        end = parsed.chapter_end(link.chapter)
        assert chapter.start_seconds <= link.start_seconds < end
        if chapter.title not in SEED_EXPECTED[section.title]:
            misses.append((section.title, chapter.title))
    assert misses == []


def test_reanchoring_finds_the_same_words_on_a_new_timeline():
    words = "one two three four five six seven eight nine ten eleven twelve".split()
    old = WordTimeline([Segment(0, 0, 12, " ".join(words), False)])  # a word a second
    new = WordTimeline(
        [
            Segment(0, 50, 53, " ".join(words[:6]), True),
            Segment(0, 60, 63, " ".join(words[6:]), True),
        ]
    )
    assert reanchor(old, new, 6.0) == pytest.approx(60.0)  # "seven…" is said at 1:00 now
    assert reanchor(old, new, 2.0) == pytest.approx(51.0)
    elsewhere = WordTimeline([Segment(0, 0, 5, "completely different words here now", True)])
    assert reanchor(old, elsewhere, 7.0) is None


@pytest.mark.parametrize(
    "name, expected",
    [
        (
            "support-desk-to-engineering-manager.txt",
            [
                "Working the support desk",
                "Learning to code at night",
                "On-call & incidents",
                "Becoming a tech lead",
                "Manager or IC?",
                "Advice for career switchers",
            ],
        ),
        (
            "shipping-small.txt",
            [
                "Why small batches win",
                "The feature flag habit",
                "Saying no to big rewrites",
                "What I'd tell my younger self",
            ],
        ),
    ],
)
def test_every_sample_lesson_lands_on_its_chapter(name, expected):
    with open(f"samples/{name}", encoding="utf-8") as sample:
        parsed = parse_page(sample.read())
    assert [parsed.page.chapters[link.chapter].title for link in parsed.links] == expected


def _one_chapter_talk(lines: list[str]) -> tuple[list[tuple[str, str]], list[Segment]]:
    """One chapter, a line every ten seconds."""
    segments = [Segment(0, 10 * n, 10 * (n + 1), text, True) for n, text in enumerate(lines)]
    return [("Part 1", " ".join(lines))], segments


def _placed(lines):
    """The staff-promotion lesson placed on `lines`, with its one takeaway."""
    from kb.importers.analysis import place

    takeaways = ["Write down every Friday what each project changed for customers."]
    text = "\n".join(["Staff promotion is decided on evidence.", *takeaways])
    chs, segments = _one_chapter_talk(lines)
    [(link, moments)] = place(chs, segments, [("Staff Promotion Needs Evidence", text, takeaways)])
    return link, moments


FILLER = "and then we moved to the other office across the river that spring"


def test_a_lesson_said_late_in_its_passage_starts_before_its_first_takeaway():
    # The lesson's own words pile up at the end of the passage (its summing up), while its
    # first point is made a minute earlier: a reader starting at the lesson must hear it.
    lines = (
        [FILLER] * 4
        + [
            "so how did you get the next level",
            "every friday I wrote down what each project changed for customers",
            *[FILLER] * 5,
            "the staff promotion came from the staff promotion case staff promotion evidence",
            "promotion to staff is a staff promotion about evidence",
        ]
        + [FILLER] * 4
    )
    link, moments = _placed(lines)
    assert moments[0].start_seconds == pytest.approx(50, abs=10)
    assert moments[0].start_seconds - 30 <= link.start_seconds <= moments[0].start_seconds


def test_a_lesson_that_opens_its_passage_keeps_its_own_moment():
    lines = (
        [FILLER] * 4
        + [
            "staff promotion is about evidence",
            "every friday I wrote down what each project changed for customers",
        ]
        + [FILLER] * 6
    )
    link, moments = _placed(lines)
    assert moments[0].start_seconds == pytest.approx(50, abs=10)
    assert 30 <= link.start_seconds <= 40


def test_a_sponsor_read_is_never_where_a_lesson_or_takeaway_lands():
    # The host's ad uses the lesson's words ("peers", "career advice") before the guest
    # gives the advice: the lesson and its takeaway land on the guest, not on the ad.
    lines = (
        [FILLER] * 2
        + [
            "let me tell you about a product called circle",
            "a trusted group of peers gives you career advice on your job search",
            "peers from your job search and career advice every week",
            "get started for free at circle.com/podcast",
        ]
        + [FILLER] * 6
        + [
            "after the layoff I asked my peers for career advice on the job search",
            "a group of peers in the job search keeps you honest",
        ]
        + [FILLER] * 4
    )
    from kb.importers.analysis import place

    chs, segments = _one_chapter_talk(lines)
    [(link, moments)] = place(
        chs,
        segments,
        [("Search With Peers", "Ask peers for career advice.", ["Job search with peers."])],
    )
    assert link.start_seconds >= 100 and moments[0].start_seconds >= 110


def test_a_talk_that_only_mentions_an_episode_has_no_sponsor_read():
    talk = [Segment(0, n * 10.0, n * 10.0 + 10, text, True) for n, text in enumerate(
        ["this episode is for anyone looking for a job", "let me tell you about my first boss",
         "she said peers matter"] + [FILLER] * 20)]  # fmt: skip
    assert sponsor_reads(talk) == set()
    talk[5] = Segment(0, 50.0, 60.0, "this episode is brought to you by circle", True)
    assert sponsor_reads(talk) == {5, 6}
