"""Summary pages as different generators write them (issue 14): every variant reads into
the same lessons, takeaways, conclusion and resources, and what is doubtful is reported.

Each variant is made from a page we know (our test page, our samples, the seed when it
is here) by rewriting its titles, labels or bullets the way other generators do."""

import re
from pathlib import Path

import pytest

from kb.importers.documents import DocumentError, decode_text
from kb.importers.summary import parse_summary
from tests.pages import page

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = sorted((ROOT / "samples").glob("*.txt"))
LABEL = re.compile(r"^Key Takeaways?:$")
BULLET = re.compile(r"^(\s*)•(\s+)")


def read(text: str):
    return parse_summary(decode_text(text.encode("utf-8") if isinstance(text, str) else text))


def shape(parsed):
    return (
        [(s.title, s.takeaways) for s in parsed.sections],
        parsed.conclusion,
        parsed.resources,
    )


def rewrite(text: str, title=None, label=None, bullet=None) -> str:
    """`text` with each section, conclusion and resources title, each takeaways label and
    each • bullet rewritten; titles are numbered from 1 as they come."""
    parsed = read(text)
    titles = {s.line for s in parsed.sections}
    titles |= {
        n + 1
        for n, line in enumerate(text.split("\n"))
        if line.strip() in ("Conclusion", "Resources to Explore")
    }
    out, count = [], 0
    for n, line in enumerate(text.split("\n"), 1):
        if n in titles and title:
            count += 1
            line = title(line.strip(), count)
        elif LABEL.match(line.strip()) and label:
            line = label(line.strip())
        elif BULLET.match(line) and bullet:
            line = BULLET.sub(lambda m: m[1] + bullet + m[2], line)
        out.append(line)
    return "\n".join(out)


TITLE_STYLES = {
    "numbered": lambda t, n: f"{n}. {t}",
    "numbered with a parenthesis": lambda t, n: f"{n}) {t}",
    "emoji": lambda t, n: f"📌 {t}",
    "markdown heading": lambda t, n: f"## {t}",
    "markdown heading with emoji": lambda t, n: f"### 🔗 {t}",
    "bold": lambda t, n: f"**{t}**",
    "numbered bold": lambda t, n: f"**{n}. {t}**",
}
LABEL_STYLES = {
    "bold": lambda label: f"**{label}**",
    "bold label, colon outside": lambda label: f"**{label.rstrip(':')}**:",
    "italic": lambda label: f"*{label}*",
    "no Key": lambda label: label.replace("Key ", ""),
    "lower case, no colon": lambda label: label.lower().rstrip(":"),
    "plural always": lambda label: "Key Takeaways:",
    "emoji": lambda label: f"🔑 {label}",
}
BULLET_STYLES = ["-", "–", "*", "●"]


def known_pages():
    pages = {"test page": page()}
    pages.update({p.name: p.read_text(encoding="utf-8") for p in SAMPLES})
    return pages


@pytest.fixture(params=list(known_pages()))
def original(request):
    return known_pages()[request.param]


@pytest.mark.parametrize("style", TITLE_STYLES)
def test_titles_with_numbers_emoji_or_markdown_marks(original, style):
    assert shape(read(rewrite(original, title=TITLE_STYLES[style]))) == shape(read(original))


@pytest.mark.parametrize("style", LABEL_STYLES)
def test_takeaway_labels_in_any_spelling(original, style):
    assert shape(read(rewrite(original, label=LABEL_STYLES[style]))) == shape(read(original))


@pytest.mark.parametrize("marker", BULLET_STYLES)
def test_bullets_of_any_kind(original, marker):
    assert shape(read(rewrite(original, bullet=marker))) == shape(read(original))


def test_windows_line_ends_and_a_byte_order_mark(original):
    data = b"\xef\xbb\xbf" + original.replace("\n", "\r\n").encode("utf-8")
    assert shape(read(data)) == shape(read(original))


def test_the_seed_in_every_style(seed_path):
    original = seed_path.read_text(encoding="utf-8")
    expected = shape(read(original))
    assert len(expected[0]) == 15
    for title in TITLE_STYLES.values():
        for label in LABEL_STYLES.values():
            variant = rewrite(original, title=title, label=label, bullet="-")
            assert shape(read(variant)) == expected


def test_a_title_ending_in_a_full_stop():
    title_case = page().replace("Asking for Help Early", "Ask for Help Early.")
    assert read(title_case).sections[0].title == "Ask for Help Early"
    assert read(title_case).warnings == []
    # In sentence case it is read by what follows (its text, then a label), and reported.
    sentence = page().replace("Asking for Help Early", "Ask for help early.")
    parsed = read(sentence)
    assert [s.title for s in parsed.sections][0] == "Ask for help early"
    assert any("ends like a sentence" in message for _, message in parsed.warnings)


def test_a_long_question_as_a_title():
    question = "What Should You Do When You Have Been Stuck on a Bug for Hours?"
    parsed = read(page().replace("Asking for Help Early", question))
    assert parsed.sections[0].title == question
    assert len(parsed.sections[0].takeaways) == 2


def test_a_title_right_after_the_takeaways_before_it():
    """A short line after a section's takeaways starts the next section, whatever its end."""
    parsed = read(page().replace("Gardening & the <Promo> Packet", "Gardening taught patience."))
    assert [s.title for s in parsed.sections] == [
        "Asking for Help Early",
        "Gardening taught patience",
        "Final Advice",
    ]


def test_a_takeaway_on_the_label_line():
    parsed = read(
        page().replace(
            "Key Takeaway:\n\n  • Your promo packet is written all year, not in a week.",
            "**Key Takeaway:** Your promo packet is written all year, not in a week.",
        )
    )
    assert parsed.sections[1].takeaways == ["Your promo packet is written all year, not in a week."]


def test_body_lists_stay_lists():
    """Numbered and bulleted lists inside a section are never read as titles."""
    text = page().replace(
        "  1. Collect evidence of impact every week.\n\n"
        "  2. Ask your manager what the packet needs.",
        "1. Collect evidence\n2. Ask your manager",
    )
    parsed = read(text)
    assert [s.title for s in parsed.sections] == [
        "Asking for Help Early",
        "Gardening & the <Promo> Packet",
        "Final Advice",
    ]
    assert parsed.sections[1].blocks[-1].items == ["Collect evidence", "Ask your manager"]


def test_conclusion_and_resources_under_other_names_and_marks():
    text = (
        page()
        .replace("Resources to Explore", "🔗 Recommended Reading")
        .replace("\nConclusion\n", "\n📌 Final Thoughts:\n")
    )
    parsed = read(text)
    assert parsed.resources == ["A book about careers: for further reading."]
    assert parsed.conclusion == "Growth is a marathon."
    assert len(parsed.sections) == 3
    assert parsed.boilerplate == ["Have questions? Drop a comment below!"]


def test_doubtful_readings_are_reported():
    no_takeaways = page().replace(
        "Key Takeaways:\n\n  • Ask for help after thirty minutes stuck.\n"
        "  • Write down what you tried before you ask.",
        "",
    )
    warnings = read(no_takeaways).warnings
    assert any("'Asking for Help Early' has no takeaways" in m for _, m in warnings)
    between = page().replace(
        "  • Write down what you tried before you ask.\n",
        "  • Write down what you tried before you ask.\n\n"
        "This paragraph sits after the takeaways of its section, where nothing usually is, "
        "and it goes on for more words than any title would.\n",
    )
    assert any("after a section's takeaways" in m for _, m in read(between).warnings)


def test_a_page_without_lessons_is_refused_with_the_reason():
    text = page()
    start = text.index("Asking for Help Early")
    end = text.index("📝 Transcript Chapters")
    flat = text[:start] + "Just one long paragraph of prose and nothing else.\n\n\n" + text[end:]
    with pytest.raises(DocumentError, match="no lessons in the summary"):
        read(flat)
